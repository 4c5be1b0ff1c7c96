"""The read-only JSON API, ``/api/v1/`` (``docs/api.md``).

Built with django-ninja: the pydantic schemas (``api.schemas``) give the
OpenAPI document for free and check every answer; it is small and fast, and
a read-only API needs none of Django REST framework's serializers, viewsets
or browsable pages. Access (keys, the anonymous switch, rate limits) is
decided before the page cache, by ``api.middleware``; caching headers are
added around these views (``api.http``, ``api/urls.py``).

Only published stories, ever: every story comes from
``Article.objects.published()``, and sections, tags and authors are those of
published stories (tags and authors with none are a 404, as a draft's tags
are on the site).
"""

from datetime import date
from typing import Literal

from django.conf import settings as django_settings
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext
from django.views.decorators.csp import csp_override
from ninja import NinjaAPI, Path, Query, Swagger
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from taggit.models import Tag

from api import conf, cursors, payloads
from api.errors import error_response, not_found, problem_text
from api.schemas import (
    AuthorOut,
    AuthorPage,
    Error,
    RankingOut,
    SearchPage,
    SectionList,
    SectionOut,
    StoryDetail,
    StoryPage,
    TagOut,
    TagPage,
)
from articles import shown
from articles.models import Article, Author, Section
from articles.search.forms import SearchForm
from articles.search.query import Search
from comments.counts import MOST_COMMENTED_KEPT, comment_counts, most_commented
from corrections.models import notes_for
from live.models import coverage_for
from viewcounts.stats import most_viewed

MAX_PAGE_SIZE = 100
MAX_ID = 2**63 - 1  # the database's bigint: larger ids cannot exist
MOST_VIEWED_KEPT = 20
SECURITY_SCHEMES = {
    "ApiKeyHeader": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "BearerKey": {"type": "http", "scheme": "bearer"},
}
ERRORS = {400: Error, 401: Error, 404: Error, 429: Error}
LIST_ERRORS = {400: Error, 401: Error, 429: Error}


def api_docs_page(view):
    """The Swagger page, under its own CSP (``API_DOCS_CSP``)."""
    return csp_override(django_settings.API_DOCS_CSP)(view)


class Renderer(JSONRenderer):
    # Korean headlines as themselves, not as \uXXXX escapes (a third the size).
    json_dumps_params = {"ensure_ascii": False}


class NewsroomAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Ninja's document, with the optional keys as security schemes: a
        request may carry one (``{}``: or none, while anonymous access is on)."""
        schema = super().get_openapi_schema(
            path_prefix=path_prefix, path_params=path_params
        )
        schema["components"].setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
        schema["security"] = [{}, {"ApiKeyHeader": []}, {"BearerKey": []}]
        return schema


api = NewsroomAPI(
    title="Newsroom API",
    version="1",
    description=(
        "Read-only access to the published stories, sections, tags and authors. "
        "Lists are paged by an opaque cursor; answers carry an ETag."
    ),
    urls_namespace="api",
    # Ninja's Swagger page, with its own copies of Swagger UI ("ninja" is
    # installed) and no validator badge (it would call validator.swagger.io).
    # No deep links: Swagger UI draws them as links inside the operations'
    # buttons, which screen readers and axe refuse (nested-interactive).
    docs=Swagger(
        settings={
            "validatorUrl": None,
            "tryItOutEnabled": True,
            "deepLinking": False,
        }
    ),
    docs_url="/docs",
    docs_decorator=api_docs_page,
    openapi_url="/openapi.json",
    renderer=Renderer(),
)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    fields = {}
    for problem in exc.errors:
        location = [str(part) for part in problem.get("loc", ()) if part != "query"]
        name = ".".join(location[-1:]) or "request"
        fields.setdefault(name, []).append(problem_text(problem))
    return error_response(
        400, "invalid", gettext("Some parameters are not valid."), fields=fields
    )


@api.exception_handler(Http404)
def missing(request, exc):
    return not_found()


@api.exception_handler(HttpError)
def http_error(request, exc):
    return error_response(exc.status_code, "invalid", str(exc))


class BadRequest(Exception):
    def __init__(self, message, field=None):
        self.message, self.field = message, field


@api.exception_handler(BadRequest)
def bad_request(request, exc):
    fields = {exc.field: [str(exc.message)]} if exc.field else None
    return error_response(400, "invalid", exc.message, fields=fields)


@api.exception_handler(cursors.BadCursor)
def bad_cursor(request, exc):
    return error_response(
        400,
        "invalid",
        gettext("This cursor is not valid; start again from the first page."),
        fields={"cursor": [gettext("Not a cursor this list gave.")]},
    )


# Parameters ----------------------------------------------------------------

CursorParam = Query(
    None,
    max_length=cursors.MAX_LENGTH,
    description="The next_cursor of the previous page.",
)
# Slugs are at most this long (Section, Tag: 100; Author: 120).
SlugParam = Path(..., max_length=120, description="The slug, as in the site's address.")
LimitParam = Query(
    None, ge=1, le=MAX_PAGE_SIZE, description="Items per page (default 20)."
)


def _limit(limit: int | None) -> int:
    return limit or min(conf.settings.API_PAGE_SIZE, MAX_PAGE_SIZE)


def _next_link(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


# Stories -------------------------------------------------------------------


def live_stories():
    return Article.objects.published()


def story_page(request, stories, cursor, limit, listing: str) -> dict:
    """One page of ``stories``, newest first, after ``cursor``: three queries
    (the stories with their sections, their bylines, their tags)."""
    shown.listing(listing)
    limit = _limit(limit)
    stories = stories.for_listing().with_tags().order_by("-published_at", "-pk")
    if cursor is not None:
        at, pk = cursors.story_position(cursor)
        stories = stories.filter(Q(published_at__lt=at) | Q(published_at=at, pk__lt=pk))
    items = list(stories[: limit + 1])
    more, items = len(items) > limit, items[:limit]
    next_cursor = (
        cursors.for_story(items[-1].published_at, items[-1].pk) if more else None
    )
    return {
        "items": [payloads.story_summary(request, story) for story in items],
        "next_cursor": next_cursor,
        "next": _next_link(request, next_cursor),
    }


@api.get(
    "/stories",
    response={200: StoryPage, **LIST_ERRORS},
    url_name="stories",
    summary="Published stories, newest first",
    tags=["stories"],
)
def list_stories(
    request, cursor: str | None = CursorParam, limit: int | None = LimitParam
):
    return story_page(request, live_stories(), cursor, limit, "latest")


@api.get(
    "/stories/{story_id}",
    response={200: StoryDetail, **ERRORS},
    url_name="story",
    summary="One published story: body, corrections, live updates, translations",
    tags=["stories"],
)
def get_story(request, story_id: int):
    if not 1 <= story_id <= MAX_ID:
        raise Http404
    story = live_stories().for_listing().with_tags().filter(pk=story_id).first()
    if story is None:
        raise Http404
    translations = list(story.translations().select_related("section"))
    shown.story(story)
    shown.comments(story.pk)
    for byline in story.bylines.all():
        shown.author(byline.author)
    for tag in story.tags.all():
        shown.tag(tag)
    shown.stories(other.pk for other in translations)
    return payloads.story_detail(
        request,
        story,
        notes=notes_for(story),
        coverage=coverage_for(story),
        translations=translations,
        comments=comment_counts([story]).get(story.pk, 0),
    )


# Sections --------------------------------------------------------------------


@api.get(
    "/sections",
    response={200: SectionList, **LIST_ERRORS},
    url_name="sections",
    summary="Every section, in the site's order",
    tags=["sections"],
)
def list_sections(request):
    shown.listing("sections")
    return {"items": [payloads.section(request, s) for s in Section.objects.all()]}


def _section(slug: str) -> Section:
    section = Section.objects.filter(slug=slug).first()
    if section is None:
        raise Http404
    return section


@api.get(
    "/sections/{slug}",
    response={200: SectionOut, **ERRORS},
    url_name="section",
    summary="One section",
    tags=["sections"],
)
def get_section(request, slug: str = SlugParam):
    return payloads.section(request, _section(slug))


@api.get(
    "/sections/{slug}/stories",
    response={200: StoryPage, **ERRORS},
    url_name="section_stories",
    summary="A section's published stories, newest first",
    tags=["sections"],
)
def section_stories(
    request,
    slug: str = SlugParam,
    cursor: str | None = CursorParam,
    limit: int | None = LimitParam,
):
    section = _section(slug)
    stories = live_stories().filter(section=section)
    return story_page(request, stories, cursor, limit, f"section:{section.pk}")


# Tags ------------------------------------------------------------------------


def live_tags():
    """Tags of at least one published story, with how many (as the site's
    tag index counts them)."""
    items = "articles_taggedarticle_items"
    hidden = Q(
        **{
            f"{items}__content_object__in": Article.objects.hidden()
            .order_by()
            .values("pk")
        }
    )
    return Tag.objects.annotate(
        story_count=Count(items) - Count(items, filter=hidden)
    ).filter(story_count__gt=0)


def live_authors():
    """People with a byline on at least one published story, with how many."""
    hidden = Q(bylines__article__in=Article.objects.hidden().order_by().values("pk"))
    return Author.objects.annotate(
        story_count=Count("bylines__article", distinct=True)
        - Count("bylines__article", filter=hidden, distinct=True)
    ).filter(story_count__gt=0)


def name_page(request, rows, kind: str, cursor, limit, build) -> dict:
    """A page of tags or authors by name (then id), after ``cursor``."""
    limit = _limit(limit)
    rows = rows.order_by("name", "pk")
    if cursor is not None:
        name, pk = cursors.name_position(kind, cursor)
        rows = rows.filter(Q(name__gt=name) | Q(name=name, pk__gt=pk))
    items = list(rows[: limit + 1])
    more, items = len(items) > limit, items[:limit]
    next_cursor = cursors.for_name(kind, items[-1].name, items[-1].pk) if more else None
    return {
        "items": [build(request, item) for item in items],
        "next_cursor": next_cursor,
        "next": _next_link(request, next_cursor),
    }


def _tag(slug: str) -> Tag:
    tag = live_tags().filter(slug=slug).first()
    if tag is None:
        raise Http404
    shown.tag(tag)
    shown.listing(f"tag:{tag.pk}")
    return tag


@api.get(
    "/tags",
    response={200: TagPage, **LIST_ERRORS},
    url_name="tags",
    summary="Tags of published stories, by name",
    tags=["tags"],
)
def list_tags(
    request, cursor: str | None = CursorParam, limit: int | None = LimitParam
):
    shown.listing("tags")
    return name_page(request, live_tags(), "t", cursor, limit, payloads.tag)


@api.get(
    "/tags/{slug}",
    response={200: TagOut, **ERRORS},
    url_name="tag",
    summary="One tag",
    tags=["tags"],
)
def get_tag(request, slug: str = SlugParam):
    return payloads.tag(request, _tag(slug))


@api.get(
    "/tags/{slug}/stories",
    response={200: StoryPage, **ERRORS},
    url_name="tag_stories",
    summary="A tag's published stories, newest first",
    tags=["tags"],
)
def tag_stories(
    request,
    slug: str = SlugParam,
    cursor: str | None = CursorParam,
    limit: int | None = LimitParam,
):
    tag = _tag(slug)
    return story_page(
        request, live_stories().tagged(tag), cursor, limit, f"tag:{tag.pk}"
    )


# Authors ---------------------------------------------------------------------


def _author(slug: str) -> Author:
    author = live_authors().filter(slug=slug).first()
    if author is None:
        raise Http404
    shown.author(author)
    shown.listing(f"author:{author.pk}")
    return author


@api.get(
    "/authors",
    response={200: AuthorPage, **LIST_ERRORS},
    url_name="authors",
    summary="People with a byline on a published story, by name",
    tags=["authors"],
)
def list_authors(
    request, cursor: str | None = CursorParam, limit: int | None = LimitParam
):
    shown.listing("authors")
    return name_page(request, live_authors(), "a", cursor, limit, payloads.author)


@api.get(
    "/authors/{slug}",
    response={200: AuthorOut, **ERRORS},
    url_name="author",
    summary="One author",
    tags=["authors"],
)
def get_author(request, slug: str = SlugParam):
    return payloads.author(request, _author(slug))


@api.get(
    "/authors/{slug}/stories",
    response={200: StoryPage, **ERRORS},
    url_name="author_stories",
    summary="An author's published stories, newest first",
    tags=["authors"],
)
def author_stories(
    request,
    slug: str = SlugParam,
    cursor: str | None = CursorParam,
    limit: int | None = LimitParam,
):
    author = _author(slug)
    return story_page(
        request, live_stories().by_author(author), cursor, limit, f"author:{author.pk}"
    )


# Search ----------------------------------------------------------------------


@api.get(
    "/search",
    response={200: SearchPage, **LIST_ERRORS},
    url_name="search",
    summary="Published stories matching words, best first (the site's search)",
    tags=["search"],
)
def search(
    request,
    q: str = Query(..., max_length=1000, description="The words to look for."),
    section: str | None = Query(None, max_length=100, description="A section's slug."),
    tag: str | None = Query(None, max_length=100, description="A tag's slug."),
    date_from: date | None = None,
    date_to: date | None = None,
    cursor: str | None = CursorParam,
    limit: int | None = LimitParam,
):
    form = SearchForm(
        {
            "q": q,
            "section": section or "",
            "tag": tag or "",
            "date_from": date_from or "",
            "date_to": date_to or "",
        }
    )
    if not form.is_valid():
        return error_response(
            400,
            "invalid",
            gettext("Some parameters are not valid."),
            fields={
                name: [str(e) for e in errors] for name, errors in form.errors.items()
            },
        )
    query = form.cleaned_data["q"]
    found = Search(
        query,
        **{
            name: form.cleaned_data[name]
            for name in ("section", "tag", "date_from", "date_to")
        },
    )
    if found.matches is None:
        raise BadRequest(gettext("Give at least one word to search for."), field="q")
    limit = _limit(limit)
    offset = cursors.offset_position("q", cursor) if cursor is not None else 0
    stories = list(found.ranked()[offset : offset + limit]) if found.count else []
    more = offset + limit < found.count
    next_cursor = cursors.for_offset("q", offset + limit) if more else None
    return {
        "query": query,
        "items": [payloads.story_summary(request, story) for story in stories],
        "next_cursor": next_cursor,
        "next": _next_link(request, next_cursor),
        "limited_to": found.limit if found.limited else None,
    }


# Most Viewed, Most Commented -------------------------------------------------


def _ranking(request, period: str, counted: list[tuple[int, int]]) -> dict:
    """``counted``: (story id, count), best first. The stories are read again
    through ``published()``: a ranking kept a while may name one that has
    since been taken down, which is left out."""
    ids = [pk for pk, _ in counted]
    stories = live_stories().for_listing().with_tags().in_bulk(ids) if ids else {}
    items = []
    for pk, count in counted:
        if pk in stories:
            items.append(
                {
                    "rank": len(items) + 1,
                    "count": count,
                    "story": payloads.story_summary(request, stories[pk]),
                }
            )
    return {"period": period, "items": items}


@api.get(
    "/most-viewed",
    response={200: RankingOut, **LIST_ERRORS},
    url_name="most_viewed",
    summary="The most read published stories over a period",
    tags=["rankings"],
)
def get_most_viewed(
    request,
    period: Literal["today", "7d", "30d"] = "7d",
    limit: int = Query(5, ge=1, le=MOST_VIEWED_KEPT),
):
    ranked = most_viewed(period, limit)
    return _ranking(request, period, [(s.pk, s.period_views) for s in ranked])


@api.get(
    "/most-commented",
    response={200: RankingOut, **LIST_ERRORS},
    url_name="most_commented",
    summary="Published stories with the most approved comments in 7 days",
    tags=["rankings"],
)
def get_most_commented(request, limit: int = Query(5, ge=1, le=MOST_COMMENTED_KEPT)):
    ranked = most_commented(limit)
    return _ranking(request, "7d", [(entry["pk"], entry["count"]) for entry in ranked])
