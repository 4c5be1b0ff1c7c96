"""Who may do what with a story: the editorial workflow's one policy module.

Reporters write their own stories and submit them for review; editors (the
``articles.publish_article`` permission) publish, schedule and unpublish. The
admin asks these functions on every view, inline and action, so hiding a
button is never the only guard.
"""

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext

from articles.models import Article, live_lookups

PUBLISH_PERMISSION = "articles.publish_article"

# Fields that decide whether and when a story is public: editors only.
PUBLISHING_FIELDS = ("status", "published_at", "is_top_story")

# The change form's workflow buttons (their ``name`` in the POST).
SUBMIT_FOR_REVIEW = "_submit_review"
PUBLISH_NOW = "_publish_now"
SCHEDULE = "_schedule"
UNPUBLISH = "_unpublish"
EDITOR_BUTTONS = (PUBLISH_NOW, SCHEDULE, UNPUBLISH)
ALL_BUTTONS = (SUBMIT_FOR_REVIEW, *EDITOR_BUTTONS)


class WorkflowError(Exception):
    """A workflow step that cannot be taken with the story as it is."""


def can_publish(user) -> bool:
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def visible_stories(user, queryset):
    """Editors see every story; everyone else only the stories they own."""
    if can_publish(user):
        return queryset
    return queryset.filter(created_by_id=user.pk)


def known_stories(user, queryset, *, now=None):
    """What ``user`` may know exists: the stories they see in the admin, plus
    every live one (readers see those anyway).

    For the admin's side doors that name a story without being the story
    admin (comment moderation, their filters and widgets): a draft, a story
    in review or a scheduled one stays unknown to whoever may not see it.
    """
    if can_publish(user):
        return queryset
    live = Q(**live_lookups(now or timezone.now()))
    if user.pk is None:
        return queryset.filter(live)
    return queryset.filter(Q(created_by_id=user.pk) | live)


def can_edit(user, article: Article) -> bool:
    """Object-level change right, on top of the ``change_article`` permission.

    A reporter edits only their own stories, and never one that is published
    (live or scheduled): from then on it is the editors'.
    """
    if can_publish(user):
        return True
    return (
        article.created_by_id is not None
        and article.created_by_id == user.pk
        and article.status != Article.Status.PUBLISHED
    )


def can_stage(user, article: Article) -> bool:
    """May ``user`` save pending changes to ``article`` (``articles.staging``)?

    Editors, on any published story; a reporter, on their own published one:
    the live row and its publishing fields stay the editors' (``can_edit()``),
    the reporter's changes wait for an editor to publish them.
    """
    if article.status != Article.Status.PUBLISHED:
        return False
    if can_publish(user):
        return True
    return article.created_by_id is not None and article.created_by_id == user.pk


def requested_step(post) -> str | None:
    """Which workflow button was pressed, if any."""
    for name in ALL_BUTTONS:
        if name in post:
            return name
    return None


def may_take_step(user, step: str | None) -> bool:
    if step is None:
        return True
    if step == SUBMIT_FOR_REVIEW:
        return True
    return can_publish(user)


def apply_step(article: Article, step: str | None, *, now=None) -> None:
    """Set status and time for a pressed button (permission already checked)."""
    now = now or timezone.now()
    if step is None:
        return
    if step == SUBMIT_FOR_REVIEW:
        if article.status not in (Article.Status.DRAFT, Article.Status.REVIEW):
            raise WorkflowError(gettext("Only a draft can be submitted for review."))
        article.status = Article.Status.REVIEW
    elif step == PUBLISH_NOW:
        # A story that went out before keeps its original time; a future
        # time (a schedule) is brought forward to now.
        if article.published_at is None or article.published_at > now:
            article.published_at = now
        article.status = Article.Status.PUBLISHED
    elif step == SCHEDULE:
        if article.published_at is None or article.published_at <= now:
            raise WorkflowError(
                gettext("To schedule, set a publication time in the future.")
            )
        article.status = Article.Status.PUBLISHED
    elif step == UNPUBLISH:
        article.status = Article.Status.DRAFT


def status_label(article: Article) -> str:
    """The list's status column: "Scheduled for <time>" for future stories."""
    if article.is_scheduled:
        local = timezone.localtime(article.published_at)
        return gettext("Scheduled for %(when)s") % {
            "when": formats.date_format(local, "DATETIME_FORMAT")
        }
    return article.get_status_display()
