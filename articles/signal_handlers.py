"""Cache purges only: a change readers can see retires the cached pages.

Connected in ``ArticlesConfig.ready()``. Bulk ``update()`` of stories sends no
signal; ``ArticleQuerySet.update()`` calls ``articles.cache.bump()`` itself.
"""

from articles import cache


def content_changed(sender, **kwargs):
    """A story, byline, section, author or tag was saved or deleted."""
    cache.bump()


def tags_changed(sender, action, **kwargs):
    """Tags added to, removed from or cleared off a story (taggit's m2m)."""
    if action in {"post_add", "post_remove", "post_clear"}:
        cache.bump()
