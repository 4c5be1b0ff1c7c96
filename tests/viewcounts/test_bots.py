"""Bots from the maintained crawler-user-agents data set, plus our additions;
readers (Korean in-app browsers among them) still count."""

import pytest
from crawleruseragents import CRAWLER_USER_AGENTS_DATA
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tests.factories import make_article
from tests.viewcounts.browsers import BROWSERS
from viewcounts import counter, rules, stats

SAMPLES = [ua for entry in CRAWLER_USER_AGENTS_DATA for ua in entry["instances"]]


def request(ua, ip="203.0.113.7"):
    made = RequestFactory().post("/views/1/", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)
    made.user = AnonymousUser()
    return made


def test_no_sample_user_agent_of_the_data_set_counts(db):
    assert len(SAMPLES) > 2000
    article = make_article()
    counted = [
        ua
        for n, ua in enumerate(SAMPLES)
        if counter.record_view(article, request(ua, ip=f"10.{n // 250}.{n % 250}.1"))
    ]
    assert counted == []
    counter.flush_pending()
    assert stats.view_count(article) == 0


def test_fifty_ordinary_browsers_each_count_once(db):
    assert len(BROWSERS) == 50
    article = make_article()
    for n, ua in enumerate(BROWSERS):
        ip = f"192.0.{n}.1"  # another network each (the per-address limit)
        assert counter.record_view(article, request(ua, ip)), ua
        assert not counter.record_view(article, request(ua, ip))  # a reload
    counter.flush_pending()
    assert stats.view_count(article) == 50


@pytest.mark.parametrize("ua", BROWSERS)
def test_no_browser_is_a_bot(ua):
    assert not rules.is_bot(ua)


def test_vibers_in_app_browser_is_a_reader_though_its_fetcher_is_a_bot():
    """The documented exception (rules.BROWSER_EXCEPTIONS): the data set's
    "Viber" pattern, meant for its link-preview fetcher, also matches the
    in-app browser's user agent."""
    app = next(ua for ua in BROWSERS if "Viber/" in ua)
    assert rules._CRAWLER_RE.search(app)  # the data set alone would drop it
    assert not rules.is_bot(app)
    assert rules.is_bot("Viber")  # the fetcher
    # Only the app's token goes: a crawler adding it is still caught.
    assert rules.is_bot(f"{app} (compatible; Daum/4.1)")


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (compatible; Daum/4.1; +http://cs.daum.net/faq/15/4118.html)",
        "Mozilla/5.0 (compatible; heritrix/3.4.0 +https://example.org)",
        "Mozilla/5.0 (compatible; FlipboardProxy/1.2; +http://flipboard.com/browserproxy)",
        "Miniflux/2.2.3 (https://miniflux.app)",
    ],
)
def test_agents_the_old_list_missed_are_bots(ua):
    assert rules.is_bot(ua)


def test_a_bot_marker_after_512_characters_is_still_seen():
    ua = BROWSERS[0] + " " + "x" * (600 - len(BROWSERS[0])) + " Googlebot/2.1"
    assert len(ua) < rules.MAX_USER_AGENT_LENGTH
    assert rules.is_bot(ua)


def test_a_user_agent_longer_than_any_browser_sends_is_a_bot():
    longest = max(len(ua) for ua in BROWSERS)
    assert longest < rules.MAX_USER_AGENT_LENGTH // 2  # room to spare
    assert rules.is_bot(BROWSERS[0] + " " * rules.MAX_USER_AGENT_LENGTH)


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
        "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36",
        "python-httpx/0.28.1",
        "undici",
        "PostmanRuntime/7.43.0",
        "WhatsApp/2.23.20.0",
        "Wget/1.21.4",
    ],
)
def test_our_own_additions_are_kept(ua):
    assert rules.is_bot(ua)
