"""Model signals turned into ``articles.signals``, which feature apps hear.

Connected in ``ArticlesConfig.ready()``. Bulk ``update()`` of stories sends no
model signal; ``ArticleQuerySet.update()`` sends ``content_changed`` itself.
"""

from articles import signals


def content_changed(sender, instance=None, **kwargs):
    """A story, byline, section, author or tag was saved or deleted."""
    signals.content_changed.send(sender=sender, instance=instance, stories=None)


def tags_changed(sender, action, instance=None, pk_set=None, **kwargs):
    """Tags added to, removed from or cleared off a story (taggit's m2m)."""
    if action in {"post_add", "post_remove", "post_clear"}:
        signals.content_changed.send(sender=sender, instance=instance, stories=None)


def story_deleted(sender, instance, **kwargs):
    """A story was deleted (from the admin, a bulk delete, the shell)."""
    signals.story_deleted.send(sender=sender, story=instance, story_id=instance.pk)
