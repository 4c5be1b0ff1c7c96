"""The content version: one integer in the shared cache that every change
readers can see moves, retiring every cached page at once; and the next
scheduled publication, so a story appears on time without a job
(``docs/pagecache.md``).
"""

import time

from django.core.cache import caches
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from articles.models import Article
from newsroom import sharedcache
from pagecache import conf

VERSION_KEY = "pagecache:version"
NEXT_KEY = "pagecache:next"


def page_cache():
    """The cache the pages and the version live in (``PAGE_CACHE_ALIAS``)."""
    return caches[conf.settings.PAGE_CACHE_ALIAS]


def enabled() -> bool:
    return bool(conf.settings.PAGE_CACHE)


def ttl() -> int:
    return conf.settings.PAGE_CACHE_TTL


def bump() -> None:
    """Retire every cached page now, and again when the transaction commits.

    The second bump closes the window in which a reader could cache the old
    content between the save and its commit.
    """
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    cache = page_cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # No version yet (or evicted): any fresh value retires the old pages.
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not fail a save
        pass


def shared_version():
    """The content version, when every process shares the cache; else None.

    For what is kept per content version outside the page cache (the section
    menu, list counts): exact only when every process reads the same version.
    """
    if not sharedcache.is_shared(conf.settings.PAGE_CACHE_ALIAS):
        return None
    store = page_cache()
    return _version_or_new(store, store.get(VERSION_KEY))


def _version_or_new(cache, version):
    """``version`` as read from the cache or, when there was none (a first
    request, an eviction, a flush), a fresh one: any new value retires the
    old pages. None when the cache cannot be reached."""
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def next_scheduled_publication(now) -> float:
    """Timestamp of the next story due to go live, 0 when none is scheduled."""
    due = Article.objects.scheduled(now).aggregate(due=Min("published_at"))["due"]
    return due.timestamp() if due else 0.0


def settle_version(cache, version, scheduled) -> int | None:
    """The content version, after retiring it if a scheduled story went live.

    ``version`` and ``scheduled`` are what the cache held a moment ago. None
    when the cache cannot be reached: the caller renders without it.
    """
    version = _version_or_new(cache, version)
    if version is None:
        return None
    now = timezone.now()
    if scheduled is None or scheduled[0] != version:
        due = next_scheduled_publication(now)
        cache.set(NEXT_KEY, (version, due), timeout=None)
    else:
        due = scheduled[1]
    if due and now.timestamp() >= due:
        # The story's time has come: one request retires the pages (the add
        # makes it one), and everyone reads the new version.
        if cache.add(f"{NEXT_KEY}:fired:{version}:{due}", 1, timeout=300):
            _bump()
        version = cache.get(VERSION_KEY)
        if version is None:
            return None
        cache.set(NEXT_KEY, (version, next_scheduled_publication(now)), timeout=None)
    return version
