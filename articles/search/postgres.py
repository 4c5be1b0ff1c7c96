"""Search on PostgreSQL: a stored, weighted ``tsvector`` and a trigram index.

The SQL that builds them is here too: migrations 0003 and 0006 run it, and the
queries below must read exactly what they index. Changing a statement changes
what a fresh database gets: it needs a migration of its own that rebuilds the
object on existing databases.
"""

from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

# The weighted vector of one row (``row`` is "", "NEW." or a table name and a
# dot): headline A, dek B, the body's text (tags removed) C.
SEARCH_VECTOR = """
    setweight(to_tsvector('simple'::regconfig, coalesce({row}headline, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce({row}dek, '')), 'B') ||
    setweight(to_tsvector('simple'::regconfig,
        regexp_replace(coalesce({row}body, ''), '<[^>]*>', ' ', 'g')), 'C')
"""
# Migration 0006 stores ``SEARCH_VECTOR`` in this column, keeps it up to date
# (a trigger) and indexes it (GIN).
PG_SEARCH_VECTOR = "articles_article.search_vector"
# Migration 0006 indexes exactly this expression (pg_trgm, ``TRIGRAM_INDEX``).
PG_SEARCH_TEXT = (
    "(articles_article.headline || ' ' || articles_article.dek || ' ' "
    "|| articles_article.body)"
)
TRIGRAM_INDEX = f"""
    CREATE INDEX article_search_text_idx ON articles_article
    USING GIN ({PG_SEARCH_TEXT} gin_trgm_ops)
"""


def match(stories, terms: list[str]):
    """``stories`` that contain every term (as a word prefix, or a substring)."""
    # The exact words, OR-ed in, match nothing more (a word is its own prefix)
    # but give the planner their frequencies: it prices a prefix term at a
    # flat 2% when the column's statistics hold fewer than 100 common words
    # (a small vocabulary). Two common words then looked rare, and the newest
    # matches were found by reading and sorting all of them rather than by
    # walking the newest stories until enough matched.
    tsquery = f"({_tsquery(terms, prefix=False)}) | ({_tsquery(terms)})"
    fts = Q(
        RawSQL(
            f"{PG_SEARCH_VECTOR} @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery],
            output_field=BooleanField(),
        )
    )
    if any(not term.isascii() for term in terms):
        # Scripts written without spaces between words (Korean particles,
        # Chinese, Japanese): a word may sit inside a longer token.
        substrings = Q()
        for term in terms:
            substrings &= _contains(term)
        fts |= substrings
    return stories.filter(fts)


def rank(stories, terms: list[str]):
    """``text_rank``: ``ts_rank`` of the stored vector, higher is better."""
    return stories.annotate(
        text_rank=RawSQL(
            f"ts_rank({PG_SEARCH_VECTOR}, to_tsquery('simple'::regconfig, %s))",
            [_tsquery(terms)],
            output_field=FloatField(),
        )
    )


def _tsquery(terms, *, prefix=True):
    # Each term quoted (quotes doubled) and made a prefix: 북한 matches 북한의.
    suffix = ":*" if prefix else ""
    quoted = (
        "'" + term.replace("\\", "\\\\").replace("'", "''") + "'" + suffix
        for term in terms
    )
    return " & ".join(quoted)


def _contains(term):
    """Headline, dek or body (its stored HTML) contains ``term``.

    One expression for the three fields, so one trigram index serves it (a
    term cannot span the spaces between them). A term without case (Hangul,
    Han, kana) is matched with ``LIKE``: nothing to lower-case in the stories
    the index cannot rule out (terms under three characters, or no index).
    """
    like = (
        "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    )
    operator = "LIKE" if term.lower() == term.upper() else "ILIKE"
    return Q(
        RawSQL(f"{PG_SEARCH_TEXT} {operator} %s", [like], output_field=BooleanField())
    )
