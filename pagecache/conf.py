"""Page cache settings (``PAGE_CACHE`` and ``PAGE_CACHE_*``) and their defaults."""

from django.conf import settings as django_settings

from newsroom import sharedcache
from newsroom.appsettings import AppSettings


def _alias() -> str:
    return getattr(django_settings, "PAGE_CACHE_ALIAS", "default")


settings = AppSettings(
    {
        # On by default only with a cache every process shares (Redis): with
        # the in-process cache each worker would keep its own content version.
        "PAGE_CACHE": lambda: sharedcache.is_shared(_alias()),
        "PAGE_CACHE_ALIAS": "default",
        # Seconds a page is kept; what is not a content change (view counts,
        # Most Viewed) may lag by this much.
        "PAGE_CACHE_TTL": 60,
        # Browser/CDN lifetime; 0 sends "max-age=0, must-revalidate".
        "PAGE_CACHE_MAX_AGE": 0,
        # Bytes of pages each process keeps a copy of (0: none); 16 MiB with a
        # shared cache.
        "PAGE_CACHE_LOCAL_BYTES": lambda: (
            16 * 2**20 if sharedcache.is_shared(_alias()) else 0
        ),
    },
)
