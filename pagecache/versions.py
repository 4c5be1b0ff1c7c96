"""Versions in the shared cache that retire cached pages.

The content version: one integer that site-wide changes move (the section
menu, anything ``pagecache.dependencies`` cannot name), retiring every cached
page at once. Dependency versions: one value per name a page shows
(``articles.shown``: ``story:12``, ``list:home``...), moved when that thing
changes, retiring only the pages that show it. And the next scheduled
publication, so a story appears on time without a job (``docs/pagecache.md``).
"""

import secrets
import time
from datetime import UTC, datetime

from django.core.cache import caches
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from articles.models import Article
from newsroom import sharedcache
from pagecache import conf
from pagecache.signals import pages_retired

VERSION_KEY = "pagecache:version"
NEXT_KEY = "pagecache:next"
# One version per dependency name, under this prefix.
DEP_PREFIX = "pagecache:dep:"
# Moved before any dependency version is: a render that finds it unchanged
# knows no dependency moved meanwhile (``read_deps``).
SEQ_KEY = "pagecache:seq"
# Sent in ``pages_retired`` when the content version moved: every page.
EVERYTHING = "all"
# What a page that recorded nothing depends on: every change moves it.
ANY = "any"


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
    transaction.on_commit(_bump_and_announce)


def _bump_and_announce() -> None:
    _bump()
    pages_retired.send(sender=bump, names=[EVERYTHING])


def dep_key(name: str) -> str:
    return DEP_PREFIX + name


def _fresh() -> int:
    """A new version for a name: any value it never had will do."""
    return secrets.randbits(62)


def bump_names(names) -> None:
    """Retire the pages that show any of ``names``, now and on commit (the
    same reasoning as ``bump()``); ``pages_retired`` follows the commit."""
    names = set(names) | {ANY}
    _bump_names(names)

    def committed():
        _bump_names(names)
        pages_retired.send(sender=bump_names, names=sorted(names))

    transaction.on_commit(committed)


def _bump_names(names) -> None:
    cache = page_cache()
    try:
        # The sequence first, then the names (see ``read_deps``).
        cache.set(SEQ_KEY, _fresh(), timeout=None)
        cache.set_many({dep_key(name): _fresh() for name in names}, timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not fail a save
        pass


def read_deps(cache, names) -> tuple[dict, object] | None:
    """The versions of ``names`` and the sequence, read in that order; a
    missing version gets a fresh value first (like ``_version_or_new``).
    None when the cache cannot be reached.

    Dependencies are read before the sequence, and a change moves the
    sequence before the dependencies: so when the sequence read after a
    render is the one read before it, no dependency version read in between
    is newer than the content the render saw.
    """
    keys = [dep_key(name) for name in names]
    found = cache.get_many([*keys, SEQ_KEY])
    missing = [key for key in (*keys, SEQ_KEY) if key not in found]
    if missing:
        for key in missing:
            cache.add(key, _fresh(), timeout=None)
        found = cache.get_many([*keys, SEQ_KEY])
        if any(key not in found for key in (*keys, SEQ_KEY)):
            return None
    return {name: found[key] for name, key in zip(names, keys, strict=True)}, found[
        SEQ_KEY
    ]


def shared_versions(names) -> tuple | None:
    """The content version and the versions of ``names``, when every process
    shares the cache; else None (for ``articles.memo``)."""
    version = shared_version()
    if version is None:
        return None
    names = sorted(names)
    read = read_deps(page_cache(), names)
    if read is None:
        return None
    return (version, *(read[0][name] for name in names))


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


def forget_next_publication() -> None:
    """A story was scheduled, or its time moved: read the next time again
    (now, and after the commit, when the database shows the change)."""
    _forget_next()
    transaction.on_commit(_forget_next)


def _forget_next() -> None:
    try:
        page_cache().delete(NEXT_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not fail a save
        pass


def settle_version(cache, version, scheduled, on_due=None) -> int | None:
    """The content version, after retiring what a scheduled story's
    publication changes, if its time has come.

    ``version`` and ``scheduled`` are what the cache held a moment ago. None
    when the cache cannot be reached: the caller renders without it.
    ``on_due(due, now)`` retires the pages the stories published from ``due``
    (a datetime) to ``now`` change (``pagecache.dependencies``); without it
    every page is retired.
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
        # makes it one) and then reads the next time; the others render.
        if cache.add(f"{NEXT_KEY}:fired:{version}:{due}", 1, timeout=300):
            if on_due is None:
                _bump()
            else:
                on_due(datetime.fromtimestamp(due, tz=UTC), now)
            version = cache.get(VERSION_KEY)
            if version is None:
                return None
            cache.set(
                NEXT_KEY, (version, next_scheduled_publication(now)), timeout=None
            )
        else:
            version = cache.get(VERSION_KEY)
    return version
