"""A frozen Redis is not a slow site.

gunicorn (2 workers) serves a SQLite site whose cache, page cache, rate limits
and view buffer all live in a Redis the test starts. The Redis is stopped with
SIGSTOP for 12 s (it accepts connections and answers nothing) while two readers
request a story, the home page, a comment form and a beacon. Every request
completes without a 5xx, and the cache's circuit breaker keeps the waits few:
once it opens, cache calls return at once instead of waiting out the socket
timeout, and only one probe per worker goes to Redis every ``reset_after``.

The latency figures are printed here (``-s``) and measured by ``bench/faults.py``;
the assertions are on what a loaded machine cannot make flaky.
"""

import math
import re

import pytest

from newsroom.circuitbreaker import DEFAULTS
from tests.faults import freeze
from tests.faults.servers import gunicorn, make_sqlite_site, redis_server, site_env

FREEZE_SECONDS = 12
WORKERS = 2


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_sqlite_site(tmp_path_factory.mktemp("frozen-redis"))


@pytest.mark.slow
def test_pages_keep_coming_while_redis_is_frozen(site, tmp_path):
    database_url, story = site
    log_path = tmp_path / "gunicorn.log"
    with redis_server() as redis:
        env = site_env(database_url, redis.url)
        with gunicorn(env, log_path, workers=WORKERS) as server:
            args = (server.base, story["story"], story["pk"])
            freeze.load(*args, seconds=30, max_requests=24)  # warm both workers
            baseline = freeze.load(*args, seconds=30, max_requests=80)
            frozen = freeze.frozen(
                redis.pid, *args, seconds=FREEZE_SECONDS, max_requests=5000
            )
            print("\n" + freeze.report(baseline, frozen))  # noqa: T201 - the figures

            # Redis is back: the next probe closes the breaker.
            recovered = freeze.Run()
            for _ in range(60):
                recovered.samples += freeze.load(*args, 1, 100).samples
                if "closed: the service answers" in log_path.read_text():
                    break
        log = log_path.read_text()

    assert baseline.server_errors() == []
    assert frozen.server_errors() == []
    assert recovered.server_errors() == []
    assert len(frozen.completed()) == len(frozen.samples) > 0
    assert {s.label for s in frozen.samples} == {
        "story",
        "home",
        "comment form",
        "beacon",
    }

    breaker = re.escape(f"Circuit cache {redis.url}")
    assert re.search(breaker + r" opened", log)
    assert re.search(breaker + r" closed", log)
    # Each cache call that waited on the frozen Redis logged "Exception
    # ignored": at most the breaker's threshold per worker, then one probe per
    # worker each time the breaker half-opens.
    waited = log.count("Exception ignored")
    probes = math.floor(frozen.seconds / DEFAULTS["CACHE_BREAKER_RESET_AFTER"]) + 1
    print(f"cache calls that waited out a timeout: {waited}")  # noqa: T201
    assert 0 < waited <= WORKERS * (DEFAULTS["CACHE_BREAKER_FAILURES"] + probes)
