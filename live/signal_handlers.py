"""An update or the coverage saved or deleted: retire that story's pages.

The story page, its polling endpoint (``live:updates``, which records
``story:<id>``), its JSON-LD, its updates feed and its feed items show the
updates: ``articles.signals.content_changed`` for the story, with the live
model as sender, retires exactly ``story:<id>`` and the lists the story is on
(their "updated" times), not other stories' pages (``pagecache.dependencies``,
the branch for what a feature app attaches to a story). A picture's
renditions are made after the commit; its files go when no update uses them.
"""

from django.db import transaction

from articles import images
from articles import signals as story_signals
from articles.models import Article
from live import signals
from live.models import LiveCoverage, LiveUpdate


def _story_changed(story_id: int, sender) -> None:
    story = Article.objects.filter(pk=story_id).first()
    if story is not None:
        story_signals.content_changed.send(
            sender=sender, instance=story, stories=[story.pk]
        )


def _make_renditions(update_id: int) -> None:
    update = LiveUpdate.objects.filter(pk=update_id).first()
    if update is not None and update.picture:
        images.make_renditions(update.picture)


def update_saved(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata
        return
    _story_changed(instance.coverage.story_id, LiveUpdate)
    if instance.picture:
        transaction.on_commit(lambda: _make_renditions(instance.pk))
    by = instance.__dict__.pop("_saved_by", None)
    if created:
        signals.update_posted.send(sender=LiveUpdate, update=instance, by=by)
    else:
        signals.update_changed.send(sender=LiveUpdate, update=instance, by=by)


def update_deleted(sender, instance, origin=None, **kwargs):
    picture = instance.picture
    images.forget_unused(picture.field, picture.name, instance.picture_width)
    if isinstance(origin, Article | LiveCoverage):
        # The story or its coverage is going: that deletion retires the pages.
        return
    _story_changed(instance.coverage.story_id, LiveUpdate)
    signals.update_changed.send(
        sender=LiveUpdate, update=instance, by=None, deleted=True
    )


def coverage_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    _story_changed(instance.story_id, LiveCoverage)
    by = instance.__dict__.pop("_saved_by", None)
    signals.coverage_changed.send(
        sender=LiveCoverage, coverage=instance, by=by, created=created
    )


def coverage_deleted(sender, instance, origin=None, **kwargs):
    if isinstance(origin, Article):
        return
    _story_changed(instance.story_id, LiveCoverage)
