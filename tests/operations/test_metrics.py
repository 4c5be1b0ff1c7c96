"""``/metrics``: protected (a bearer token or an internal address, else a 404
like any missing page), never cached, and counting what operators ask for:
requests and latency per route (its pattern's name, never the raw path),
503s, the page cache's hits, misses and renders, the view-count buffer and its
lag, tasks waiting. Scraped and parsed here as Prometheus parses it."""

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from newsroom import metrics
from pagecache import store
from tests.factories import make_article
from viewcounts import counter
from viewcounts.models import PendingView

TOKEN = "a-long-random-scrape-token"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []


def scrape(client, **headers) -> dict:
    response = client.get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}", **headers}
    )
    assert response.status_code == 200, response.status_code
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
)
def test_metrics_are_a_404_without_the_token(client, db, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert b"newsroom_http_requests_total" not in response.content


def test_metrics_are_a_404_when_nothing_allows_a_scrape(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert (
        client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404
    )


def test_the_token_opens_metrics(client, db):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "X-Page-Cache" not in response
    assert (
        "no-cache" in response["Cache-Control"]
        or "max-age=0" in response["Cache-Control"]
    )


@pytest.mark.parametrize(
    ("networks", "address", "status"),
    [
        (["10.0.0.0/8"], "10.1.2.3", 200),
        (["10.0.0.0/8", "127.0.0.1"], "127.0.0.1", 200),
        (["10.0.0.0/8"], "203.0.113.9", 404),
        (["fd00::/8"], "fd12::1", 200),
        (["fd00::/8"], "2001:db8::1", 404),
    ],
)
def test_internal_addresses_may_scrape_without_a_token(
    client, db, settings, networks, address, status
):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = networks
    assert client.get("/metrics", REMOTE_ADDR=address).status_code == status


def test_behind_a_proxy_the_client_address_decides(client, db, settings):
    """The proxy's own address is internal; the reader behind it is not."""
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    settings.TRUSTED_PROXY_COUNT = 1
    outside = client.get(
        "/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    inside = client.get(
        "/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.0.5.5"
    )
    assert (outside.status_code, inside.status_code) == (404, 200)


def test_requests_are_counted_per_route_not_per_path(client, db):
    stories = [make_article(headline=f"Story {n}") for n in range(3)]
    before = scrape(client)
    for story in stories:
        assert client.get(story.get_absolute_url()).status_code == 200
    client.get("/no-such-page/")
    client.get("/no-such-page/either/")
    after = scrape(client)
    route = {"route": "articles:detail", "method": "GET", "status": "2xx"}
    assert (
        value(after, "newsroom_http_requests_total", **route)
        - value(before, "newsroom_http_requests_total", **route)
        == 3
    )
    missing = {"route": "not_found", "method": "GET", "status": "4xx"}
    assert (
        value(after, "newsroom_http_requests_total", **missing)
        - value(before, "newsroom_http_requests_total", **missing)
        == 2
    )
    routes = {dict(labels).get("route") for name, labels in after}
    assert not any(
        route and route.startswith("/") and "<" not in route for route in routes
    )
    assert all(story.slug not in str(routes) for story in stories)
    count = "newsroom_http_request_duration_seconds_count"
    assert (
        value(after, count, route="articles:detail")
        - value(before, count, route="articles:detail")
        == 3
    )


def test_503s_are_counted(client, db, settings):
    settings.ROOT_URLCONF = "tests.operations.urls"
    before = scrape(client)
    assert client.get(reverse("ops_test_database_down")).status_code == 503
    after = scrape(client)
    name = "newsroom_http_unavailable_total"
    route = "ops_test_database_down"
    assert value(after, name, route=route) - value(before, name, route=route) == 1
    five = {"route": route, "method": "GET", "status": "5xx"}
    assert value(after, "newsroom_http_requests_total", **five) == 1


def test_page_cache_hits_misses_and_renders_are_counted(client, db, settings):
    settings.PAGE_CACHE = True
    store.local_pages.clear()
    url = make_article().get_absolute_url()
    before = scrape(client)
    states = [client.get(url)["X-Page-Cache"] for _ in range(3)]
    assert states == ["miss", "hit", "hit"]
    after = scrape(client)
    name = "newsroom_page_cache_responses_total"
    assert value(after, name, state="miss") - value(before, name, state="miss") == 1
    assert value(after, name, state="hit") - value(before, name, state="hit") == 2
    renders = "newsroom_page_cache_renders_total"
    assert value(after, renders) - value(before, renders) == 1
    # A hit leaves before URL dispatch, and is still counted under its route.
    route = {"route": "articles:detail", "method": "GET", "status": "2xx"}
    assert (
        value(after, "newsroom_http_requests_total", **route)
        - value(before, "newsroom_http_requests_total", **route)
        == 3
    )


def test_the_view_count_buffer_and_its_lag(client, db, settings):
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 3600
    story = make_article()
    samples = scrape(client)
    assert value(samples, "newsroom_viewcounts_pending_views") == 0
    assert value(samples, "newsroom_viewcounts_flush_lag_seconds") == 0
    for _ in range(3):
        PendingView.objects.create(article_id=story.pk, day=timezone.localdate())
    counter.flush_views()
    PendingView.objects.create(article_id=story.pk, day=timezone.localdate(), views=4)
    samples = scrape(client)
    assert value(samples, "newsroom_viewcounts_pending_views") == 4
    last = value(samples, "newsroom_viewcounts_last_flush_timestamp_seconds")
    assert last > 0
    assert value(samples, "newsroom_viewcounts_flush_lag_seconds") >= 0
    assert value(samples, "newsroom_viewcounts_flushed_views_total") >= 3
    counter.flush_views()
    samples = scrape(client)
    assert value(samples, "newsroom_viewcounts_pending_views") == 0
    assert value(samples, "newsroom_viewcounts_flush_lag_seconds") == 0


def test_tasks_waiting_are_counted_per_queue(client, db):
    from django_tasks_db.models import DBTaskResult

    samples = scrape(client)
    assert value(samples, "newsroom_tasks_waiting", queue="default") == 0
    for status, queue in [
        ("READY", "default"),
        ("READY", "default"),
        ("READY", "mail"),
        ("RUNNING", "default"),
        ("SUCCESSFUL", "default"),
    ]:
        DBTaskResult.objects.create(
            status=status,
            queue_name=queue,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="tests.operations.nothing",
            backend_name="default",
            run_after=timezone.now(),
        )
    samples = scrape(client)
    assert value(samples, "newsroom_tasks_waiting", queue="default") == 2
    assert value(samples, "newsroom_tasks_waiting", queue="mail") == 1
    assert value(samples, "newsroom_tasks_oldest_waiting_seconds") >= 0


def test_metrics_are_still_scraped_while_the_database_is_down(client, db, monkeypatch):
    from django.db import OperationalError

    def unreachable():
        raise OperationalError("down")
        yield

    monkeypatch.setattr(metrics, "_database_metrics", unreachable)
    samples = scrape(client)
    assert value(samples, "newsroom_scrape_database_up") == 0
    assert ("newsroom_viewcounts_pending_views", ()) not in samples
    assert any(name == "newsroom_http_requests_total" for name, _ in samples)


def test_metrics_is_never_a_reader_page():
    from django.urls import resolve

    assert getattr(resolve("/metrics").func, "reader_page_params", None) is None


def test_a_bad_network_in_the_allow_list_stops_the_site_at_start():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "METRICS_ALLOWED_NETWORKS": "10.0.0.0/8,not-a-network",
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "METRICS_ALLOWED_NETWORKS: 'not-a-network'" in result.stderr
