"""Prometheus metrics: the metric objects, the middleware that counts and times
every request, and what ``/metrics`` answers (``docs/deploy.md``, "Logs,
metrics and health").

A shared utility: it imports no app. The apps call in where they decide
(``pagecache`` counts its renders, ``viewcounts`` its flushes); what lives in
the database (the view-count buffer, tasks waiting) is read at scrape time
through the app registry, so nothing is counted twice and a request pays
nothing for it.

Under gunicorn, ``PROMETHEUS_MULTIPROC_DIR`` (set by ``deploy/gunicorn.conf.py``)
puts each worker's values in a memory-mapped file there, and a scrape sums
them, whichever worker answers it. Labels are bounded: a route is the URL
pattern's name (or its route), never the raw path.
"""

import functools
import hmac
import ipaddress
import os
import time
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.db.models import Count, Min, Sum
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from newsroom import clientip, sharedcache

NAMESPACE = "newsroom"

REQUESTS = Counter(
    "http_requests",
    "Requests answered, per route, method and status class.",
    ["route", "method", "status"],
    namespace=NAMESPACE,
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from the first middleware in to the response out, per route.",
    ["route"],
    namespace=NAMESPACE,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UNAVAILABLE = Counter(
    "http_unavailable",
    "503 responses (the database unreachable or overloaded), per route.",
    ["route"],
    namespace=NAMESPACE,
)
PAGE_CACHE = Counter(
    "page_cache_responses",
    "Reader pages by what the page cache did (X-Page-Cache: hit, miss, "
    "bypass, uncacheable, unavailable).",
    ["state"],
    namespace=NAMESPACE,
)
PAGE_RENDERS = Counter(
    "page_cache_renders",
    "Pages rendered to be stored in the page cache (one per page per change).",
    namespace=NAMESPACE,
)
VIEW_FLUSHES = Counter(
    "viewcounts_flushes",
    "Flushes of the view-count buffer into the daily rows and totals.",
    namespace=NAMESPACE,
)
VIEWS_FLUSHED = Counter(
    "viewcounts_flushed_views",
    "Views moved from the buffer into the daily rows and totals.",
    namespace=NAMESPACE,
)

STATE_HEADER = "X-Page-Cache"
# Where the time of the last flush is kept: a cache every process (and
# machine) shares, since any of them may have flushed.
LAST_FLUSH_KEY = "metrics:viewcounts:last-flush"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """Counts and times every request: second in ``MIDDLEWARE``, right inside
    ``RequestIdMiddleware``, so page-cache hits, static files and 503s count.

    A request costs two clock reads, one dict look-up for its label values
    and three increments (``bench/metrics_overhead.py`` measures it).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")
        self._children = {}
        self._states = {}

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - start
        status = response.status_code
        route = self.route(request)
        method = request.method if request.method in _METHODS else "other"
        key = (route, method, status // 100)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                REQUESTS.labels(route, method, f"{status // 100}xx"),
                LATENCY.labels(route),
            )
        children[0].inc()
        children[1].observe(elapsed)
        if status == 503:
            UNAVAILABLE.labels(route).inc()
        state = response.headers.get(STATE_HEADER)
        if state is not None:
            child = self._states.get(state)
            if child is None:
                child = self._states[state] = PAGE_CACHE.labels(state)
            child.inc()
        return response

    def route(self, request) -> str:
        match = getattr(request, "resolver_match", None)
        if match is not None:
            return route_name(match)
        # Answered before URL dispatch (a page-cache hit, a static file, a
        # redirect to HTTPS), or not found.
        if request.path_info.startswith(self.static_prefix):
            return "static"
        # The request's own URLconf (a middleware may set one), else the
        # site's: cheaper than get_urlconf(), a context-local look-up.
        urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
        return _route_at(urlconf, request.path_info)


def route_name(match) -> str:
    """The URL pattern's name (``articles:story``), else its route."""
    if match.url_name:
        return match.view_name
    return match.route or "unnamed"


@functools.lru_cache(maxsize=4096)
def _route_at(urlconf: str, path: str) -> str:
    """Remembered per URLconf and address (least recently used first out),
    so a page-cache hit does not walk the URL patterns."""
    try:
        return route_name(get_resolver(urlconf).resolve(path))
    except Resolver404:
        return "not_found"


# What the apps report


def record_view_flush(views: int) -> None:
    """A flush of the view-count buffer succeeded (``viewcounts.counter``)."""
    VIEW_FLUSHES.inc()
    VIEWS_FLUSHED.inc(views)
    alias = _shared_cache_alias()
    if alias is not None:
        try:
            caches[alias].set(LAST_FLUSH_KEY, time.time(), None)
        except Exception:  # noqa: BLE001 - a metric never fails a flush
            pass


def _shared_cache_alias() -> str | None:
    for alias in ("default", "pagecache"):
        if alias in settings.CACHES and sharedcache.is_shared(alias):
            return alias
    return None


# /metrics


def scrape_allowed(request) -> bool:
    """The bearer ``METRICS_TOKEN`` (compared in constant time), or a client
    address inside ``METRICS_ALLOWED_NETWORKS``; nobody when neither is set."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return True
    networks = _networks(tuple(settings.METRICS_ALLOWED_NETWORKS))
    if networks:
        address = ipaddress.ip_address(clientip.client_ip(request))
        return any(address in network for network in networks)
    return False


@functools.lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]):
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def exposition() -> tuple[bytes, str]:
    """The text format of every metric: each worker's (summed, under
    gunicorn) and those read at scrape time."""
    return generate_latest(_Scrape()), CONTENT_TYPE_LATEST


class _Scrape:
    def collect(self):
        directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if directory:
            yield from multiprocess.MultiProcessCollector(None, directory).collect()
        else:
            yield from REGISTRY.collect()
        yield from scrape_time_metrics()


def scrape_time_metrics():
    """Gauges read when scraped: the view-count buffer and its lag, and the
    background tasks waiting (django-tasks-db's table, when installed). With
    the database down they are left out, and ``scrape_database_up`` says 0:
    the rest is still scraped, when it matters most."""
    try:
        families = list(_database_metrics())
    except DatabaseError:
        families = []
    yield from families
    yield GaugeMetricFamily(
        f"{NAMESPACE}_scrape_database_up",
        "1 if this scrape could read the database, else 0.",
        value=1 if families else 0,
    )


def _database_metrics():
    if apps.is_installed("viewcounts"):
        pending = apps.get_model("viewcounts", "PendingView").objects.aggregate(
            rows=Count("id"), views=Sum("views")
        )
        views = pending["views"] or 0
        yield GaugeMetricFamily(
            f"{NAMESPACE}_viewcounts_pending_views",
            "Counted views in the buffer, not yet in the daily rows and totals.",
            value=views,
        )
        last_flush = _last_flush()
        if last_flush is not None:
            yield GaugeMetricFamily(
                f"{NAMESPACE}_viewcounts_last_flush_timestamp_seconds",
                "When the buffer was last flushed (any process sharing the cache).",
                value=last_flush,
            )
        if views == 0 or last_flush is not None:
            # Without a recorded flush (a restarted cache) the lag is unknown:
            # left out rather than guessed.
            yield GaugeMetricFamily(
                f"{NAMESPACE}_viewcounts_flush_lag_seconds",
                "Seconds since the last flush while views wait in the buffer "
                "(0 when it is empty): how far shown counts trail the reads.",
                value=0 if views == 0 else max(0.0, time.time() - last_flush),
            )
    waiting = GaugeMetricFamily(
        f"{NAMESPACE}_tasks_waiting",
        "Background tasks queued (django-tasks-db) and not started, per queue.",
        labels=["queue"],
    )
    oldest = GaugeMetricFamily(
        f"{NAMESPACE}_tasks_oldest_waiting_seconds",
        "Age of the oldest task due to run and not started (0: none).",
    )
    if apps.is_installed("django_tasks_db"):
        results = apps.get_model("django_tasks_database", "DBTaskResult").objects
        queues = {"default": 0} | dict(
            results.filter(status="READY")
            .values_list("queue_name")
            .annotate(n=Count("id"))
            .order_by("queue_name")
        )
        for queue, n in sorted(queues.items()):
            waiting.add_metric([queue], n)
        first = results.ready().aggregate(first=Min("enqueued_at"))["first"]
        age = (timezone.now() - first) if first else timedelta(0)
        oldest.add_metric([], max(0.0, age.total_seconds()))
    else:
        waiting.add_metric(["default"], 0)
        oldest.add_metric([], 0)
    yield waiting
    yield oldest


def _last_flush() -> float | None:
    alias = _shared_cache_alias()
    if alias is None:
        return None
    try:
        value = caches[alias].get(LAST_FLUSH_KEY)
    except Exception:  # noqa: BLE001 - the cache down: the lag is unknown
        return None
    return float(value) if value is not None else None
