"""Inflating a count: one address rotating user agents, cross-site posts from
browsers that send no Sec-Fetch-Site."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import make_article
from tests.viewcounts.browsers import BROWSERS
from viewcounts import conf, counter, rules, stats


def request(ua, ip, **headers):
    made = RequestFactory().post(
        "/views/1/", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **headers
    )
    made.user = AnonymousUser()
    return made


def shown(article):
    counter.flush_pending()
    return stats.view_count(article)


def test_fifty_user_agents_from_one_address_count_at_most_the_limit(db, settings):
    settings.VIEWCOUNTS_PER_ADDRESS_LIMIT = 30
    article = make_article()
    for ua in BROWSERS:
        counter.record_view(article, request(ua, "203.0.113.9"))
    assert shown(article) == 30


def test_rotating_addresses_within_one_network_counts_as_one_address(db, settings):
    settings.VIEWCOUNTS_PER_ADDRESS_LIMIT = 5
    article = make_article()
    for n, ua in enumerate(BROWSERS[:20]):
        counter.record_view(article, request(ua, f"203.0.113.{n + 1}"))
        counter.record_view(article, request(ua, f"2001:db8:1:2::{n + 1:x}"))
    assert shown(article) == 10  # five from the /24, five from the /64


def test_twenty_readers_behind_one_nat_all_count(db):
    """An office or a carrier's NAT: one address, a reader per user agent."""
    article = make_article()
    for ua in BROWSERS[:20]:
        counter.record_view(article, request(ua, "198.51.100.1"))
        counter.record_view(article, request(ua, "198.51.100.1"))  # reloads
    assert shown(article) == 20


def test_the_limit_is_per_story_and_the_default_leaves_room_for_a_nat(db):
    assert conf.settings.VIEWCOUNTS_PER_ADDRESS_LIMIT >= 20
    first, second = make_article(), make_article()
    for ua in BROWSERS[:25]:
        counter.record_view(first, request(ua, "198.51.100.1"))
        counter.record_view(second, request(ua, "198.51.100.1"))
    assert (shown(first), shown(second)) == (25, 25)


def test_a_limit_of_zero_caps_nothing(db, settings):
    settings.VIEWCOUNTS_PER_ADDRESS_LIMIT = 0
    article = make_article()
    for ua in BROWSERS:
        counter.record_view(article, request(ua, "203.0.113.9"))
    assert shown(article) == 50


# Origin, for browsers without Sec-Fetch-Site


@pytest.mark.parametrize(
    "origin",
    ["https://evil.example", "http://testserver.evil.example", "null", "garbage"],
)
def test_a_cross_site_origin_without_sec_fetch_site_does_not_count(db, client, origin):
    article = make_article()
    response = client.post(
        reverse("viewcounts:record_view", args=[article.pk]),
        HTTP_USER_AGENT=BROWSERS[0],
        HTTP_ORIGIN=origin,
    )
    assert response.status_code == 204
    assert shown(article) == 0


def test_our_own_origin_counts(db, client):
    article = make_article()
    client.post(
        reverse("viewcounts:record_view", args=[article.pk]),
        HTTP_USER_AGENT=BROWSERS[0],
        HTTP_ORIGIN="http://testserver",
    )
    assert shown(article) == 1


def test_a_trusted_origin_counts(db, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.newsroom.example"]
    settings.ALLOWED_HOSTS = ["*"]
    assert rules.should_count(
        request(BROWSERS[0], "192.0.2.1", HTTP_ORIGIN="https://m.newsroom.example")
    )
    assert not rules.should_count(
        request(BROWSERS[0], "192.0.2.1", HTTP_ORIGIN="http://m.newsroom.example")
    )


def test_sec_fetch_site_decides_when_present(db):
    same = request(
        BROWSERS[0],
        "192.0.2.1",
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert rules.should_count(same)  # the browser's own word wins
