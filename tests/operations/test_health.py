"""``/healthz`` says the process is alive and asks nothing of anyone;
``/readyz`` says whether the database, the cache and the media storage
answer, naming what does not (503, JSON)."""

import pytest
from django.core.cache import caches
from django.core.files.storage import Storage
from django.db import OperationalError


class BrokenStorage(Storage):
    """Object storage that does not answer."""

    def exists(self, name):
        raise OSError("the bucket does not answer")


def test_healthz_asks_nothing_of_the_database_or_the_cache(
    client, db, django_assert_num_queries, monkeypatch
):
    def no_cache(*args, **kwargs):
        raise AssertionError("healthz used the cache")

    monkeypatch.setattr(caches["default"], "get", no_cache)
    monkeypatch.setattr(caches["default"], "set", no_cache)
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_answers_while_the_database_is_down(client, monkeypatch, db):
    class Unreachable:
        def cursor(self):
            raise OperationalError("server closed the connection")

    monkeypatch.setattr("newsroom.views.connection", Unreachable())
    assert client.get("/healthz").status_code == 200


def test_readyz_is_200_when_everything_answers(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }
    assert "max-age=0" in response["Cache-Control"]


def test_readyz_names_the_database(client, monkeypatch, db):
    class Unreachable:
        def cursor(self):
            raise OperationalError("server closed the connection")

    monkeypatch.setattr("newsroom.views.connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["failed"] == ["database"]
    assert response["Retry-After"] == "30"
    assert b"server closed" not in response.content


def test_readyz_names_the_cache_when_values_do_not_come_back(client, db, monkeypatch):
    monkeypatch.setattr(caches["default"], "get", lambda *args, **kwargs: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_readyz_names_the_storage(client, db, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.BrokenStorage"},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]


def test_an_optional_check_is_reported_without_failing(
    client, db, monkeypatch, settings
):
    settings.READYZ_OPTIONAL = ["cache"]
    monkeypatch.setattr(caches["default"], "get", lambda *args, **kwargs: None)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["cache"] == "down"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_checks_are_read_only(client, db, method):
    for url in ("/healthz", "/readyz"):
        assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/healthz", {}),
        ("/readyz", {}),
        ("/metrics", {}),
        ("/metrics", {"Authorization": "Bearer ops-headers-token"}),
    ],
)
def test_operations_endpoints_carry_the_security_headers(
    client, db, settings, url, headers
):
    from tests.security.test_headers_everywhere import header_problems

    settings.METRICS_TOKEN = "ops-headers-token"
    response = client.get(url, headers=headers)
    assert response["X-Request-ID"]
    assert header_problems(response, url) == []
