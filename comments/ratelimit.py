"""The comment form's rate limits: fixed windows that hold across worker
processes and machines (``newsroom.ratelimit``).

With a shared cache (Redis) a window is one ``add`` + ``incr``; with the
default in-process LocMem cache, or when Redis stops answering, a row of
``RateLimitCounter``. Either way a Redis outage is never a 500.
"""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext

from comments import conf
from comments.models import RateLimitCounter
from newsroom import ratelimit, sharedcache


@dataclass(frozen=True)
class Hit:
    allowed: bool
    count: int
    retry_after: int


def hit(key: str, *, limit: int, window: int, now: float | None = None) -> Hit:
    """Count one event for ``key``; allowed while the window's count <= limit."""
    now = time.time() if now is None else now
    backend = conf.settings.COMMENTS_RATE_LIMIT_BACKEND
    shared = backend == "cache" or (backend == "auto" and sharedcache.is_shared())
    count, window_end = ratelimit.count(
        f"comments:rl:{key}",
        window=window,
        now=now,
        table=RateLimitCounter,
        cache=cache if shared else None,
    )
    return Hit(count <= limit, count, max(1, int(window_end - now) + 1))


def wait_in_words(seconds: int) -> str:
    """``Retry-After`` as a reader reads it: "in 7 minutes", "in a minute"."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes == 1:
        return gettext("in a minute")
    return gettext("in %(minutes)d minutes") % {"minutes": minutes}
