"""The stories' background tasks (``newsroom.background``): run by the
immediate backend at once, or queued for ``manage.py db_worker``."""

import datetime

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from articles import images, uploads
from articles.models import Article, PreviewLink
from newsroom import background

# Expired or revoked share links stay listed this long, then go.
PREVIEW_LINKS_KEPT = datetime.timedelta(days=30)


@task
def make_story_renditions(story_id: int, image_name: str, attempt: int = 1) -> int:
    """Make the renditions of a story's lead image; how many files were made.

    ``image_name`` is the picture the save stored: a story whose picture has
    changed since (or that is gone) has nothing to do here, its later save
    enqueued its own. Idempotent (``images.make_renditions`` skips what
    exists); a storage failure is tried again later.
    """
    story = (
        Article.objects.filter(pk=story_id, lead_image=image_name)
        .only("lead_image", "lead_image_width", "lead_image_height")
        .first()
    )
    if story is None or not story.lead_image:
        return 0
    try:
        return len(images.make_renditions(story.lead_image))
    except OSError:
        background.retry_later(
            make_story_renditions, story_id, image_name, attempt=attempt
        )
        raise


def renditions_after_commit(story: Article) -> None:
    """``articles.services``: the renditions of the picture this save stored."""
    background.enqueue_on_commit(make_story_renditions, story.pk, story.lead_image.name)


@task
def prune_preview_links() -> int:
    """Delete share links that expired or were revoked ``PREVIEW_LINKS_KEPT``
    ago; how many went."""
    cutoff = timezone.now() - PREVIEW_LINKS_KEPT
    deleted, _ = PreviewLink.objects.filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    ).delete()
    return deleted


@task
def prune_kept_uploads() -> int:
    """Delete the uploads kept across failed validations once they are stale
    (``articles.uploads.KEEP_FOR``); how many went."""
    total = 0
    while pruned := uploads.prune():
        total += pruned
    return total
