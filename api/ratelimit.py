"""The API's rate limits per key or address: fixed windows that hold across
processes and machines (``newsroom.ratelimit``), in the default cache when it
is shared, else the page cache's SQLite file, else ``RateLimitWindow`` rows.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings as django_settings
from django.core.cache import caches

from api import conf
from api.models import RateLimitWindow
from newsroom import ratelimit, sharedcache


@dataclass(frozen=True)
class Hit:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends


def _shared_alias() -> str | None:
    """The cache the windows live in: the default when it is shared, else the
    page cache's SQLite file (the embedded default), else none."""
    for alias in ("default", "pagecache"):
        if alias in django_settings.CACHES and sharedcache.is_shared(alias):
            return alias
    return None


def hit(client: str, *, limit: int, window: int, now: float | None = None) -> Hit:
    """Count one request of ``client``; allowed while the count <= ``limit``."""
    now = time.time() if now is None else now
    backend = conf.settings.API_RATE_LIMIT_BACKEND
    alias = _shared_alias() if backend != "database" else None
    if backend == "cache" and alias is None:
        alias = "default"
    count, window_end = ratelimit.count(
        f"api:rl:{client}",
        window=window,
        now=now,
        table=RateLimitWindow,
        cache=caches[alias] if alias is not None else None,
    )
    return Hit(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        reset=max(1, math.ceil(window_end - now)),
    )
