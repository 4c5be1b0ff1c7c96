"""The live server the browser tests share answers only while a test runs
(``tests/conftest.py``, ``_BetweenTests``): a request a closed page sent late
must not reach Django with another test's settings, or none."""

import threading
import urllib.error
import urllib.request

import pytest

from tests.conftest import between_tests
from tests.factories import make_article

pytestmark = [pytest.mark.django_db(transaction=True)]


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_between_tests_a_late_request_is_refused_before_django(live_server):
    article = make_article(headline="Answered while the test runs")
    url = live_server.url + article.get_absolute_url()
    assert status_of(url)[0] == 200
    between_tests.close()
    try:
        assert status_of(url) == (503, b"No test is running.")
    finally:
        between_tests.open()
    assert status_of(url)[0] == 200


def test_a_test_ends_only_after_the_requests_under_way(live_server, monkeypatch):
    from articles import views

    article = make_article(headline="A slow page")
    entered, release = threading.Event(), threading.Event()
    real_detail = views.ArticleDetailView.get

    def slow_get(self, request, *args, **kwargs):
        entered.set()
        release.wait(10)
        return real_detail(self, request, *args, **kwargs)

    monkeypatch.setattr(views.ArticleDetailView, "get", slow_get)
    results = []
    reader = threading.Thread(
        target=lambda: results.append(
            status_of(live_server.url + article.get_absolute_url())[0]
        )
    )
    reader.start()
    assert entered.wait(10)
    closer = threading.Thread(target=between_tests.close)
    closer.start()
    closer.join(0.5)
    assert closer.is_alive(), "the test ended while a request was under way"
    release.set()
    closer.join(10)
    reader.join(10)
    between_tests.open()
    assert not closer.is_alive()
    assert results == [200]
