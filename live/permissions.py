"""Who may post, edit and delete live updates, per story.

Editors (``articles.publish_article``) post on any story and edit or delete
any update. A reporter posts on the stories they are on (their own, or one
that carries their byline) and edits their own updates there; deleting is
``live.delete_liveupdate``, which only editors hold (``live/roles.py``).
"""

from django.db.models import Q

from articles import workflow
from articles.models import Article
from live.models import LiveCoverage, LiveUpdate


def stories_on(user, queryset):
    """The stories ``user`` works on: created, or bylined as their author."""
    if workflow.can_publish(user):
        return queryset
    if user.pk is None:
        return queryset.none()
    return queryset.filter(
        Q(created_by_id=user.pk) | Q(bylines__author__user_id=user.pk)
    ).distinct()


def coverages_to_post_on(user):
    """Open coverage (not ended) of the stories ``user`` may post on."""
    stories = stories_on(user, Article.objects.all()).values("pk")
    return LiveCoverage.objects.filter(ended_at__isnull=True, story__in=stories)


def may_post(user, coverage: LiveCoverage) -> bool:
    if not (user.is_active and user.has_perm("live.add_liveupdate")):
        return False
    return stories_on(user, Article.objects.filter(pk=coverage.story_id)).exists()


def may_change(user, update: LiveUpdate) -> bool:
    if not (user.is_active and user.has_perm("live.change_liveupdate")):
        return False
    if workflow.can_publish(user):
        return True
    return update.created_by_id == user.pk and may_post(user, update.coverage)


def may_delete(user, update: LiveUpdate) -> bool:
    return user.is_active and user.has_perm("live.delete_liveupdate")
