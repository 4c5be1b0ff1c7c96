"""A small fixed-window rate limiter that holds across worker processes.

With a shared cache (Redis) a window is one ``add`` + ``incr`` (Redis INCR with
an expiry): atomic across processes and machines. The default in-process
LocMem cache is per process, so there, or when Redis stops answering, the
window is a database row moved with ``F()`` inside a transaction instead.
Either way a Redis outage is never a 500.
"""

import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from comments import conf
from comments.models import RateLimitCounter
from newsroom import sharedcache

logger = logging.getLogger(__name__)
_last_fallback_log = 0.0


@dataclass(frozen=True)
class Hit:
    allowed: bool
    count: int
    retry_after: int


def hit(key: str, *, limit: int, window: int, now: float | None = None) -> Hit:
    """Count one event for ``key``; allowed while the window's count <= limit."""
    now = time.time() if now is None else now
    index = int(now // window)
    window_key = f"comments:rl:{key}:{index}"
    window_end = (index + 1) * window
    count = None
    backend = conf.settings.COMMENTS_RATE_LIMIT_BACKEND
    if backend == "cache" or (backend == "auto" and sharedcache.is_shared()):
        count = _cache_incr(window_key, window)
        if count is None:
            _log_fallback()
    if count is None:
        count = _db_incr(window_key, window_end, now)
    return Hit(count <= limit, count, max(1, int(window_end - now) + 1))


def _cache_incr(window_key: str, window: int) -> int | None:
    for _ in range(2):
        try:
            cache.add(window_key, 0, timeout=window + 1)
            value = cache.incr(window_key)
        except ValueError:  # expired between add and incr: once more
            continue
        except Exception:  # a cache that raises instead of missing
            logger.warning("Rate limit cache failed", exc_info=True)
            return None
        return value if isinstance(value, int) else None
    return None


def _db_incr(window_key: str, window_end: float, now: float) -> int:
    expires_at = datetime.fromtimestamp(window_end, tz=UTC)
    with transaction.atomic():
        RateLimitCounter.objects.bulk_create(
            [RateLimitCounter(key=window_key, count=0, expires_at=expires_at)],
            ignore_conflicts=True,
        )
        # The UPDATE holds the row lock until commit, so the count read back
        # in this transaction is exactly this request's place in the window.
        counter = RateLimitCounter.objects.filter(key=window_key)
        counter.update(count=F("count") + 1)
        count = counter.values_list("count", flat=True).get()
    RateLimitCounter.objects.filter(
        expires_at__lt=datetime.fromtimestamp(now, tz=UTC)
    ).delete()
    return count


def _log_fallback() -> None:
    global _last_fallback_log
    if time.monotonic() - _last_fallback_log > 60:
        _last_fallback_log = time.monotonic()
        logger.warning("Rate limit cache unavailable; counting in the database")


def wait_in_words(seconds: int) -> str:
    """``Retry-After`` as a reader reads it: "in 7 minutes", "in a minute"."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes == 1:
        return "in a minute"
    return f"in {minutes} minutes"
