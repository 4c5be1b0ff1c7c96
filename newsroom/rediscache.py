"""django-redis's cache behind a circuit breaker (``newsroom.circuitbreaker``).

django-redis with ``IGNORE_EXCEPTIONS`` turns a Redis error into a miss, but
each call still waits out its socket timeout first: with a frozen Redis (one
that accepts connections and answers nothing) every page pays that wait once
per cache call. Here a few failures open the breaker, and while it is open
every operation returns at once what django-redis returns when it ignores an
error (``None``; the default for ``get``; ``{}`` for ``get_many``).

Every operation django-redis guards with ``omit_exception`` is guarded here, so
the page cache, the comment rate limits and the "seen" marks all go through it.
One breaker per Redis location and process: aliases on one server share it.
"""

import functools

from django_redis.cache import CONNECTION_INTERRUPTED, RedisCache
from django_redis.exceptions import ConnectionInterrupted

from newsroom.circuitbreaker import breaker

# What django-redis returns when it ignores an error, where that is not None.
_IGNORED_RESULT = {"_get": lambda: CONNECTION_INTERRUPTED, "get_many": dict}
# Calls that do not wait on Redis: never skipped, never counted.
_LOCAL = {"close", "get_client", "make_key", "make_pattern", "encode", "decode"}


class CacheUnavailable(ConnectionError):
    """The breaker is open: Redis was not asked."""


class _BreakerClient:
    """The django-redis client, reporting each call's outcome to the breaker."""

    def __init__(self, client, breaker):
        self._client = client
        self._breaker = breaker

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if name in _LOCAL or not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args, **kwargs):
            try:
                result = attr(*args, **kwargs)
            except ConnectionInterrupted:
                self._breaker.record_failure()
                raise
            except Exception:
                # Redis answered (a missing key for incr, a wrong type): up.
                self._breaker.record_success()
                raise
            self._breaker.record_success()
            return result

        return call


class BreakerRedisCache(RedisCache):
    """``django_redis.cache.RedisCache`` that skips Redis while it is failing.

    ``OPTIONS`` may set ``BREAKER_FAILURES``, ``BREAKER_WINDOW`` and
    ``BREAKER_RESET_AFTER``; otherwise the ``CACHE_BREAKER_*`` settings apply.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        options = params.get("OPTIONS", {})
        self.breaker = breaker(
            f"cache {server}",
            failures=options.get("BREAKER_FAILURES"),
            window=options.get("BREAKER_WINDOW"),
            reset_after=options.get("BREAKER_RESET_AFTER"),
        )

    @property
    def client(self):
        return _BreakerClient(super().client, self.breaker)


def _guarded(name, method):
    ignored = _IGNORED_RESULT.get(name, lambda: None)

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if not self.breaker.allow():
            if not self._ignore_exceptions:
                raise CacheUnavailable(f"Redis skipped: circuit {self.breaker.name}")
            return ignored()
        return method(self, *args, **kwargs)

    return guarded


# The operations django-redis wraps in omit_exception (functools.wraps marks
# them with __wrapped__), the ones that talk to Redis: all of them, new ones too.
for _name, _method in vars(RedisCache).items():
    if callable(_method) and hasattr(_method, "__wrapped__") and _name not in _LOCAL:
        setattr(BreakerRedisCache, _name, _guarded(_name, _method))
