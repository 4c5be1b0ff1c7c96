from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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
