"""The story list's own filters: by byline, by tag and by workflow state.

The choices of the byline and tag filters come only from the stories the user
may see (``workflow.visible_stories``): a tag used only on another reporter's
draft is not offered, so its name does not leak through the sidebar.
"""

from datetime import datetime, time, timedelta

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles import workflow
from articles.models import (
    Article,
    ArticleRevision,
    Author,
    TaggedArticle,
    live_lookups,
)

# The largest id any database here stores: a longer number matches nothing.
MAX_ID = 2**63 - 1


def _as_id(value: str) -> int | None:
    """A filter's value as a row id, None if it cannot be one (``"abc"``,
    ``"²"``, 25 digits): such a filter lists nothing, never a database error."""
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        return None
    return int(value)


def _visible_pks(request):
    return (
        workflow.visible_stories(request.user, Article.objects.all())
        .order_by()
        .values("pk")
    )


class AuthorListFilter(admin.SimpleListFilter):
    """Stories by one person, whatever their role in the byline."""

    title = _("author")
    parameter_name = "author"

    def lookups(self, request, model_admin):
        authors = Author.objects.filter(bylines__article__in=_visible_pks(request))
        return list(authors.distinct().order_by("name", "pk").values_list("pk", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        pk = _as_id(value)
        return queryset.none() if pk is None else queryset.by_author(pk)


class TagListFilter(admin.SimpleListFilter):
    """Stories with one tag; offers the tags of the stories the user may see.

    Keeps the parameter of Django's own related-field filter, so bookmarked
    lists (``?tags__id__exact=3``) still work.
    """

    title = _("tags")
    parameter_name = "tags__id__exact"

    def lookups(self, request, model_admin):
        used = TaggedArticle.objects.filter(content_object__in=_visible_pks(request))
        tags = Tag.objects.filter(pk__in=used.values("tag_id"))
        return list(tags.order_by("name", "pk").values_list("pk", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        pk = _as_id(value)
        return queryset.none() if pk is None else queryset.tagged(pk)


def returned_condition() -> Q:
    """Drafts that were in review before: an editor sent them back.

    Read from the revisions (each holds the status it was saved with), so no
    state of its own to keep in step; the editor's notes are the summary of
    the revision that sent the story back (the dashboard shows it).
    """
    was_in_review = ArticleRevision.objects.filter(
        article=OuterRef("pk"), data__status=Article.Status.REVIEW
    )
    return Q(Exists(was_in_review), status=Article.Status.DRAFT)


def returned(queryset):
    return queryset.filter(returned_condition())


def today_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Midnight to midnight of ``now``'s day in the newsroom's time zone."""
    start = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    return start, start + timedelta(days=1)


def published_today_condition(now: datetime) -> Q:
    start, _end = today_bounds(now)
    return Q(**live_lookups(now), published_at__gte=start)


def scheduled_condition(now: datetime) -> Q:
    return Q(status=Article.Status.PUBLISHED, published_at__gt=now)


def published_today(queryset, now: datetime):
    return queryset.filter(published_today_condition(now))


class WorkflowStateFilter(admin.SimpleListFilter):
    """Draft, returned, in review, scheduled (published, time to come), live,
    live since midnight; with pending changes (``articles.staging``), and
    those up for review."""

    title = _("workflow state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("returned", _("Returned with notes")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("published", _("Published (live)")),
            ("today", _("Published today")),
            ("pending", _("Changes pending")),
            ("pending-review", _("Changes pending review")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "returned":
                return returned(queryset)
            case "review":
                return queryset.filter(status=Article.Status.REVIEW)
            case "scheduled":
                return queryset.scheduled(now)
            case "published":
                return queryset.published(now)
            case "today":
                return published_today(queryset, now)
            case "pending":
                return queryset.filter(pending_change__isnull=False)
            case "pending-review":
                return queryset.filter(pending_change__state="review")
        return queryset
