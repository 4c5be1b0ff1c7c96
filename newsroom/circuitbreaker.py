"""A small circuit breaker: stop calling a service that keeps failing, and probe
it again later.

A frozen Redis accepts connections and then answers nothing, so every call
waits out its socket timeout; a few hundred milliseconds per cache call adds up
to seconds per page. After ``failures`` failures (errors or timeouts) within
``window`` seconds the breaker *opens*: callers skip the service at once. After
``reset_after`` seconds it is *half-open*: one caller at a time probes the
service; a success closes the breaker, a failure opens it again.

One breaker per process and per service (``breaker("cache")``), thread-safe,
on the monotonic clock. Used by the Redis cache (``newsroom.rediscache``);
anything else that talks to a service may use it the same way::

    from newsroom.circuitbreaker import breaker

    redis_breaker = breaker("viewcounts-redis")

    if not redis_breaker.allow():
        return fallback()
    try:
        result = client.incr(key)
    except redis.RedisError:
        redis_breaker.record_failure()
        return fallback()
    redis_breaker.record_success()

Thresholds come from the settings ``CACHE_BREAKER_FAILURES``,
``CACHE_BREAKER_WINDOW`` and ``CACHE_BREAKER_RESET_AFTER`` (defaults in
``DEFAULTS``, below); a caller may pass its own.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from newsroom.appsettings import AppSettings

logger = logging.getLogger(__name__)

DEFAULTS = {
    # Failures within the window that open the breaker.
    "CACHE_BREAKER_FAILURES": 3,
    # Seconds the failures are counted over.
    "CACHE_BREAKER_WINDOW": 10.0,
    # Seconds the breaker stays open before one caller probes the service.
    "CACHE_BREAKER_RESET_AFTER": 5.0,
}
settings = AppSettings(DEFAULTS)

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        failures: int | None = None,
        window: float | None = None,
        reset_after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name
        self.failures = failures or settings.CACHE_BREAKER_FAILURES
        self.window = window or settings.CACHE_BREAKER_WINDOW
        self.reset_after = reset_after or settings.CACHE_BREAKER_RESET_AFTER
        self.clock = clock
        self._lock = threading.Lock()
        self._failed_at: deque[float] = deque()
        self._state = CLOSED
        self._opened_at = 0.0
        self._probe_started_at: float | None = None

    @property
    def state(self) -> str:
        with self._lock:
            if self._state == OPEN and self._due_for_probe():
                return HALF_OPEN
            return self._state

    def allow(self) -> bool:
        """May the caller use the service now? Always report the outcome after a
        True: ``record_success()`` or ``record_failure()``."""
        with self._lock:
            if self._state == CLOSED:
                return True
            now = self.clock()
            if self._state == OPEN:
                if not self._due_for_probe(now):
                    return False
                self._state = HALF_OPEN
                self._probe_started_at = now
                return True
            # Half-open: one probe at a time. A probe that never reported back
            # (its caller died) is given up after reset_after.
            if now - self._probe_started_at >= self.reset_after:
                self._probe_started_at = now
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            if self._state != CLOSED:
                logger.warning("Circuit %s closed: the service answers", self.name)
            self._state = CLOSED
            self._failed_at.clear()
            self._probe_started_at = None

    def record_failure(self) -> None:
        with self._lock:
            now = self.clock()
            if self._state == HALF_OPEN:
                self._open(now, "the probe failed")
                return
            if self._state == OPEN:
                return
            self._failed_at.append(now)
            while self._failed_at and now - self._failed_at[0] > self.window:
                self._failed_at.popleft()
            if len(self._failed_at) >= self.failures:
                self._open(now, f"{len(self._failed_at)} failures in {self.window:g} s")

    def reset(self) -> None:
        """Closed, no failures remembered (tests, and a deliberate reconnect)."""
        with self._lock:
            self._state = CLOSED
            self._failed_at.clear()
            self._probe_started_at = None

    def _open(self, now: float, reason: str) -> None:
        self._state = OPEN
        self._opened_at = now
        self._probe_started_at = None
        self._failed_at.clear()
        logger.warning(
            "Circuit %s opened (%s): skipping it for %g s",
            self.name,
            reason,
            self.reset_after,
        )

    def _due_for_probe(self, now: float | None = None) -> bool:
        now = self.clock() if now is None else now
        return now - self._opened_at >= self.reset_after


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker(name: str, **options) -> CircuitBreaker:
    """The process's one breaker for ``name``, created on first use (``options``
    as for ``CircuitBreaker``, read only then)."""
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = CircuitBreaker(name, **options)
        return _breakers[name]
