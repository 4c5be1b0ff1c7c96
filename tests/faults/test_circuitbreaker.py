"""The circuit breaker (``newsroom.circuitbreaker``) on an injected clock, and the
Redis cache behind it (``newsroom.rediscache``) against a Redis of our own."""

import os
import signal
import threading

import pytest

from newsroom.circuitbreaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker, breaker
from newsroom.rediscache import BreakerRedisCache, CacheUnavailable
from tests.faults.servers import redis_server


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


def make(clock, **options):
    options = {"failures": 3, "window": 10, "reset_after": 5, **options}
    return CircuitBreaker("test", clock=clock, **options)


def test_a_few_failures_within_the_window_open_the_breaker(clock):
    b = make(clock)
    for _ in range(2):
        assert b.allow()
        b.record_failure()
    assert b.state == CLOSED
    b.record_failure()
    assert b.state == OPEN
    assert not b.allow()


def test_failures_spread_wider_than_the_window_do_not_open_it(clock):
    b = make(clock)
    for _ in range(5):
        b.record_failure()
        clock.now += 6
    assert b.state == CLOSED


def test_a_success_forgets_earlier_failures(clock):
    b = make(clock)
    b.record_failure()
    b.record_failure()
    b.record_success()
    b.record_failure()
    assert b.state == CLOSED


def test_after_reset_after_one_probe_at_a_time_goes_through(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 4.9
    assert not b.allow()
    clock.now += 0.1
    assert b.state == HALF_OPEN
    assert b.allow()  # the probe
    assert not b.allow()  # everyone else waits for its outcome
    assert not b.allow()


def test_a_successful_probe_closes_the_breaker(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 5
    assert b.allow()
    b.record_success()
    assert b.state == CLOSED
    assert all(b.allow() for _ in range(10))


def test_a_failed_probe_opens_it_for_another_period(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 5
    assert b.allow()
    b.record_failure()
    assert b.state == OPEN
    clock.now += 4
    assert not b.allow()
    clock.now += 1
    assert b.allow()


def test_a_probe_that_never_reports_is_given_up_after_reset_after(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 5
    assert b.allow()
    clock.now += 4
    assert not b.allow()
    clock.now += 1
    assert b.allow()


def test_only_one_of_many_threads_probes(clock):
    b = make(clock)
    for _ in range(3):
        b.record_failure()
    clock.now += 5
    allowed = []
    barrier = threading.Barrier(16)

    def probe():
        barrier.wait()
        allowed.append(b.allow())

    threads = [threading.Thread(target=probe) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 1


def test_thresholds_default_to_the_cache_breaker_settings(settings):
    settings.CACHE_BREAKER_FAILURES = 7
    settings.CACHE_BREAKER_WINDOW = 2.5
    settings.CACHE_BREAKER_RESET_AFTER = 30
    b = CircuitBreaker("from settings")
    assert (b.failures, b.window, b.reset_after) == (7, 2.5, 30)


def test_one_breaker_per_name_and_process():
    assert breaker("some service") is breaker("some service")
    assert breaker("some service") is not breaker("another service")


# The cache backend, against a real Redis that the test stops and continues.


@pytest.fixture(scope="module")
def redis():
    with redis_server() as process:
        yield process


def cache_for(redis, ignore=True, **options):
    cache = BreakerRedisCache(
        redis.url,
        {
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": ignore,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
                "BREAKER_FAILURES": 2,
                "BREAKER_RESET_AFTER": 3600,
                **options,
            }
        },
    )
    cache.breaker.reset()
    return cache


def test_the_cache_works_through_a_closed_breaker(redis):
    cache = cache_for(redis)
    cache.set("k", "v")
    assert cache.get("k") == "v"
    assert cache.get_many(["k", "missing"]) == {"k": "v"}
    assert cache.add("n", 1)
    assert cache.incr("n") == 2
    with pytest.raises(ValueError):
        cache.incr("no such key")  # Redis answered: not a failure
    assert cache.breaker.state == CLOSED
    cache.delete_many(["k", "n"])


def test_a_frozen_redis_opens_the_breaker_and_calls_return_the_ignored_result(
    redis, caplog
):
    cache = cache_for(redis)
    cache.set("k", "v")
    os.kill(redis.pid, signal.SIGSTOP)
    try:
        assert cache.get("k", "default") == "default"  # waited out the timeout
        assert cache.get("k", "default") == "default"  # and again: now open
        assert cache.breaker.state == OPEN
        caplog.clear()
        # From here on Redis is not asked: what django-redis returns when it
        # ignores an error, and no "Exception ignored" logged per call.
        assert cache.get("k", "default") == "default"
        assert cache.get("k") is None
        assert cache.get_many(["k"]) == {}
        assert cache.set("k", "w") is None
        assert cache.add("a", 1) is None
        assert cache.incr("k") is None
        assert cache.delete("k") is None
        assert cache.has_key("k") is None
        assert cache.get_or_set("x", "computed") == "computed"
        assert not [r for r in caplog.records if "Exception ignored" in r.message]
    finally:
        os.kill(redis.pid, signal.SIGCONT)
    cache.breaker.reset()
    assert cache.get("k") == "v"


def test_an_open_breaker_raises_when_errors_are_not_ignored(redis):
    cache = cache_for(redis, ignore=False, BREAKER_FAILURES=1)
    cache.breaker._open(cache.breaker.clock(), "test")
    with pytest.raises(CacheUnavailable):
        cache.get("k")
    cache.breaker.reset()
