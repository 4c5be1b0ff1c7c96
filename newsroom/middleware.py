"""Project-wide response policy: extra security headers, the admin's CSP,
private caching for personal responses, and a static 503 when the database is
unreachable."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

from newsroom import headers

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Headers Django has no setting for, and the admin's own CSP.

    Sits inside ``ContentSecurityPolicyMiddleware`` so the admin policy is set on
    the response before that middleware writes the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL_PREFIX.strip("/") + "/"

    def __call__(self, request):
        response = self.get_response(request)
        for name, value in headers.extra_headers().items():
            response.headers.setdefault(name, value)
        if request.path.startswith(self.admin_prefix) and not hasattr(
            response, "_csp_config"
        ):
            response._csp_config = settings.ADMIN_CSP
        return response


def is_private_no_store(response) -> bool:
    directives = {
        part.split("=", 1)[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
    }
    return {"private", "no-store"} <= directives


class PrivateResponseMiddleware:
    """Mark responses meant for one person ``private, no-store``: those that set
    a cookie, carry a CSRF token (``get_token()``) or a CSP nonce, and every
    admin response.

    Sits outside the session, CSRF, messages and Axes middleware, so it sees
    the cookies they set on the way out, and inside ``PageCacheMiddleware``:
    cache hits (and their 304s and ETags) go out untouched, and the page cache
    never stores what comes out of here with a cookie anyway.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL_PREFIX.strip("/") + "/"

    def __call__(self, request):
        response = self.get_response(request)
        if self.is_personal(request, response) and not is_private_no_store(response):
            add_never_cache_headers(response)
        return response

    def is_personal(self, request, response) -> bool:
        return bool(
            response.cookies
            or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            or getattr(request, "_csp_nonce", None)
            or request.path.startswith(self.admin_prefix)
        )


class DatabaseUnavailableMiddleware:
    """Answer a static 503 with Retry-After instead of a traceback page.

    The template uses no database and no context processors, so it renders while
    the database is down; Django reconnects by itself once it is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.error("Database unavailable: %s", exception)
            return service_unavailable()
        return None


# What a down, silent (client_timeout, newsroom/postgres), locked (SQLite's
# busy timeout) or overloaded (statement_timeout) database raises.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def service_unavailable():
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
