import logging
import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from newsroom import metrics as newsroom_metrics
from newsroom.middleware import DATABASE_UNAVAILABLE, service_unavailable

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers. Asks nothing of the database, the cache
    or the storage, so a dependency's outage never gets a worker restarted;
    load balancers and readiness waits use ``readyz``."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Readiness: 200 when the database, the cache and the media storage
    answer; else 503 with a JSON body naming what failed (and ``Retry-After``,
    like the 503 page). A check named in ``READYZ_OPTIONAL`` is reported but
    does not fail readiness."""
    checks = {
        "database": _database_ok,
        "cache": _cache_ok,
        "storage": _storage_ok,
    }
    results = {}
    for name, check in checks.items():
        try:
            results[name] = "ok" if check() else "down"
        except Exception as error:  # noqa: BLE001 - any failure is "down"
            logger.warning("Readiness check %s failed: %s", name, error)
            results[name] = "down"
    failed = sorted(
        name
        for name, result in results.items()
        if result != "ok" and name not in settings.READYZ_OPTIONAL
    )
    body = {"status": "unavailable" if failed else "ok", **results}
    if failed:
        body["failed"] = failed
        response = JsonResponse(body, status=503)
        response["Retry-After"] = "30"
        return response
    return JsonResponse(body)


def _database_ok() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def _cache_ok() -> bool:
    # django-redis swallows errors (IGNORE_EXCEPTIONS) and an open breaker
    # answers a miss: a value that does not come back is a cache that is down.
    # A key of its own per check: app servers sharing the cache check at once.
    key = f"readyz:{os.urandom(8).hex()}"
    cache.set(key, "ok", 5)
    return cache.get(key) == "ok"


def _storage_ok() -> bool:
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        # Uploads need a writable folder (made on the first upload if absent).
        location = Path(storage.location)
        while not location.exists() and location != location.parent:
            location = location.parent
        return location.is_dir() and os.access(location, os.W_OK)
    # Object storage: one request; a missing name is an answer, an error is not.
    storage.exists("readyz-probe")
    return True


@never_cache
@require_safe
def metrics(request):
    """Prometheus' scrape: to the bearer ``METRICS_TOKEN`` or from
    ``METRICS_ALLOWED_NETWORKS``, a 404 like any missing page to anyone else
    (nothing says that it exists). Never kept by the page cache: not a
    reader page."""
    if not newsroom_metrics.scrape_allowed(request):
        raise Http404
    body, content_type = newsroom_metrics.exposition()
    return HttpResponse(body, content_type=content_type)


def bench_ceiling(request):
    """The benchmark's ceiling: a tiny response through the full middleware.

    Routed only when ``settings.BENCH`` is on (``make bench``), never in production.
    """
    return HttpResponse(b"ok", content_type="text/plain")


@requires_csrf_token
def page_not_found(request, exception):
    """Django's 404 page, or the 503 when rendering it needs the database (its
    template's menu does) and the database is down: errors raised by an error
    handler never reach ``DatabaseUnavailableMiddleware``."""
    try:
        return defaults.page_not_found(request, exception)
    except DATABASE_UNAVAILABLE as error:
        logger.error("Database unavailable: %s", error)
        return service_unavailable()


@requires_csrf_token
def server_error(request):
    """Django's 500 page, or the 503 when the error being handled is the
    database's: raised outside the 503 middleware (in a middleware above it, or
    in another error handler)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable()
    return defaults.server_error(request)
