"""Story search: the form, the ranked query on each database, snippets, the page.

Ranking is the same on both databases: stories whose headline contains more of
the search terms come first, then those whose standfirst (dek) does, then the
database's own text rank, then the newest.

- PostgreSQL: a weighted ``tsvector`` (headline A, dek B, body C) matched with
  prefix terms. It is stored in a column kept by a trigger and indexed with
  GIN (migration 0006), so ranking reads it instead of computing it again for
  every match. The ``simple`` configuration does not stem, so it treats every
  language alike; prefix terms make 북한 find 북한의. A query with a term in
  another script than Latin also matches stories that contain every term as a
  substring (a word inside a longer word: 한의 in 북한의), through a trigram
  index when ``pg_trgm`` is installed (terms of three or more characters).
- SQLite: an FTS5 table with the trigram tokenizer, kept in sync by triggers
  (migration 0003). Trigrams give substring matches in any script, but need
  three characters; shorter terms (two-syllable Korean words) are matched with
  ``LIKE`` on the same table.

Only the newest ``SEARCH_MAX_CANDIDATES`` matches (settings) are ranked, as
search engines stop counting: ranking every match of a common word took time in
proportion to the archive, while its newest matches are a short walk down the
publication-time index. A search with more matches says so ("1,000+ results")
and pages through its ranked candidates; one with fewer ranks all its matches,
as before.

User input never reaches a query language: it is split into plain terms, each
quoted for FTS5 or ``to_tsquery``.
"""

import html
import re
import unicodedata

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    FloatField,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.shortcuts import render
from django.utils.functional import cached_property
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag

from articles.models import Article, Section

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
SNIPPET_LENGTH = 240
FTS_TABLE = "articles_article_fts"
# Migration 0006 keeps this column up to date (a trigger) and indexes it (GIN).
PG_SEARCH_VECTOR = "articles_article.search_vector"
# Migration 0006 indexes exactly this expression (pg_trgm); change both together.
PG_SEARCH_TEXT = (
    "(articles_article.headline || ' ' || articles_article.dek || ' ' "
    "|| articles_article.body)"
)


def plain_text(body: str | None) -> str:
    """The readable text of stored article HTML (tags dropped, entities decoded)."""
    if not body:
        return ""
    text = html.unescape(strip_tags(body.replace("<", " <")))
    return " ".join(text.split())


def search_terms(query: str) -> list[str]:
    """Split a query into plain terms: letters, marks and digits of any script.

    Everything else (spaces, punctuation, symbols, control characters) only
    separates terms, so quotes, ``*``, ``-``, ``NEAR`` or ``:`` can never act as
    operators. Duplicates are dropped; at most ``MAX_TERMS`` are kept.
    """
    terms, current = [], []
    for char in query:
        if unicodedata.category(char)[0] in "LMN":
            current.append(char)
        elif current:
            terms.append("".join(current))
            current = []
    if current:
        terms.append("".join(current))
    unique = list(dict.fromkeys(term.casefold() for term in terms))
    return unique[:MAX_TERMS]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False)
    section = forms.ModelChoiceField(
        queryset=Section.objects.only("name", "slug"),
        to_field_name="slug",
        required=False,
        empty_label="All sections",
    )
    tag = forms.CharField(required=False, max_length=100)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_q(self):
        # Long queries are cut, not refused: the first words are what matter.
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH].strip()

    def clean_tag(self):
        slug = self.cleaned_data["tag"].strip()
        if not slug:
            return None
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            raise forms.ValidationError("There is no such tag.")
        return tag

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


class Search:
    """One reader search: its matches, how many there are, and the ranked list.

    ``candidate_ids`` (one query) are the newest matches, at most one more than
    ``limit``: they say whether there are more than ``limit`` (``limited``) and
    are the stories ``ranked()`` orders. ``matches`` is ``None`` when the query
    has no searchable term.
    """

    def __init__(self, query, *, section=None, tag=None, date_from=None, date_to=None):
        self.terms = search_terms(query)
        self.limit = settings.SEARCH_MAX_CANDIDATES
        self.matches = None
        if not self.terms:
            return
        stories = Article.objects.published()
        if section is not None:
            stories = stories.filter(section=section)
        if tag is not None:
            stories = stories.tagged(tag)
        if date_from is not None:
            stories = stories.filter(published_at__date__gte=date_from)
        if date_to is not None:
            stories = stories.filter(published_at__date__lte=date_to)
        if connection.vendor == "postgresql":
            self.matches = _match_postgresql(stories, self.terms)
        elif connection.vendor == "sqlite":
            self.matches = _match_sqlite(stories, self.terms)
        else:  # pragma: no cover - only the two supported databases are tested
            self.matches = _match_substrings(stories, self.terms)

    @cached_property
    def candidate_ids(self):
        """Ids of the newest matches: ``limit`` of them, and one more if any.

        PostgreSQL walks the (status, published_at) index newest first and
        stops once it has enough (a common word), or reads the few matches
        through the GIN index and sorts them (a rare one). Nothing is ranked.
        """
        newest = self.matches.order_by("-published_at", "-pk")
        return list(newest.values_list("pk", flat=True)[: self.limit + 1])

    @property
    def count(self):
        """Matches, exact up to ``limit``; ``limited`` says if there are more."""
        return min(len(self.candidate_ids), self.limit)

    @property
    def limited(self):
        return len(self.candidate_ids) > self.limit

    def ranked(self):
        """The candidates best first, loaded for listing (an unevaluated queryset)."""
        ids = self.candidate_ids[: self.limit]
        if connection.vendor == "postgresql":
            # One parameter, an array literal: a thousand ``IN (%s, ...)``
            # parameters (or a list, adapted item by item) cost Django and
            # psycopg more time than the query.
            array = "{" + ",".join(str(pk) for pk in ids) + "}"
            stories = Article.objects.published().filter(
                RawSQL(
                    "articles_article.id = ANY(%s::bigint[])", [array], BooleanField()
                )
            )
            stories = _rank_postgresql(stories, self.terms)
        elif connection.vendor == "sqlite":
            stories = _rank_sqlite(
                Article.objects.published().filter(pk__in=ids), self.terms
            )
        else:  # pragma: no cover - only the two supported databases are tested
            stories = (
                Article.objects.published()
                .filter(pk__in=ids)
                .annotate(text_rank=Value(0.0, output_field=FloatField()))
            )
        hits = {
            field: sum(
                (
                    Case(
                        When(**{f"{field}__icontains": term}, then=Value(1)),
                        default=Value(0),
                        output_field=IntegerField(),
                    )
                    for term in self.terms
                ),
                start=Value(0),
            )
            for field in ("headline", "dek")
        }
        return (
            stories.annotate(headline_hits=hits["headline"], dek_hits=hits["dek"])
            .order_by(
                "-headline_hits", "-dek_hits", "-text_rank", "-published_at", "-pk"
            )
            .for_listing()
        )


def search_articles(query, *, section=None, tag=None, date_from=None, date_to=None):
    """Published stories matching ``query``, best first (see the module docstring).

    Only the newest ``SEARCH_MAX_CANDIDATES`` matches are ranked. Runs the query
    for them and returns the ranked queryset unevaluated, or ``None`` when the
    query has no searchable term.
    """
    search = Search(
        query, section=section, tag=tag, date_from=date_from, date_to=date_to
    )
    if search.matches is None:
        return None
    return search.ranked()


class SearchPaginator(Paginator):
    """Pages of ``search.ranked()``, counted by the candidate query."""

    def __init__(self, search, per_page):
        self.search = search
        super().__init__(search.ranked(), per_page)

    @cached_property
    def count(self):
        return self.search.count


def _match_substrings(stories, terms):
    for term in terms:
        stories = stories.filter(
            Q(headline__icontains=term)
            | Q(dek__icontains=term)
            | Q(body__icontains=term)
        )
    return stories


def _tsquery(terms, *, prefix=True):
    # Each term quoted (quotes doubled) and made a prefix: 북한 matches 북한의.
    suffix = ":*" if prefix else ""
    quoted = (
        "'" + term.replace("\\", "\\\\").replace("'", "''") + "'" + suffix
        for term in terms
    )
    return " & ".join(quoted)


def _match_postgresql(stories, terms):
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
            substrings &= _pg_contains(term)
        fts |= substrings
    return stories.filter(fts)


def _rank_postgresql(stories, terms):
    return stories.annotate(
        text_rank=RawSQL(
            f"ts_rank({PG_SEARCH_VECTOR}, to_tsquery('simple'::regconfig, %s))",
            [_tsquery(terms)],
            output_field=FloatField(),
        )
    )


def _pg_contains(term):
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


def _fts5_query(terms):
    # Each term a quoted string (quotes doubled): all must occur.
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _match_sqlite(stories, terms):
    long_terms = [term for term in terms if len(term) >= 3]
    short_terms = [term for term in terms if len(term) < 3]
    where = [f"{FTS_TABLE}.rowid = articles_article.id"]
    params = []
    if long_terms:
        where.append(f"{FTS_TABLE} MATCH %s")
        params.append(_fts5_query(long_terms))
    for term in short_terms:
        # Trigrams cannot index fewer than three characters: scan the plain
        # text of the stories the other conditions left.
        like = (
            "%"
            + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        where.append(
            f"({FTS_TABLE}.headline LIKE %s ESCAPE '\\' OR {FTS_TABLE}.dek LIKE %s "
            f"ESCAPE '\\' OR {FTS_TABLE}.body LIKE %s ESCAPE '\\')"
        )
        params.extend([like, like, like])
    # A join on the FTS5 table, which the ORM cannot express: extra() is the
    # documented last resort. Every value is a bound parameter.
    return stories.extra(tables=[FTS_TABLE], where=where, params=params)


def _rank_sqlite(stories, terms):
    """``text_rank``: bm25 needs the full-text match in the same query."""
    long_terms = [term for term in terms if len(term) >= 3]
    if not long_terms:
        return stories.annotate(text_rank=Value(0.0, output_field=FloatField()))
    return stories.extra(
        tables=[FTS_TABLE],
        where=[f"{FTS_TABLE}.rowid = articles_article.id", f"{FTS_TABLE} MATCH %s"],
        params=[_fts5_query(long_terms)],
        # bm25 is smaller for better matches; negate it so higher is better.
        select={"text_rank": f"-bm25({FTS_TABLE}, 10.0, 4.0, 1.0)"},
    )


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` HTML-escaped, with every occurrence of a term wrapped in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)),
        re.IGNORECASE,
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every piece escaped above


def snippet(article: Article, terms: list[str]) -> SafeString:
    """A short excerpt of the dek or body around the first term found."""
    lowered = [term.casefold() for term in terms]
    for text in (article.dek, plain_text(article.body)):
        text = " ".join(text.split())
        folded = text.casefold()
        positions = [folded.find(term) for term in lowered if term in folded]
        if positions:
            start = max(0, min(positions) - SNIPPET_LENGTH // 3)
            excerpt = text[start : start + SNIPPET_LENGTH]
            prefix = "…" if start else ""
            suffix = "…" if start + SNIPPET_LENGTH < len(text) else ""
            return highlight(prefix + excerpt + suffix, terms)
    return escape(article.dek or plain_text(article.body)[:SNIPPET_LENGTH])


def register_sqlite_functions(sender, connection, **kwargs):
    """Give every SQLite connection the function the FTS triggers call.

    Connected to ``connection_created`` in ``ArticlesConfig.ready()``. Writes
    to articles from outside Django (the ``sqlite3`` shell) need it too.
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "newsroom_plain_text", 1, plain_text, deterministic=True
        )


def search_view(request):
    """Search results. Template: ``articles/search.html``.

    Context: ``form``, ``query``, ``page_obj`` (or ``None`` without a query),
    ``results``: ``(article, highlighted headline, snippet)`` per story, and
    ``limited_to``: the number of newest matches ranked when there are more
    (else ``None``).
    """
    form = SearchForm(request.GET or None)
    page_obj, results, query, limited_to = None, [], "", None
    if form.is_valid():
        query = form.cleaned_data["q"]
        search = Search(
            query,
            section=form.cleaned_data["section"],
            tag=form.cleaned_data["tag"],
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
        )
        if search.matches is not None:
            page_obj = SearchPaginator(search, settings.ARTICLES_PER_PAGE).get_page(
                request.GET.get("page")
            )
            results = [
                (
                    article,
                    highlight(article.headline, search.terms),
                    snippet(article, search.terms),
                )
                for article in page_obj
            ]
            if search.limited:
                limited_to = search.limit
    return render(
        request,
        "articles/search.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "results": results,
            "limited_to": limited_to,
        },
    )


FTS_TRIGGERS = (
    "articles_article_fts_insert",
    "articles_article_fts_update",
    "articles_article_fts_delete",
)


def ensure_sqlite_search_triggers(sender, using="default", **kwargs):
    """Re-create the FTS triggers if a migration rebuilt ``articles_article``.

    SQLite alters a table by copying it into a new one, which drops its
    triggers; this runs after every ``migrate`` so no future migration can
    silently stop the search index from following edits.
    """
    from importlib import import_module

    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
            "AND name LIKE 'articles_article_fts%%'"
        )
        present = {row[0] for row in cursor.fetchall()}
        if "articles_article_fts" not in present or present.issuperset(FTS_TRIGGERS):
            return
        statements = import_module("articles.migrations.0003_search")
        for name in FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in statements.SQLITE_FORWARD[2:]:
            cursor.execute(statement)
