import logging
import sys

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from newsroom.middleware import DATABASE_UNAVAILABLE, service_unavailable

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """Liveness for load balancers: 200 when the database answers, else 503.

    The cache is reported but does not fail the check: the site serves without it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    try:
        cache.set("healthz", "ok", 5)
        cache_ok = cache.get("healthz") == "ok"
    except Exception:  # noqa: BLE001 - any cache failure is only reported
        cache_ok = False
    return JsonResponse({"database": "ok", "cache": "ok" if cache_ok else "down"})


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
