"""Who is acting, and from where, for signals sent without a request.

The services (``save_story()``, ``publish_stories()``, ``moderate()``) are
called from the admin, from commands and from the shell, and their signals
carry no request. ``AuditContextMiddleware`` keeps the current request in a
context variable for the length of the request (on-commit callbacks included,
as the commit happens inside the view), so a handler can find the acting user
and the trusted client address; outside a request, the entry says it came from
the shell or a command.
"""

import sys
from contextvars import ContextVar

_request = ContextVar("audit_request", default=None)


class AuditContextMiddleware:
    """After ``AuthenticationMiddleware``: ``request.user`` is read lazily,
    only when something is recorded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def current_request():
    """The request being answered in this thread or task, or None."""
    return _request.get()


def outside_request() -> str:
    """ "shell" for ``manage.py shell``, else "command" (commands, cron, tests)."""
    return "shell" if "shell" in sys.argv[1:2] else "command"
