"""View-count settings (``VIEWCOUNTS_*``) and their defaults.

The ``VIEW_*`` names of release 0.2.0 and before are still read, for one
release (``manage.py check`` warns).
"""

from django.conf import settings as django_settings

from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # Count views at all.
        "VIEWCOUNTS_ENABLED": True,
        # One view per reader per story per this many seconds.
        "VIEWCOUNTS_DEDUP_SECONDS": 1800,
        # "auto": the cache when it is shared (Redis), else the database.
        "VIEWCOUNTS_DEDUP_STORE": "auto",
        # The cache alias that keeps a copy of the marks in front of the
        # database (which always has them).
        "VIEWCOUNTS_DEDUP_CACHE": "default",
        # At most this many new readers per network (IPv4 /24, IPv6 /64) per
        # story per dedup window; 0: no limit.
        "VIEWCOUNTS_PER_ADDRESS_LIMIT": 30,
        # The Redis where earlier releases buffered views: the flush drains
        # what is left there (a rolling upgrade). Views are buffered in the
        # database now (PendingView). The project's Redis by default.
        "VIEWCOUNTS_REDIS_URL": lambda: getattr(django_settings, "REDIS_URL", ""),
        "VIEWCOUNTS_REDIS_PREFIX": "newsroom:views",
        # Seconds between automatic flushes of the buffer; 0: at every view.
        "VIEWCOUNTS_FLUSH_INTERVAL": 60,
        "VIEWCOUNTS_MOST_VIEWED_CACHE_SECONDS": 60,
    },
    renamed={
        "VIEWCOUNTS_ENABLED": "VIEW_TRACKING",
        "VIEWCOUNTS_DEDUP_SECONDS": "VIEW_DEDUP_SECONDS",
        "VIEWCOUNTS_DEDUP_STORE": "VIEW_DEDUP_STORE",
        "VIEWCOUNTS_REDIS_URL": "VIEW_REDIS_URL",
        "VIEWCOUNTS_REDIS_PREFIX": "VIEW_REDIS_PREFIX",
        "VIEWCOUNTS_FLUSH_INTERVAL": "VIEW_FLUSH_INTERVAL",
        "VIEWCOUNTS_MOST_VIEWED_CACHE_SECONDS": "VIEW_MOST_VIEWED_CACHE_SECONDS",
    },
)
