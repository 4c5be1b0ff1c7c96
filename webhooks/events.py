"""What webhooks announce, and the JSON each event carries
(``docs/webhooks.md``).

Every body is ``{"type": ..., "timestamp": ..., "data": {...}}`` (the Standard
Webhooks shape); ``data`` holds what readers can see, with absolute links
from ``SITE_URL``, never a draft's text or a commenter's e-mail address.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Byline


class Event(models.TextChoices):
    STORY_PUBLISHED = "story.published", _("Story published")
    STORY_UPDATED = "story.updated", _("Story updated")
    STORY_UNPUBLISHED = "story.unpublished", _("Story unpublished")
    CORRECTION_ADDED = "correction.added", _("Correction added")
    LIVE_UPDATE_ADDED = "live_update.added", _("Live update added")
    COMMENT_APPROVED = "comment.approved", _("Comment approved")
    TEST = "webhook.test", _("Test message")


# What a subscription may choose (the test message is sent on request only).
SUBSCRIBABLE = [choice for choice in Event.choices if choice[0] != Event.TEST]
# Ticked on a new subscription: the story's own events.
DEFAULT_EVENTS = [
    Event.STORY_PUBLISHED,
    Event.STORY_UPDATED,
    Event.STORY_UNPUBLISHED,
    Event.CORRECTION_ADDED,
    Event.LIVE_UPDATE_ADDED,
]


def absolute(path: str) -> str:
    if "://" in path or path.startswith("//"):
        return path
    return settings.SITE_URL.rstrip("/") + path


def _time(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def envelope(event: str, data: dict, *, now=None) -> dict:
    return {"type": str(event), "timestamp": _time(now or timezone.now()), "data": data}


def load_story(story_id: int) -> Article | None:
    """The story with what its payload shows, in three queries."""
    return stories_with_relations([story_id]).first()


def stories_with_relations(story_ids):
    """Stories with what their payloads (and WebSub topics) show: three
    queries however many."""
    return (
        Article.objects.filter(pk__in=story_ids)
        .order_by("pk")
        .select_related("section")
        .prefetch_related(
            models.Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").order_by(
                    "order", "pk"
                ),
            ),
            "tags",
        )
    )


def story_data(story: Article) -> dict:
    """A story as readers see it (``load_story()`` fetched its relations)."""
    picture = story.social_picture
    return {
        "id": story.pk,
        "url": absolute(story.get_absolute_url()),
        "headline": story.headline,
        "dek": story.dek,
        "language": story.language,
        "section": {
            "name": story.section.name,
            "slug": story.section.slug,
            "url": absolute(story.section.get_absolute_url()),
        },
        "bylines": [
            {
                "name": byline.author.name,
                "role": byline.role,
                "url": absolute(byline.author.get_absolute_url()),
            }
            for byline in story.bylines.all()
        ],
        "tags": sorted((tag.name for tag in story.tags.all()), key=str.casefold),
        "image": absolute(picture.url) if picture else None,
        "published_at": _time(story.published_at),
        "updated_at": _time(story.updated_at),
    }


def unpublished_data(story: Article) -> dict:
    """A story taken down: which one, and where it was; nothing of its text."""
    return {
        "id": story.pk,
        "url": absolute(story.get_absolute_url()),
        "headline": story.headline,
    }


def correction_data(correction) -> dict:
    return {
        "id": correction.pk,
        "kind": correction.kind,
        "text": correction.text,
        "time": _time(correction.published_at),
        "url": absolute(correction.get_absolute_url()),
    }


def live_update_data(update) -> dict:
    return {
        "id": update.pk,
        "headline": update.headline,
        "text": update.text,
        "author": update.author.name if update.author_id else None,
        "time": _time(update.published_at),
        "url": absolute(update.get_absolute_url()),
    }


def comment_data(comment) -> dict:
    # The display name and text are on the public page; the e-mail, address
    # hash and user agent are not, and are never sent.
    return {
        "id": comment.pk,
        "name": comment.name,
        "body": comment.body,
        "parent_id": comment.parent_id,
        "created_at": _time(comment.created_at),
        "url": absolute(comment.get_absolute_url()),
    }


def test_data() -> dict:
    return {"message": "This is a test message from the newsroom's webhooks."}
