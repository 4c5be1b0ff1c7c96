"""Signals the page cache sends."""

from django.dispatch import Signal

# A reader page was rendered to be stored (a miss): sent with ``key``, the
# page's entry key, and ``version``. One per page per version is the aim
# (``pagecache.locks``); tests and metrics count them.
page_rendered = Signal()

# Sent with ``names=[...]`` after the commit of a change: the dependency names
# (``story:12``, ``list:home``, ``all``...) whose cached pages were retired.
# ``pagecache.purgers`` listens, to purge the same names from a CDN or proxy.
pages_retired = Signal()
