"""The site's URLs plus two that fail on purpose, for the operations tests
(an error for the Sentry report, a database error for the 503)."""

from django.db import OperationalError
from django.urls import path

from newsroom.urls import handler404, handler500
from newsroom.urls import urlpatterns as site_patterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def fail(request):
    raise RuntimeError("deliberate failure for the error report test")


def database_down(request):
    raise OperationalError("deliberate: the database is unreachable")


urlpatterns = [
    path("ops-test/fail/", fail, name="ops_test_fail"),
    path("ops-test/database-down/", database_down, name="ops_test_database_down"),
    *site_patterns,
]
