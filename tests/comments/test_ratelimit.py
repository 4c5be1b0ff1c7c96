import os
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection

from comments import ratelimit
from comments.models import RateLimitCounter
from newsroom import sharedcache

WINDOW = 600
NOW = 1_000_000_200.0  # well inside one window


@pytest.fixture(params=["db", "cache"])
def backend(request, settings):
    settings.COMMENTS_RATE_LIMIT_BACKEND = request.param
    return request.param


@pytest.mark.django_db
def test_a_window_allows_the_limit_then_refuses(backend):
    results = [
        ratelimit.hit("poster", limit=5, window=WINDOW, now=NOW) for _ in range(7)
    ]
    assert [r.allowed for r in results] == [True] * 5 + [False] * 2
    assert [r.count for r in results] == [1, 2, 3, 4, 5, 6, 7]
    assert 0 < results[-1].retry_after <= WINDOW + 1


@pytest.mark.django_db
def test_the_next_window_starts_again(backend):
    for _ in range(5):
        ratelimit.hit("poster", limit=5, window=WINDOW, now=NOW)
    assert not ratelimit.hit("poster", limit=5, window=WINDOW, now=NOW).allowed
    assert ratelimit.hit("poster", limit=5, window=WINDOW, now=NOW + WINDOW).allowed


@pytest.mark.django_db
def test_posters_are_counted_apart(backend):
    for _ in range(5):
        ratelimit.hit("a", limit=5, window=WINDOW, now=NOW)
    assert ratelimit.hit("b", limit=5, window=WINDOW, now=NOW).allowed


@pytest.mark.django_db
def test_the_database_counter_drops_expired_windows(settings):
    settings.COMMENTS_RATE_LIMIT_BACKEND = "db"
    ratelimit.hit("poster", limit=5, window=WINDOW, now=NOW)
    ratelimit.hit("poster", limit=5, window=WINDOW, now=NOW + 2 * WINDOW)
    assert RateLimitCounter.objects.count() == 1


def test_auto_uses_the_database_when_the_cache_is_per_process(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    assert not sharedcache.is_shared()


@pytest.mark.django_db
def test_a_redis_outage_falls_back_to_the_database_counter(settings):
    settings.COMMENTS_RATE_LIMIT_BACKEND = "auto"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    assert sharedcache.is_shared()
    results = [
        ratelimit.hit("poster", limit=2, window=WINDOW, now=NOW) for _ in range(3)
    ]
    assert [r.allowed for r in results] == [True, True, False]
    assert RateLimitCounter.objects.get().count == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_from_one_poster_accept_exactly_the_limit(backend, settings):
    """Threads with their own database connections, as separate workers have."""
    if backend == "db" and connection.vendor == "sqlite":
        pytest.skip("the in-memory test database locks tables; see the process test")
    attempts, limit = 20, 5
    barrier = threading.Barrier(attempts)
    allowed = []
    errors = []

    def worker():
        try:
            barrier.wait()
            hit = ratelimit.hit("poster", limit=limit, window=WINDOW, now=NOW)
            allowed.append(hit.allowed)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert allowed.count(True) == limit
    assert len(allowed) == attempts


# A separate Python process: its own Django, connections and LocMem cache.
WORKER = f"""
import sys, time
import django
django.setup()
from comments import ratelimit
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
print(ratelimit.hit("poster", limit=5, window={WINDOW}, now={NOW}).allowed)
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", ["auto", "db"])
def test_concurrent_posts_from_separate_processes_accept_exactly_the_limit(
    mode, tmp_path
):
    """12 worker processes at once: the limit holds across them (5 accepted)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "COMMENTS_RATE_LIMIT_BACKEND": mode,
    }
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # Workers share a database file, as embedded multi-worker setups do.
        url = f"sqlite:///{tmp_path / 'workers.sqlite3'}"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "comments", "-v", "0"],
            env={**os.environ, **env, "DATABASE_URL": url},
            check=True,
            cwd=settings.BASE_DIR,
        )
    else:
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
            f"/{db['NAME']}"
        )
    env["DATABASE_URL"] = url
    workers = 12
    start_at = time.time() + 4  # every worker set up before the first hit
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start_at)],
            env={**os.environ, **env},
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    results = [p.communicate(timeout=60)[0].strip() for p in processes]
    assert results.count("True") == 5
    assert results.count("False") == workers - 5
