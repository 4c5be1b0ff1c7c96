"""Retire cached pages when something readers see changes.

Connected in ``PageCacheConfig.ready()`` to the signals ``articles`` and
``comments`` send (neither knows this app), and to the model signals that
show a story's state before a change. Which pages a change retires is
``pagecache.dependencies``.
"""

from pagecache import dependencies, purgers, tasks

content_changed = dependencies.content_changed
comments_changed = dependencies.comments_changed
story_pre_save = dependencies.story_pre_save
story_pre_delete = dependencies.story_pre_delete
byline_pre_save = dependencies.byline_pre_save


def pages_retired(sender, names=(), **kwargs):
    """``pages_retired`` (after the commit): the outbox for the CDN or proxy,
    then its drain outside the request (``pagecache.tasks``)."""
    if purgers.pages_retired(sender, names=names):
        tasks.send_purges_soon()
