"""Retire cached pages when something readers see changes.

Connected in ``PageCacheConfig.ready()`` to the signals ``articles`` and
``comments`` send; neither knows this app.
"""

from pagecache import versions


def content_changed(sender, **kwargs):
    """A story, byline, section, author, tag or a visible comment changed."""
    versions.bump()
