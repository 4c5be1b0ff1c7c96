"""Who may use the API, and how often: decided before the page cache.

``ApiAccessMiddleware`` sits outside ``PageCacheMiddleware``, so that an
answer served from the cache is refused or counted like any other: a key
that does not open the API is a 401, anonymous requests are a 401 while
``API_ANONYMOUS`` is off, and every client has its window (a key's own
``rate_limit``, or ``API_ANONYMOUS_RATE`` per address) in a shared cache or
the database (``api.ratelimit``), whichever process answers. Everything under
``/api/`` answers in JSON, Django's own 404 included.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from api import conf, keys, ratelimit
from api.errors import error_response, not_found
from api.models import ApiKey
from newsroom.clientip import client_ip

PREFIX = "/api/"
# The document describing the API and its Swagger page are open to anyone,
# as documentation is.
OPEN_PATHS = ("/api/v1/openapi.json", "/api/v1/docs")
# How often a key's "last used" time is written (it is read in the admin).
LAST_USED_EVERY = timedelta(minutes=5)


def credentials(request) -> str | None:
    """The key a request carries: ``X-API-Key``, or ``Authorization: Bearer``."""
    key = request.META.get("HTTP_X_API_KEY")
    if key is not None:
        return key
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer":
        return token
    if scheme:
        return ""  # another scheme (Basic...): not a key, and not anonymous
    return None


def _has_nul(request) -> bool:
    if "\x00" in request.path_info:
        return True
    return any(
        "\x00" in name or any("\x00" in value for value in values)
        for name, values in request.GET.lists()
    )


def _client(request) -> str:
    """An address as a rate-limit key: keyed hash, no address kept."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), client_ip(request).encode(), hashlib.blake2b
    )
    return "ip:" + digest.hexdigest()[:32]


def _unauthorized(message) -> object:
    return error_response(
        401, "unauthorized", message, WWW_Authenticate='Bearer realm="api"'
    )


def _touch(key: ApiKey) -> None:
    now = timezone.now()
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)


def _as_json(response):
    """Django's own 404 page and 405 answer, in the API's JSON."""
    if response.status_code == 404:
        return not_found()
    answer = error_response(
        405, "method_not_allowed", gettext("The API only reads: use GET.")
    )
    if response.has_header("Allow"):
        answer["Allow"] = response["Allow"]
    return answer


class ApiAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(PREFIX):
            return self.get_response(request)
        if _has_nul(request):
            return error_response(
                400, "invalid", gettext("The address holds a character it may not.")
            )
        token = credentials(request)
        key = None
        if token is not None:
            key = keys.find(token)
            if key is None:
                return _unauthorized(gettext("This API key is not valid."))
        elif not conf.settings.API_ANONYMOUS and request.path_info not in OPEN_PATHS:
            return _unauthorized(
                gettext("An API key is needed: send it as X-API-Key or a Bearer token.")
            )
        if key is not None:
            # A key's limit is per minute (ApiKey.rate_limit).
            hit = ratelimit.hit(f"key:{key.pk}", limit=key.rate_limit, window=60)
            _touch(key)
        else:
            hit = ratelimit.hit(
                _client(request),
                limit=conf.settings.API_ANONYMOUS_RATE,
                window=conf.settings.API_RATE_WINDOW,
            )
        if not hit.allowed:
            response = error_response(
                429,
                "rate_limited",
                ngettext(
                    "Too many requests: try again in %(seconds)d second.",
                    "Too many requests: try again in %(seconds)d seconds.",
                    hit.reset,
                )
                % {"seconds": hit.reset},
                Retry_After=str(hit.reset),
            )
        else:
            response = self.get_response(request)
            if response.status_code in (404, 405) and not response.get(
                "Content-Type", ""
            ).startswith("application/json"):
                response = _as_json(response)
            if not conf.settings.API_ANONYMOUS and response.status_code in (200, 304):
                # Answers for keys only: no shared cache may hand them to
                # anyone else (the page cache inside still keeps them).
                response["Cache-Control"] = "private, max-age=0, must-revalidate"
        response["RateLimit-Limit"] = str(hit.limit)
        response["RateLimit-Remaining"] = str(hit.remaining)
        response["RateLimit-Reset"] = str(hit.reset)
        return response
