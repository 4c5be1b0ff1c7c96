"""The desk's story panels on the admin index, per role.

Reporters: their drafts, returned with notes, in review, scheduled, published
today. Editors: awaiting review (stories, and changes pending on live ones) and
the week's schedule as a calendar. Each
panel is a count and the first few stories, each a link, and the count links
to the story list filtered the same way (``articles.admin.filters``): two
queries a panel, whatever the numbers. The comment queue's panel is the
comments app's (``comments.templatetags.comment_desk``), Most Read viewcounts'.
"""

from datetime import timedelta

from django import template
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from articles import workflow
from articles.admin import filters
from articles.models import Article, ArticleRevision, PendingChange

register = template.Library()

PANEL_SIZE = 5
CALENDAR_DAYS = 8  # today and a week ahead


def _panel(panel_id, title, queryset, state, empty, limit, count=None, **extra):
    url = reverse("admin:articles_article_changelist")
    return {
        "panel_id": panel_id,
        "title": title,
        "count": queryset.count() if count is None else count,
        "stories": list(queryset[:limit]),
        "list_url": f"{url}?state={state}" if state else url,
        "empty": empty,
        **extra,
    }


def _stories(user):
    stories = workflow.visible_stories(user, Article.objects.all())
    return stories.select_related("section").only(
        "headline", "updated_at", "published_at", "status", "section__name"
    )


def is_reporter(user) -> bool:
    return user.has_perm("articles.add_article") and not workflow.can_publish(user)


@register.inclusion_tag("admin/desk/story_panels.html", takes_context=True)
def reporter_panels(context, limit=PANEL_SIZE):
    """A reporter's own stories, by where they are in the workflow."""
    user = context["request"].user
    if not is_reporter(user):
        return {"panels": []}
    now = timezone.now()
    mine = _stories(user).filter(created_by_id=user.pk)
    notes = (
        ArticleRevision.objects.filter(article=OuterRef("pk"))
        .exclude(created_by_id=user.pk)
        .order_by("-created_at", "-pk")
        .values("summary")[:1]
    )
    conditions = {
        "my-drafts": Q(status=Article.Status.DRAFT),
        "returned": filters.returned_condition(),
        "in-review": Q(status=Article.Status.REVIEW),
        "my-scheduled": filters.scheduled_condition(now),
        "published-today": filters.published_today_condition(now),
    }
    # Every count in one query; then the first few of each.
    counts = mine.aggregate(
        **{
            key.replace("-", "_"): Count("pk", filter=q)
            for key, q in conditions.items()
        }
    )

    def panel(key, title, state, empty, order, **extra):
        stories = mine.filter(conditions[key]).order_by(*order)
        if extra.get("show_notes"):
            stories = stories.annotate(notes=Subquery(notes))
        return _panel(
            key,
            title,
            stories,
            state,
            empty,
            limit,
            count=counts[key.replace("-", "_")],
            **extra,
        )

    return {
        "panels": [
            panel(
                "my-drafts",
                gettext("My drafts"),
                "draft",
                gettext("You have no drafts."),
                ("-updated_at", "-pk"),
            ),
            panel(
                "returned",
                gettext("Returned with notes"),
                "returned",
                gettext("Nothing was sent back to you."),
                ("-updated_at", "-pk"),
                show_notes=True,
            ),
            panel(
                "in-review",
                gettext("In review"),
                "review",
                gettext("None of your stories is waiting for an editor."),
                ("-updated_at", "-pk"),
            ),
            panel(
                "my-scheduled",
                gettext("Scheduled"),
                "scheduled",
                gettext("None of your stories is scheduled."),
                ("published_at", "pk"),
                show_time=True,
            ),
            panel(
                "published-today",
                gettext("Published today"),
                "today",
                gettext("Nothing of yours went out today yet."),
                ("-published_at", "-pk"),
                show_time=True,
            ),
        ]
    }


@register.inclusion_tag("admin/desk/story_panels.html", takes_context=True)
def awaiting_review(context, limit=PANEL_SIZE):
    """Stories submitted for review, oldest first: for editors only."""
    user = context["request"].user
    if not workflow.can_publish(user):
        return {"panels": []}
    stories = (
        Article.objects.filter(status=Article.Status.REVIEW)
        .select_related("section", "created_by")
        .only("headline", "updated_at", "section__name", "created_by__username")
        .order_by("updated_at", "pk")
    )
    panel = _panel(
        "awaiting-review",
        gettext("Awaiting review"),
        stories,
        "review",
        gettext("Nothing is waiting for review."),
        limit,
        show_owner=True,
    )
    # Live stories whose pending changes (articles.staging) wait for an
    # editor: the readers still see the live version.
    changes = (
        Article.objects.filter(pending_change__state=PendingChange.State.REVIEW)
        .select_related("section", "created_by")
        .only("headline", "updated_at", "section__name", "created_by__username")
        .order_by("pending_change__updated_at", "pk")
    )
    pending = _panel(
        "changes-awaiting-review",
        gettext("Changes awaiting review"),
        changes,
        "pending-review",
        gettext("No changes to live stories are waiting for review."),
        limit,
        show_owner=True,
    )
    return {"panels": [panel, pending]}


@register.inclusion_tag("admin/desk/calendar.html", takes_context=True)
def schedule_calendar(context, days=CALENDAR_DAYS):
    """Scheduled stories from now to the end of a week ahead, day by day."""
    user = context["request"].user
    if not workflow.can_publish(user):
        return {"show": False}
    now = timezone.now()
    start, _ = filters.today_bounds(now)
    end = start + timedelta(days=days)
    stories = list(
        Article.objects.scheduled(now)
        .filter(published_at__lt=end)
        .select_related("section")
        .only("headline", "published_at", "section__name")
        .order_by("published_at", "pk")
    )
    by_day = {}
    for story in stories:
        by_day.setdefault(timezone.localdate(story.published_at), []).append(story)
    calendar = [
        {"day": day, "stories": by_day.get(day, [])}
        for day in (timezone.localdate(now) + timedelta(days=n) for n in range(days))
    ]
    url = reverse("admin:articles_article_changelist")
    return {
        "show": True,
        "count": len(stories),
        "calendar": calendar,
        "list_url": f"{url}?state=scheduled",
    }
