"""Which reads may go to a replica (newsroom/replicas.py), decided per request.

The suite has no replica: the router is asked what it would choose (with a
replica alias pretended), and every query still runs on the test database.
"""

import time

import pytest
from django.db import transaction
from django.test import RequestFactory

from newsroom import replicas
from tests.factories import make_article


@pytest.fixture
def one_replica(monkeypatch):
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1"])


@pytest.fixture
def chosen(monkeypatch, one_replica):
    """Every alias the router chose for a read, while the reads run here."""
    choices = []
    choose = replicas.ReplicaRouter.db_for_read

    def record(self, model, **hints):
        choices.append(choose(self, model, **hints))
        return replicas.PRIMARY

    monkeypatch.setattr(replicas.ReplicaRouter, "db_for_read", record)
    return choices


router = replicas.ReplicaRouter()


def test_reads_stay_on_the_primary_unless_a_request_allows_a_replica(one_replica):
    assert router.db_for_read(None) == "default"
    with replicas.replica_reads():
        assert router.db_for_read(None) == "replica1"
        with replicas.primary_reads():
            assert router.db_for_read(None) == "default"
        assert router.db_for_read(None) == "replica1"
    assert router.db_for_read(None) == "default"


def test_without_replicas_every_read_goes_to_the_primary():
    with replicas.replica_reads():
        assert router.db_for_read(None) == "default"


def test_requests_take_turns_and_each_reads_one_replica(monkeypatch):
    """A story and its bylines from one copy: never one fresher than the other."""
    monkeypatch.setattr(replicas, "replica_aliases", lambda: ["replica1", "replica2"])
    picks = []
    for _ in range(4):
        with replicas.replica_reads():
            per_request = {router.db_for_read(None) for _ in range(5)}
        assert len(per_request) == 1
        picks += per_request
    assert set(picks) == {"replica1", "replica2"}


def test_a_write_puts_the_rest_of_the_request_on_the_primary(one_replica):
    with replicas.replica_reads():
        assert router.db_for_read(None) == "replica1"
        assert router.db_for_write(None) == "default"
        assert router.db_for_read(None) == "default"
    # The block's end forgets it: the next request starts afresh.
    with replicas.replica_reads():
        assert router.db_for_read(None) == "replica1"


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_go_to_the_primary(one_replica):
    with replicas.replica_reads(), transaction.atomic():
        assert router.db_for_read(None) == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate("replica1", "articles")


def middleware_decision(request, writes="yes"):
    """Whether the view may read a replica, and its response. The view
    writes (``"yes"``), writes what nobody reads back (``"exempt"``: a
    beacon), or writes nothing (``""``)."""
    seen = []

    def view(request):
        seen.append(replicas.reading_from_replica())
        if writes == "exempt":
            replicas.not_sticky()
        if writes:
            router.db_for_write(None)
        return _ok()

    middleware = replicas.ReplicaReadsMiddleware(view)
    response = middleware(request)
    return seen[0], response


def _ok():
    from django.http import HttpResponse

    return HttpResponse("ok")


def test_the_middleware_allows_replicas_for_reader_reads(one_replica):
    allowed, response = middleware_decision(RequestFactory().get("/"))
    assert allowed
    assert "newsroom_primary" not in response.cookies


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_a_write_reads_the_primary_and_keeps_the_client_there(one_replica, method):
    allowed, response = middleware_decision(getattr(RequestFactory(), method)("/"))
    assert not allowed
    cookie = response.cookies["newsroom_primary"]
    assert cookie["httponly"]
    assert float(cookie.value) > time.time()

    # The same client's next read, within the sticky seconds: the primary.
    later = RequestFactory().get("/")
    later.COOKIES["newsroom_primary"] = cookie.value
    assert not middleware_decision(later)[0]


@pytest.mark.parametrize("writes", ["", "exempt"])
def test_a_post_that_wrote_nothing_or_only_a_beacon_keeps_no_client(
    one_replica, writes
):
    allowed, response = middleware_decision(RequestFactory().post("/"), writes)
    assert not allowed
    assert "newsroom_primary" not in response.cookies


def test_an_expired_or_garbled_sticky_cookie_is_ignored(one_replica):
    for value in (f"{time.time() - 1:.0f}", "not-a-time", ""):
        request = RequestFactory().get("/")
        request.COOKIES["newsroom_primary"] = value
        assert middleware_decision(request)[0]


def test_the_admin_reads_the_primary(one_replica, settings):
    request = RequestFactory().get("/" + settings.ADMIN_URL_PREFIX)
    assert not middleware_decision(request)[0]


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_ALIAS = "default"


# Outside a transaction: reads inside one go to the primary anyway.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("page_cache")
def test_a_page_the_cache_keeps_is_rendered_from_the_primary(client, chosen):
    story = make_article()
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert response.headers["X-Page-Cache"] == "miss"
    assert chosen and set(chosen) == {"default"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("page_cache")
def test_a_render_that_is_not_kept_may_read_a_replica(client, chosen):
    story = make_article()
    client.cookies["sessionid"] = "no-such-session"
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert response.headers["X-Page-Cache"] == "bypass"
    assert "replica1" in chosen


@pytest.mark.django_db(transaction=True)
def test_with_the_page_cache_off_reader_pages_read_the_primary(
    client, chosen, settings
):
    """Public, so a CDN in front may keep them."""
    settings.PAGE_CACHE = False
    story = make_article()
    assert client.get(story.get_absolute_url()).status_code == 200
    assert chosen and set(chosen) == {"default"}
