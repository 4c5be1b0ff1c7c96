"""One render per page per change: readers of a page that was just retired
wait for the one reader rendering it (``pagecache.locks``)."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from pagecache import locks, store, versions
from pagecache.signals import page_rendered
from tests.factories import make_article

READERS = 40


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TTL = 60
    settings.PAGE_CACHE_LOCAL_BYTES = 0
    # Generous, so that a loaded machine never turns a wait into a second
    # render: the test counts renders, it does not time them.
    settings.PAGE_CACHE_LOCK_WAIT = 30
    store.local_pages.clear()
    yield
    store.local_pages.clear()


@pytest.fixture
def renders():
    """The keys of the pages rendered for the cache, in any thread."""
    seen = []
    lock = threading.Lock()

    def count(key, **kwargs):
        with lock:
            seen.append(key)

    page_rendered.connect(count, dispatch_uid="test_stampede")
    yield seen
    page_rendered.disconnect(dispatch_uid="test_stampede")


def read_together(url, readers=READERS):
    """``readers`` threads, each with its own client, ask for ``url`` at once."""
    start = threading.Barrier(readers)
    answers = [None] * readers

    def read(n):
        try:
            start.wait()
            answers[n] = Client().get(url)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["home", "story"])
def test_forty_readers_of_a_just_retired_page_cause_one_render(renders, page):
    story = make_article(headline="Harbour reopens")
    url = reverse("articles:home") if page == "home" else story.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    versions.bump()
    renders.clear()
    answers = read_together(url)
    assert len(renders) == 1
    assert all(answer.status_code == 200 for answer in answers)
    states = sorted(answer["X-Page-Cache"] for answer in answers)
    assert states == ["hit"] * (READERS - 1) + ["miss"]
    assert len({answer.content for answer in answers}) == 1
    assert b"Harbour reopens" in answers[0].content


@pytest.mark.django_db
def test_the_lock_is_released_once_the_page_is_stored(client, renders):
    url = make_article().get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    key = store.page_key(client.get(url).wsgi_request, ("comments",))
    version = versions.page_cache().get(versions.VERSION_KEY)
    assert versions.page_cache().get(locks.RenderLock(key, version).lock_key) is None


@pytest.mark.django_db
def test_a_failed_render_releases_the_lock(client, renders, settings):
    """A view that raises leaves no lock behind: the next reader renders."""
    url = reverse("articles:home")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": []}
    ]  # the project's templates are gone: the view raises
    client.raise_request_exception = False
    assert client.get(url).status_code == 500
    assert len(renders) == 0
    key = store.page_key(client.get(url).wsgi_request, ("page",))
    version = versions.page_cache().get(versions.VERSION_KEY)
    assert versions.page_cache().get(locks.RenderLock(key, version).lock_key) is None


@pytest.mark.django_db
def test_a_reader_waits_for_the_render_another_holds(client, renders, settings):
    """While another process holds the lock, a reader waits, and renders the
    page itself only when the wait runs out (the holder died)."""
    settings.PAGE_CACHE_LOCK_WAIT = 0.05
    url = make_article().get_absolute_url()
    key = store.page_key(client.get(url).wsgi_request, ("comments",))
    renders.clear()
    versions.bump()
    version = versions.page_cache().get(versions.VERSION_KEY)
    held = locks.RenderLock(key, version)
    assert held.acquire()
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    assert len(renders) == 1
    held.release()
    assert client.get(url)["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_a_waiting_reader_gets_the_entry_stored_meanwhile(client, renders):
    url = make_article().get_absolute_url()
    first = client.get(url)
    key = store.page_key(first.wsgi_request, ("comments",))
    entry = versions.page_cache().get(key)
    versions.bump()
    version = versions.page_cache().get(versions.VERSION_KEY)
    held = locks.RenderLock(key, version)
    assert held.acquire()
    # Another process finishes its render: the waiting reader finds it.
    versions.page_cache().set(key, {**entry, "version": version}, 60)
    renders.clear()
    waiter = locks.RenderLock(key, version)
    assert not waiter.acquire()
    assert waiter.wait_for_entry()["version"] == version
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert renders == []
