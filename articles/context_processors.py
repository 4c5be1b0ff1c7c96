import time

from django.conf import settings
from django.db import connections, router

from articles import memo
from articles.models import Section


def navigation(request):
    """The site name and the section menu in the header.

    ``nav_sections`` is lazy: nothing is fetched unless a template renders it.
    """
    return {
        "newsroom_name": settings.NEWSROOM_NAME,
        "nav_sections": SectionMenu(),
    }


class SectionMenu:
    """The sections, in menu order, read when a template first iterates them."""

    def __init__(self):
        self._sections = None

    def _load(self):
        if self._sections is None:
            self._sections = menu_sections()
        return self._sections

    def __iter__(self):
        return iter(self._load())

    def __len__(self):
        return len(self._load())


# (content version, expiry, sections): this process's copy of the menu.
_menu = (None, 0.0, ())


def menu_sections() -> tuple:
    """The header's sections, kept by each process for one content version.

    Every save or delete of a section bumps the page cache's content version
    (``pagecache``, through ``articles.signals``; ``articles.memo``), which
    lives in the shared cache: a copy made for the current version is exactly
    what the database holds, in every process. The version is read before the
    sections, so a copy is never labelled newer than its rows. Inside a
    transaction (which may see rows it has not committed, or roll back) the menu
    is always read afresh, and so it is without a shared version (an in-process
    cache, which other processes do not see, or an unreachable one). A change
    that sends no signal (``bulk_create()``, ``update()``), or one whose bump
    was lost while the cache was unreachable, shows once anything bumps the
    version and at the latest after ``PAGE_CACHE_TTL`` seconds, as on cached
    pages.
    """
    global _menu
    if connections[router.db_for_read(Section)].in_atomic_block:
        return tuple(Section.objects.only("name", "slug", "order"))
    version = memo.current_version()
    kept_version, expires, sections = _menu
    now = time.monotonic()
    if version is None or version != kept_version or now >= expires:
        sections = tuple(Section.objects.only("name", "slug", "order"))
        if version is not None:
            _menu = (version, now + memo.ttl(), sections)
    return sections
