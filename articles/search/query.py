"""One reader search: terms, the newest matches, and their ranking.

The entry point is ``Search``, paged by ``SearchPaginator`` (the search page's),
or ``search_articles`` (the ranked stories alone). The matching itself is the
database's (``postgres``, ``sqlite``); the ranking around it is shared.
"""

import unicodedata

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
from django.utils.functional import cached_property
from taggit.models import Tag

from articles.models import Article, Author, Byline, TaggedArticle
from articles.search import postgres, sqlite

MAX_TERMS = 8


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
            self.matches = postgres.match(stories, self.terms)
        elif connection.vendor == "sqlite":
            self.matches = sqlite.match(stories, self.terms)
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
        """The candidates best first, loaded for listing with their tags (a
        result shows those that matched): an unevaluated queryset."""
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
            stories = postgres.rank(stories, self.terms)
        elif connection.vendor == "sqlite":
            stories = sqlite.rank(
                Article.objects.published().filter(pk__in=ids), self.terms
            )
        else:  # pragma: no cover - only the two supported databases are tested
            stories = (
                Article.objects.published()
                .filter(pk__in=ids)
                .annotate(
                    text_rank=Value(0.0, output_field=FloatField()),
                    name_hits=Value(0, output_field=IntegerField()),
                )
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
                "-headline_hits",
                "-name_hits",
                "-dek_hits",
                "-text_rank",
                "-published_at",
                "-pk",
            )
            .for_listing()
            .with_tags()
        )


def name_suggestions(terms: list[str], limit: int = 5) -> tuple[list, list]:
    """Tags and authors of live stories whose names contain one of ``terms``:
    what a search without results offers instead (two queries).

    A story with such a tag or byline matches that term, but the search found
    none: the other terms or the filters ruled it out.
    """
    if not terms:
        return [], []
    names = Q()
    for term in terms:
        names |= Q(name__icontains=term)
    live = Article.objects.published().order_by().values("pk")
    tags = Tag.objects.filter(
        names,
        pk__in=TaggedArticle.objects.filter(content_object__in=live).values("tag_id"),
    ).order_by("name")
    authors = Author.objects.filter(
        names, pk__in=Byline.objects.filter(article__in=live).values("author_id")
    ).order_by("name")
    return list(tags[:limit]), list(authors[:limit])


def search_articles(query, *, section=None, tag=None, date_from=None, date_to=None):
    """Published stories matching ``query``, best first (see ``articles.search``).

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

    def __init__(self, search: Search, per_page: int):
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
