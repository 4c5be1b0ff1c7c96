"""A request id for every request: taken from the proxy in front (a valid
``X-Request-ID``) or made here, kept in a context variable for the logs
(``RequestIdFilter``), and sent back as ``X-Request-ID`` on every response, page
cache hits and 503s included (``docs/deploy.md``, "Logs, metrics and health").
"""

import logging
import os
import re
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_finished

HEADER = "X-Request-ID"
# What an incoming id may be: short, and characters that cannot break a log
# line, a JSON string or a header (no spaces, quotes, CR or LF).
_VALID = re.compile(r"[A-Za-z0-9._:+=-]{1,64}")

_current: ContextVar[str] = ContextVar("request_id", default="-")


def get_request_id() -> str:
    """The id of the request being handled in this context, or ``"-"``."""
    return _current.get()


def new_request_id() -> str:
    """32 hex characters, random (cheaper than ``uuid4()``, as unique)."""
    return os.urandom(16).hex()


def valid_request_id(value: str | None) -> bool:
    return bool(value) and _VALID.fullmatch(value) is not None


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``, so every response carries the id (static
    files, redirects, page-cache hits, the 503 page) and every log line written
    while the request is handled names it.

    With ``REQUEST_ID_TRUST_HEADER`` on (the default), a valid incoming id,
    set by the load balancer or proxy in front, is kept, so one id follows a
    request through every hop; an invalid one (too long, odd characters) is
    replaced, never logged.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_header = getattr(settings, "REQUEST_ID_TRUST_HEADER", True)
        request_finished.connect(forget_request_id, dispatch_uid=__name__)

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID")
        if self.trust_header and valid_request_id(incoming):
            request_id = incoming
        else:
            request_id = new_request_id()
        request.request_id = request_id
        # Kept until the response is closed (request_finished), not only
        # while the middleware runs: Django logs a 4xx or 5xx ("Not Found: ...")
        # after the whole middleware chain has returned.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def forget_request_id(**kwargs) -> None:
    """The response is out: later lines (a command, the next idle moment of
    this thread) name no request."""
    _current.set("-")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``"-"`` outside a request), for
    the JSON and text formats alike (``LOGGING`` in ``newsroom/settings.py``)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
