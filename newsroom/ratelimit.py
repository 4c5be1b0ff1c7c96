"""Fixed-window counting that holds across processes and machines: the one
mechanism behind the apps' rate limits (comments, newsletter sign-ups, the
API), each with its own keys, limits and table.

A window is one ``add`` + ``incr`` in a shared cache (Redis INCR with an
expiry, or the SQLite file cache every process of one machine shares). With
no shared cache (LocMem is per process), or while it fails, the window is a
row of the app's counter table (``key``, ``count``, ``expires_at``) moved
with ``F()`` inside a transaction. A cache outage never becomes a 500.
"""

import logging
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F

logger = logging.getLogger(__name__)


def count(key: str, *, window: int, now: float, table, cache=None):
    """Count one event for ``key`` in the window ``now`` falls in: ``(the
    window's count so far, this one included; the time the window ends)``.

    ``cache``: a shared cache, or None for the database only; ``table``: the
    app's counter model.
    """
    index = int(now // window)
    window_key = f"{key}:{index}"
    window_end = (index + 1) * window
    value = None
    if cache is not None:
        value = _cache_incr(cache, window_key, window)
    if value is None:
        value = _db_incr(table, window_key, window_end, now)
    return value, window_end


def _cache_incr(cache, key: str, window: int) -> int | None:
    for _ in range(2):
        try:
            cache.add(key, 0, timeout=window + 1)
            value = cache.incr(key)
        except ValueError:  # expired between add and incr: once more
            continue
        except Exception:  # noqa: BLE001 - a cache that raises instead of missing
            logger.warning(
                "Rate limit cache failed; counting in the database", exc_info=True
            )
            return None
        return value if isinstance(value, int) else None
    return None


def _db_incr(table, key: str, window_end: float, now: float) -> int:
    expires_at = datetime.fromtimestamp(window_end, tz=UTC)
    with transaction.atomic():
        table.objects.bulk_create(
            [table(key=key, count=0, expires_at=expires_at)], ignore_conflicts=True
        )
        # The UPDATE holds the row lock until commit, so the count read back
        # in this transaction is exactly this event's place in the window.
        counter = table.objects.filter(key=key)
        counter.update(count=F("count") + 1)
        value = counter.values_list("count", flat=True).get()
    table.objects.filter(expires_at__lt=datetime.fromtimestamp(now, tz=UTC)).delete()
    return value
