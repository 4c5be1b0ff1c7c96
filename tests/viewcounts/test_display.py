"""Counts on the page: "N views", Most Viewed, the beacon markup, query budgets."""

from datetime import datetime, timedelta

import html5lib
import pytest
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_draft
from viewcounts import counter, stats

NOON = timezone.make_aware(datetime(2026, 3, 20, 12, 0))


@pytest.fixture(autouse=True)
def _database_path(settings):
    settings.VIEWCOUNTS_REDIS_URL = ""
    counter.reset_redis_state()


def parse(response):
    return html5lib.parse(response.content, namespaceHTMLElements=False)


def text(element):
    return " ".join("".join(element.itertext()).split())


def views(article, n, when=NOON):
    counter.apply_counts({(article.pk, timezone.localdate(when)): n})


# Most Viewed


def test_most_viewed_orders_stories_by_views_in_the_period(db):
    low, high, middle = make_article(), make_article(), make_article()
    views(low, 3)
    views(high, 30)
    views(middle, 12)
    stories = stats.most_viewed("today", 5, now=NOON)
    assert [s.pk for s in stories] == [high.pk, middle.pk, low.pk]
    assert [s.period_views for s in stories] == [30, 12, 3]


def test_most_viewed_windows_are_today_seven_and_thirty_days(db):
    today, this_week, this_month, older = (make_article() for _ in range(4))
    views(today, 1)
    views(this_week, 50, NOON - timedelta(days=6))
    views(this_month, 500, NOON - timedelta(days=29))
    views(older, 5000, NOON - timedelta(days=30))
    pks = {
        period: [s.pk for s in stats.most_viewed(period, 10, now=NOON)]
        for period in ("today", "7d", "30d")
    }
    assert pks["today"] == [today.pk]
    assert pks["7d"] == [this_week.pk, today.pk]
    assert pks["30d"] == [this_month.pk, this_week.pk, today.pk]


def test_most_viewed_sums_the_days_of_the_period(db):
    steady, burst = make_article(), make_article()
    for days_ago in range(7):
        views(steady, 10, NOON - timedelta(days=days_ago))
    views(burst, 60)
    stories = stats.most_viewed("7d", 5, now=NOON)
    assert [(s.pk, s.period_views) for s in stories] == [
        (steady.pk, 70),
        (burst.pk, 60),
    ]


def test_most_viewed_leaves_out_drafts_and_scheduled_and_withdrawn_stories(db):
    live = make_article()
    draft = make_draft()
    scheduled = make_article(published_at=timezone.now() + timedelta(days=1))
    withdrawn = make_article()
    for story in (live, draft, scheduled, withdrawn):
        views(story, 100 if story is not live else 1)
    Article.objects.filter(pk=withdrawn.pk).update(status=Article.Status.DRAFT)
    assert [s.pk for s in stats.most_viewed("today", 10, now=NOON)] == [live.pk]


def test_most_viewed_limits_and_is_cached_briefly(db, django_assert_num_queries):
    for n in range(8):
        views(make_article(), n + 1)
    with django_assert_num_queries(1):
        assert len(stats.most_viewed("7d", 5, now=NOON)) == 5
    with django_assert_num_queries(0):
        stats.most_viewed("7d", 5, now=NOON)
    cache.clear()
    with django_assert_num_queries(1):
        stats.most_viewed("7d", 5, now=NOON)


def test_an_unknown_period_is_an_error():
    with pytest.raises(ValueError):
        stats.most_viewed("forever")


def test_home_page_shows_most_viewed_in_order(db, client):
    first, second = make_article(), make_article()
    views(first, 9, timezone.now())
    views(second, 1200, timezone.now())
    doc = parse(client.get(reverse("articles:home")))
    section = doc.find(".//section[@class='most-viewed']")
    assert section is not None
    today = section.find(".//div[@data-period='today']")
    items = today.findall(".//li")
    assert [item.find("a").text for item in items] == [second.headline, first.headline]
    assert "1,200 views" in text(items[0])
    periods = [d.get("data-period") for d in section.findall("./div")]
    assert periods == ["today", "7d", "30d"]


# The story page


def test_story_page_shows_its_count_with_thousands_separators(db, client):
    article = make_article()
    views(article, 1234567)
    doc = parse(client.get(article.get_absolute_url()))
    count = doc.find(".//p[@class='story__views']")
    assert text(count) == "1,234,567 views"


@pytest.mark.parametrize("n,label", [(0, "0 views"), (1, "1 view"), (2, "2 views")])
def test_view_count_says_view_or_views(db, n, label):
    article = make_article()
    if n:
        views(article, n)
    rendered = Template("{% load viewcount_tags %}{% view_count article %}").render(
        Context({"article": article})
    )
    assert rendered == label


def test_view_count_uses_an_annotation_when_present(db, django_assert_num_queries):
    article = make_article()
    views(article, 5)
    annotated = stats.with_view_counts(Article.objects.all()).get(pk=article.pk)
    with django_assert_num_queries(0):
        assert stats.view_count(annotated) == 5
    with django_assert_num_queries(1):
        assert stats.view_count(article) == 5


def test_story_page_carries_the_beacon_and_the_no_script_pixel(db, client):
    article = make_article()
    response = client.get(article.get_absolute_url())
    doc = parse(response)
    story = doc.find(".//article[@class='story']")
    assert story.get("data-view-beacon") == reverse(
        "viewcounts:record_view", args=[article.pk]
    )
    scripts = list(doc.iter("script"))
    beacon_scripts = [
        s for s in scripts if (s.get("src") or "").endswith("viewcounts/beacon.js")
    ]
    assert len(beacon_scripts) == 1 and beacon_scripts[0].get("defer") is not None
    data = {"application/ld+json", "application/json"}
    assert all(s.get("src") or s.get("type") in data for s in scripts)  # no inline JS
    pixel = doc.find(".//noscript/img")
    assert pixel.get("src") == reverse("viewcounts:view_pixel", args=[article.pk])
    assert pixel.get("alt") == ""


def test_rendering_the_story_page_counts_nothing(db, client):
    """The page may come from a cache: only the beacon counts."""
    article = make_article()
    client.get(article.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0 Firefox/133.0")
    counter.flush_pending()
    assert stats.view_count(article) == 0


def test_a_story_served_from_a_page_cache_still_counts_through_its_beacon(db, client):
    article = make_article()
    cached_page = client.get(article.get_absolute_url()).content  # e.g. a CDN copy
    url = parse_beacon(cached_page)
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.2"):
        client.post(url, HTTP_USER_AGENT="Mozilla/5.0 Firefox/133.0", REMOTE_ADDR=ip)
    counter.flush_pending()
    assert stats.view_count(article) == 2


def parse_beacon(content):
    doc = html5lib.parse(content, namespaceHTMLElements=False)
    return doc.find(".//article[@data-view-beacon]").get("data-view-beacon")


def _queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_story_page_query_count_does_not_grow_with_views_or_stories(db, client):
    article = make_article(tags=["a", "b"])
    for n in range(10):
        views(make_article(), n + 1)
    views(article, 3)
    few = _queries(client, article.get_absolute_url())
    for n in range(200):
        other = make_article()
        views(other, n + 1)
        views(other, n + 1, NOON - timedelta(days=3))
    assert _queries(client, article.get_absolute_url()) == few


def test_home_page_query_count_does_not_grow_with_views(db, client):
    for n in range(10):
        views(make_article(), n + 1)
    few = _queries(client, reverse("articles:home"))
    for n in range(200):
        views(make_article(), n + 1, timezone.now())
    assert _queries(client, reverse("articles:home")) == few


def test_most_viewed_costs_three_queries_cold_and_none_warm(
    db, django_assert_num_queries
):
    for n in range(20):
        views(make_article(), n + 1, timezone.now())
    template = Template("{% load viewcount_tags %}{% most_viewed 5 %}")
    with django_assert_num_queries(3):
        template.render(Context({}))
    with django_assert_num_queries(0):
        template.render(Context({}))


def test_a_stale_most_viewed_list_is_recomputed_by_one_request_at_a_time(
    db, django_assert_num_queries, monkeypatch, settings
):
    settings.VIEWCOUNTS_MOST_VIEWED_CACHE_SECONDS = 60
    first = make_article()
    views(first, 5)
    clock = [1_000_000.0]
    monkeypatch.setattr(counter.time, "time", lambda: clock[0])
    assert [s.pk for s in stats.most_viewed("7d", 5, now=NOON)] == [first.pk]
    second = make_article()
    views(second, 50)

    clock[0] += 61  # stale: another process is already recomputing it
    key = "views:most:v3:7d:5"
    cache.add(f"{key}:refresh", 1, timeout=60)
    with django_assert_num_queries(0):
        assert [s.pk for s in stats.most_viewed("7d", 5, now=NOON)] == [first.pk]

    cache.delete(f"{key}:refresh")  # that process is gone: this request refreshes
    with django_assert_num_queries(1):
        fresh = [s.pk for s in stats.most_viewed("7d", 5, now=NOON)]
    assert fresh == [second.pk, first.pk]
    with django_assert_num_queries(0):
        stats.most_viewed("7d", 5, now=NOON)


def test_an_old_most_viewed_list_is_not_served_past_one_more_period(
    db, django_assert_num_queries, monkeypatch, settings
):
    settings.VIEWCOUNTS_MOST_VIEWED_CACHE_SECONDS = 60
    views(make_article(), 5)
    clock = [1_000_000.0]
    monkeypatch.setattr(counter.time, "time", lambda: clock[0])
    stats.most_viewed("7d", 5, now=NOON)
    cache.add("views:most:v3:7d:5:refresh", 1, timeout=600)  # a stuck refresher

    clock[0] += 121  # past fresh (60 s) and the stale period (60 s more)
    with django_assert_num_queries(1):
        stats.most_viewed("7d", 5, now=NOON)


def test_a_new_day_recomputes_the_list_once(db, django_assert_num_queries):
    views(make_article(), 5)
    stats.most_viewed("today", 5, now=NOON)
    tomorrow = NOON + timedelta(days=1)
    with django_assert_num_queries(1):
        assert stats.most_viewed("today", 5, now=tomorrow) == []
    with django_assert_num_queries(0):
        stats.most_viewed("today", 5, now=tomorrow)
