"""System checks for the deployment's configuration."""

from django.conf import settings
from django.core import checks

from newsroom.sharedcache import is_shared


def page_cache_needs_a_shared_cache(app_configs, **kwargs):
    """The page cache's content version lives in the cache: with a cache per
    process (LocMem), a change saved in one worker does not retire the pages
    cached by the others."""
    if not getattr(settings, "PAGE_CACHE", False) or settings.DEBUG:
        return []
    alias = getattr(settings, "PAGE_CACHE_ALIAS", "default")
    if is_shared(alias):
        return []
    return [
        checks.Warning(
            "PAGE_CACHE is on with a cache that is not shared between processes: "
            "content changes retire cached pages at once only with a single "
            "worker process; the other workers may serve old pages for up to "
            "PAGE_CACHE_TTL seconds.",
            hint="Set REDIS_URL, run one worker process, or set PAGE_CACHE=0.",
            id="newsroom.W001",
        )
    ]
