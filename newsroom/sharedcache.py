"""Is a cache shared by every worker process (and machine)?

Counters, rate limits and "seen" marks are only correct across gunicorn
workers when they live in a cache every process reads alike: Redis (every
machine), or the SQLite file cache of the embedded default
(``newsroom.sqlitecache``: every process of one machine, which is all the
embedded default runs on). The in-process LocMem cache and the dummy cache are
not shared; callers keep such state in the database instead.
"""

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache


def is_shared(alias: str = "default") -> bool:
    """False for caches that live inside one process (or do nothing)."""
    return not isinstance(caches[alias], LocMemCache | DummyCache)
