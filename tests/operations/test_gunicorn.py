"""A real gunicorn with two workers, started with the deployed config file:
``/metrics`` sums what each worker counted (prometheus-client's multiprocess
mode), the access log is JSON with each request's id, and ``/readyz`` names
what is down while ``/healthz`` stays 200."""

import json
import os
import signal
import threading
import time
import uuid

import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from tests.faults.servers import (
    make_site,
    make_sqlite_site,
    redis_server,
    request,
    site_env,
)
from tests.faults.test_database_down import _postgres_or_skip
from tests.operations.servers import free_port, gunicorn

TOKEN = "scrape-token-for-the-operations-test"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The suite's database engine and cache: a SQLite site, or (when the
    suite runs on PostgreSQL and Redis) a PostgreSQL database of our own,
    dropped afterwards, and a Redis of our own (never the shared ones)."""
    directory = tmp_path_factory.mktemp("ops-site")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        database_url, story = make_sqlite_site(directory)
        yield directory, database_url, "", story
        return
    admin = _postgres_or_skip()
    name = f"newsroom_ops_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        database_url = f"postgres://postgres@127.0.0.1:5432/{name}"
        story = make_site(database_url)
        if os.environ.get("REDIS_URL"):
            with redis_server() as redis:
                yield directory, database_url, redis.url, story
        else:
            yield directory, database_url, "", story
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def scrape(base: str) -> dict:
    """{(name, labels as a sorted tuple): value} of every sample."""
    status, headers, body = request(
        base + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }


def requests_counted(samples: dict, route: str) -> float:
    return sum(
        value
        for (name, labels), value in samples.items()
        if name == "newsroom_http_requests_total" and ("route", route) in labels
    )


def per_worker_counts(directory, route: str) -> dict[str, float]:
    """What each worker's own file holds for ``route`` (files are per pid)."""
    counts = {}
    for path in sorted(directory.glob("counter_*.db")):
        total = 0.0
        for family in MultiProcessCollector.merge([str(path)], accumulate=False):
            for sample in family.samples:
                if (
                    sample.name == "newsroom_http_requests_total"
                    and sample.labels.get("route") == route
                ):
                    total += sample.value
        counts[path.name] = total
    return counts


def test_metrics_are_summed_across_two_workers(site, tmp_path):
    directory, database_url, redis_url, story = site
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "left-from-an-earlier-run.db").write_bytes(b"stale")
    env = site_env(
        database_url,
        redis_url,
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        METRICS_TOKEN=TOKEN,
        LOG_FORMAT="json",
        PAGE_CACHE="1",
    )
    log_path = tmp_path / "gunicorn.log"
    with gunicorn(env, log_path, workers=2) as server:
        assert not (metrics_dir / "left-from-an-earlier-run.db").exists()
        before = requests_counted(scrape(server.base), "articles:home")
        served = 0
        ids = []
        lock = threading.Lock()

        def read_front_page(n):
            status, headers, _ = request(server.base + "/")
            assert status == 200
            with lock:
                ids.append(headers["X-Request-ID"])

        # Until both workers have served some: requests go to whichever
        # worker accepts first, so a few rounds of parallel readers.
        for _ in range(20):
            threads = [
                threading.Thread(target=read_front_page, args=(n,)) for n in range(8)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            served += len(threads)
            workers = per_worker_counts(metrics_dir, "articles:home")
            if sum(1 for count in workers.values() if count) >= 2:
                break
        assert len(ids) == served

        samples = scrape(server.base)
        workers = per_worker_counts(metrics_dir, "articles:home")
        assert sum(1 for count in workers.values() if count) == 2
        counted = requests_counted(samples, "articles:home")
        assert counted - before == served
        assert counted == sum(workers.values())
        # A story page is counted under its pattern's name, never its path.
        request(server.base + story["story"])
        samples = scrape(server.base)
        routes = {
            dict(labels).get("route")
            for name, labels in samples
            if name == "newsroom_http_requests_total"
        }
        assert story["story"] not in routes
        assert "articles:detail" in routes
        # The page cache at work: the same page read again is a hit.
        hits = samples[("newsroom_page_cache_responses_total", (("state", "hit"),))]
        assert hits > 0
        assert samples[("newsroom_page_cache_renders_total", ())] >= 1
        assert samples[("newsroom_viewcounts_pending_views", ())] == 0
        assert ("newsroom_tasks_waiting", (("queue", "default"),)) in samples
        assert samples[("newsroom_scrape_database_up", ())] == 1
        # Without the token: a 404, as for any missing page.
        assert request(server.base + "/metrics")[0] == 404

        # A worker that dies keeps what it counted in the sum; its
        # replacement counts on in a file of its own.
        front_page = requests_counted(scrape(server.base), "articles:home")
        victim = int(next(iter(workers)).removeprefix("counter_").removesuffix(".db"))
        os.kill(victim, signal.SIGKILL)
        # gunicorn boots a replacement, whose metrics open a file as the
        # app loads: wait for it (a bounded wait, not a timed assertion).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(list(metrics_dir.glob("counter_*.db"))) >= 3:
                break
            time.sleep(0.2)
        assert len(list(metrics_dir.glob("counter_*.db"))) == 3
        assert requests_counted(scrape(server.base), "articles:home") == front_page

    access = [
        json.loads(line)
        for line in log_path.read_text().splitlines()
        if line.startswith("{") and '"gunicorn.access"' in line
    ]
    logged = {line["request_id"] for line in access if line["path"] == "/"}
    assert set(ids) <= logged
    line = next(line for line in access if line["request_id"] == ids[0])
    assert (line["method"], line["status"]) == ("GET", 200)
    assert line["duration_ms"] >= 0 and line["time"]
    assert "Traceback" not in log_path.read_text()


def test_readyz_names_the_database_and_the_cache_when_they_are_down(tmp_path):
    """Nothing listens at the database's or Redis' port: the server is alive
    (/healthz 200) but not ready (/readyz 503 naming both)."""
    dead_db, dead_redis = free_port(), free_port() + 0
    env = site_env(
        f"postgres://postgres@127.0.0.1:{dead_db}/nothing",
        f"redis://127.0.0.1:{dead_redis}/0",
        LOG_FORMAT="json",
    )
    with gunicorn(env, tmp_path / "gunicorn.log", ready="/healthz") as server:
        status, headers, body = request(server.base + "/readyz")
        assert status == 503
        answer = json.loads(body)
        assert answer["failed"] == ["cache", "database"]
        assert (answer["database"], answer["cache"], answer["storage"]) == (
            "down",
            "down",
            "ok",
        )
        assert headers["Retry-After"] == "30"
        assert headers["X-Request-ID"]
        status, headers, body = request(server.base + "/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
