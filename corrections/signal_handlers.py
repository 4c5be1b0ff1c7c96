"""A note saved or deleted: retire the story's pages, tell listeners.

The story's page, its JSON-LD and its feed items show the note, and its
modified time moves: ``articles.signals.content_changed`` for the story retires
exactly what a change of that story's content retires (``pagecache`` hears
it; ``articles`` and ``pagecache`` know nothing of this app). The corrections
page and feed list notes of live stories only, and record ``list:latest``,
which every change of a live story moves.
"""

from articles import signals as story_signals
from articles.models import Article
from corrections import signals
from corrections.models import Correction


def _story_changed(correction: Correction) -> None:
    story = Article.objects.filter(pk=correction.story_id).first()
    if story is not None:
        story_signals.content_changed.send(
            sender=Correction, instance=story, stories=[story.pk]
        )


def correction_saved(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata
        return
    _story_changed(instance)
    by = instance.__dict__.pop("_saved_by", None)
    signal = signals.correction_added if created else signals.correction_changed
    signal.send(sender=Correction, correction=instance, by=by)


def correction_deleted(sender, instance, origin=None, **kwargs):
    if isinstance(origin, Article):
        # The story itself is being deleted: its own deletion retires its pages.
        return
    _story_changed(instance)
    signals.correction_changed.send(
        sender=Correction, correction=instance, by=None, deleted=True
    )
