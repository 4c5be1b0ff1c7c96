"""Search on PostgreSQL: a stored, weighted ``tsvector`` and a trigram index.

The SQL that builds them is here too, and the queries below must read exactly
what it indexes. Migrations 0003 and 0006 run the first version (``SEARCH_VECTOR``,
``TRIGRAM_INDEX``: headline, dek and body); migration 0010 replaces it with the
current one (``SEARCH_SQL``: the names of the story's tags and authors too) and
puts the first back on the way down. A change to a statement here needs a
migration of its own that rebuilds the object on existing databases; the
statements an old migration runs stay as they were.
"""

from django.db.models import BooleanField, FloatField, IntegerField, Q, Value
from django.db.models.expressions import RawSQL

# The weighted vector of one row as migrations 0003 and 0006 made it (``row``
# is "", "NEW." or a table name and a dot): headline A, dek B, the body's text
# (tags removed) C. Kept as it was: 0003 indexes it, 0006 stores it, and 0010
# stores it again on the way down.
SEARCH_VECTOR = """
    setweight(to_tsvector('simple'::regconfig, coalesce({row}headline, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce({row}dek, '')), 'B') ||
    setweight(to_tsvector('simple'::regconfig,
        regexp_replace(coalesce({row}body, ''), '<[^>]*>', ' ', 'g')), 'C')
"""
# Migration 0006 stores the vector in this column, keeps it up to date (a
# trigger) and indexes it (GIN). It is not a model field: Django never selects
# or writes it.
PG_SEARCH_VECTOR = "articles_article.search_vector"
# Migration 0006's trigram index, on headline, dek and body (pg_trgm).
TRIGRAM_INDEX = """
    CREATE INDEX article_search_text_idx ON articles_article
    USING GIN ((articles_article.headline || ' ' || articles_article.dek || ' '
    || articles_article.body) gin_trgm_ops)
"""

# Since migration 0010: the names of the story's tags and of the authors of its
# bylines (every role), one space between them, in this column, kept by
# triggers on the tables they come from. Not a model field either.
PG_SEARCH_NAMES = "articles_article.search_names"
# The weighted vector since 0010: headline A, tag and author names B, dek C,
# body D. The ranking (``articles.search.query``) puts headline, then name,
# then dek matches first; the weights order the rest the same way.
# ``names`` is the names' expression, "{row}search_names" but while filling.
SEARCH_DOCUMENT = """
    setweight(to_tsvector('simple'::regconfig, coalesce({row}headline, '')), 'A') ||
    setweight(to_tsvector('simple'::regconfig, coalesce({names}, '')), 'B') ||
    setweight(to_tsvector('simple'::regconfig, coalesce({row}dek, '')), 'C') ||
    setweight(to_tsvector('simple'::regconfig,
        regexp_replace(coalesce({row}body, ''), '<[^>]*>', ' ', 'g')), 'D')
"""
# Migration 0010's trigram index (same name as 0006's, which it replaces)
# indexes exactly this expression: the substring match reads it.
PG_SEARCH_TEXT = (
    "(articles_article.headline || ' ' || articles_article.dek || ' ' "
    "|| articles_article.body || ' ' || articles_article.search_names)"
)
SEARCH_TEXT_INDEX = f"""
    CREATE INDEX article_search_text_idx ON articles_article
    USING GIN ({PG_SEARCH_TEXT} gin_trgm_ops)
"""

# The names of one story, as stored in ``search_names``.
NAMES_FUNCTION = """
    CREATE FUNCTION articles_article_search_names(story bigint) RETURNS text
    LANGUAGE sql STABLE AS $$
        SELECT concat_ws(' ',
            (SELECT string_agg(tag.name, ' ' ORDER BY tag.name)
             FROM articles_taggedarticle tagged
             JOIN taggit_tag tag ON tag.id = tagged.tag_id
             WHERE tagged.content_object_id = story),
            (SELECT string_agg(author.name, ' ' ORDER BY byline."order", byline.id)
             FROM articles_byline byline
             JOIN articles_author author ON author.id = byline.author_id
             WHERE byline.article_id = story))
    $$
"""
# Refresh the stored names of the stories ``{stories}`` selects, and the
# names' part of their vector: its B positions replaced, the body not read
# again (tokenising it was most of the cost of a tag rename). A story whose
# names are unchanged is not written (no dead row).
_REFRESH = """
        UPDATE articles_article
        SET search_names = named.names,
            search_vector = ts_filter(search_vector, '{{a,c,d}}')
                || setweight(to_tsvector('simple'::regconfig, named.names), 'B')
        FROM (SELECT id, articles_article_search_names(id) AS names
              FROM articles_article WHERE id IN ({stories})) named
        WHERE articles_article.id = named.id
        AND articles_article.search_names IS DISTINCT FROM named.names;
"""


def _names_trigger_function(name, body):
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
{body}
        RETURN NULL;
    END
    $$
    """


def _through_table_body(column):
    # Statement-level, with transition tables: a bulk insert of bylines or a
    # story's tags added at once refresh each story once.
    new = _REFRESH.format(stories=f"SELECT {column} FROM new_rows")
    old = _REFRESH.format(stories=f"SELECT {column} FROM old_rows")
    return f"""
        IF TG_OP <> 'DELETE' THEN {new}
        END IF;
        IF TG_OP <> 'INSERT' THEN {old}
        END IF;"""


def _renamed_body(through, column, key):
    # Only a change of name refreshes anything: saving an author's bio rewrites
    # no story.
    stories = f"""
            SELECT through.{column} FROM {through} through
            JOIN new_rows ON new_rows.id = through.{key}
            JOIN old_rows ON old_rows.id = new_rows.id
            WHERE new_rows.name IS DISTINCT FROM old_rows.name"""
    return _REFRESH.format(stories=stories)


# Trigger function name, the table it watches, and its body.
_NAMES_SOURCES = [
    (
        "articles_taggedarticle_search_names",
        "articles_taggedarticle",
        _through_table_body("content_object_id"),
    ),
    (
        "articles_byline_search_names",
        "articles_byline",
        _through_table_body("article_id"),
    ),
]
_RENAMES = [
    (
        "articles_tag_search_names",
        "taggit_tag",
        _renamed_body("articles_taggedarticle", "content_object_id", "tag_id"),
    ),
    (
        "articles_author_search_names",
        "articles_author",
        _renamed_body("articles_byline", "article_id", "author_id"),
    ),
]


def _names_triggers():
    """Each function and its triggers: one per event on the two through tables
    (PostgreSQL allows transition tables only on single-event triggers), one
    for updates of tags and authors."""
    statements = []
    for function, table, body in _NAMES_SOURCES:
        statements.append(_names_trigger_function(function, body))
        for event, referencing in [
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ]:
            statements.append(
                f"""
    CREATE TRIGGER {function}_{event.lower()} AFTER {event} ON {table}
    REFERENCING {referencing}
    FOR EACH STATEMENT EXECUTE FUNCTION {function}()
    """
            )
    for function, table, body in _RENAMES:
        statements.append(_names_trigger_function(function, body))
        statements.append(
            f"""
    CREATE TRIGGER {function}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {function}()
    """
        )
    return statements


def _drop_names_triggers():
    statements = []
    for function, table, _ in _NAMES_SOURCES:
        statements += [
            f"DROP TRIGGER IF EXISTS {function}_{event} ON {table}"
            for event in ("insert", "delete", "update")
        ]
        statements.append(f"DROP FUNCTION IF EXISTS {function}()")
    for function, table, _ in _RENAMES:
        statements.append(f"DROP TRIGGER IF EXISTS {function}_update ON {table}")
        statements.append(f"DROP FUNCTION IF EXISTS {function}()")
    return statements


# The story's own trigger: the vector from its row, names included.
_VECTOR_TRIGGER = """
    CREATE TRIGGER articles_article_search_vector
    BEFORE INSERT OR UPDATE OF {columns} ON articles_article
    FOR EACH ROW EXECUTE FUNCTION articles_article_search_vector()
"""
_VECTOR_FUNCTION = """
    CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := {vector};
        RETURN NEW;
    END
    $$
"""

# Migration 0010, forward: the names column, filled; the vector with names,
# for every story, in one pass (the story's trigger dropped first, the GIN
# index built again after: faster than updating it row by row); the triggers
# that keep the names. The trigram index is built again apart
# (``SEARCH_TEXT_INDEX``), where pg_trgm is installed.
SEARCH_SQL = [
    "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
    "DROP INDEX IF EXISTS article_search_text_idx",
    "DROP INDEX IF EXISTS article_search_vector_idx",
    "ALTER TABLE articles_article ADD COLUMN search_names text NOT NULL DEFAULT ''",
    NAMES_FUNCTION,
    f"""
    UPDATE articles_article
    SET search_names = named.names,
        search_vector = {
        SEARCH_DOCUMENT.format(row="articles_article.", names="named.names")
    }
    FROM (SELECT id, articles_article_search_names(id) AS names
          FROM articles_article) named
    WHERE named.id = articles_article.id
    """,
    _VECTOR_FUNCTION.format(
        vector=SEARCH_DOCUMENT.format(row="NEW.", names="NEW.search_names")
    ),
    # Not on ``search_names``: only the names triggers write it, with the
    # vector's names part (``_REFRESH``).
    _VECTOR_TRIGGER.format(columns="headline, dek, body"),
    "CREATE INDEX article_search_vector_idx ON articles_article "
    "USING GIN (search_vector)",
    *_names_triggers(),
]
# Migration 0010, backward: 0006's trigger and vector (written for every story
# again), the names gone. 0006's trigram index is built again apart
# (``TRIGRAM_INDEX``).
DROP_SEARCH_SQL = [
    *_drop_names_triggers(),
    "DROP TRIGGER IF EXISTS articles_article_search_vector ON articles_article",
    "DROP INDEX IF EXISTS article_search_text_idx",
    "DROP INDEX IF EXISTS article_search_vector_idx",
    f"UPDATE articles_article SET search_vector = {SEARCH_VECTOR.format(row='')}",
    _VECTOR_FUNCTION.format(vector=SEARCH_VECTOR.format(row="NEW.")),
    _VECTOR_TRIGGER.format(columns="headline, dek, body"),
    "CREATE INDEX article_search_vector_idx ON articles_article "
    "USING GIN (search_vector)",
    "DROP FUNCTION IF EXISTS articles_article_search_names(bigint)",
    "ALTER TABLE articles_article DROP COLUMN IF EXISTS search_names",
]


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
    """``text_rank`` (``ts_rank`` of the stored vector, higher is better) and
    ``name_hits`` (how many terms a tag or author name contains)."""
    name_hits = sum(
        (
            RawSQL(
                f"CASE WHEN {PG_SEARCH_NAMES} {_like_operator(term)} %s "
                "THEN 1 ELSE 0 END",
                [_like_pattern(term)],
                output_field=IntegerField(),
            )
            for term in terms
        ),
        start=Value(0),
    )
    return stories.annotate(
        text_rank=RawSQL(
            f"ts_rank({PG_SEARCH_VECTOR}, to_tsquery('simple'::regconfig, %s))",
            [_tsquery(terms)],
            output_field=FloatField(),
        ),
        name_hits=name_hits,
    )


def _tsquery(terms, *, prefix=True):
    # Each term quoted (quotes doubled) and made a prefix: 북한 matches 북한의.
    suffix = ":*" if prefix else ""
    quoted = (
        "'" + term.replace("\\", "\\\\").replace("'", "''") + "'" + suffix
        for term in terms
    )
    return " & ".join(quoted)


def _like_pattern(term):
    return (
        "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    )


def _like_operator(term):
    # A term without case (Hangul, Han, kana) is matched with ``LIKE``: there
    # is nothing to lower-case.
    return "LIKE" if term.lower() == term.upper() else "ILIKE"


def _contains(term):
    """Headline, dek, body (its stored HTML) or names contain ``term``.

    One expression for the four, so one trigram index serves it (a term
    cannot span the spaces between them), used for terms of three or more
    characters; shorter ones are checked in the stories the rest leaves.
    """
    return Q(
        RawSQL(
            f"{PG_SEARCH_TEXT} {_like_operator(term)} %s",
            [_like_pattern(term)],
            output_field=BooleanField(),
        )
    )
