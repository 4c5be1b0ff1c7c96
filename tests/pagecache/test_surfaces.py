"""The page cache on the other reader surfaces: feeds, sitemaps, robots.txt,
date archives and the tag and author indexes.

Each is a hit for the second anonymous reader and is retired by a content
change, like the home, story, section, tag and author pages
(tests/articles/test_cache.py).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import sitemaps
from tests.factories import make_article, make_author, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TTL = 60
    settings.PAGE_CACHE_MAX_AGE = 0


@pytest.fixture
def story():
    author = make_author(name="Kim Reporter", slug="kim-reporter")
    return make_article(headline="Harbour reopens", authors=[author], tags=["Harbour"])


def surface_urls(story):
    section = story.section.slug
    day = timezone.localtime(story.published_at)
    return {
        "latest rss": reverse("articles:feed_latest_rss"),
        "latest atom": reverse("articles:feed_latest_atom"),
        "section rss": reverse("articles:section_feed_rss", args=[section]),
        "section atom": reverse("articles:section_feed_atom", args=[section]),
        "tag rss": reverse("articles:tag_feed_rss", args=["harbour"]),
        "tag atom": reverse("articles:tag_feed_atom", args=["harbour"]),
        "author rss": reverse("articles:author_feed_rss", args=["kim-reporter"]),
        "author atom": reverse("articles:author_feed_atom", args=["kim-reporter"]),
        "sitemap index": reverse("sitemap_index"),
        "story sitemap": reverse("sitemap_section", args=["stories"]),
        "section sitemap": reverse("sitemap_section", args=["sections"]),
        "tag sitemap": reverse("sitemap_section", args=["tags"]),
        "author sitemap": reverse("sitemap_section", args=["authors"]),
        "news sitemap": reverse("news_sitemap"),
        "robots.txt": reverse("robots_txt"),
        "year archive": reverse("articles:archive_year", args=[day.year]),
        "month archive": reverse("articles:archive_month", args=[day.year, day.month]),
        "day archive": reverse(
            "articles:archive_day", args=[day.year, day.month, day.day]
        ),
        "tag index": reverse("articles:tag_index"),
        "author index": reverse("articles:author_index"),
    }


SURFACES = [
    "latest rss",
    "latest atom",
    "section rss",
    "section atom",
    "tag rss",
    "tag atom",
    "author rss",
    "author atom",
    "sitemap index",
    "story sitemap",
    "section sitemap",
    "tag sitemap",
    "author sitemap",
    "news sitemap",
    "robots.txt",
    "year archive",
    "month archive",
    "day archive",
    "tag index",
    "author index",
]
# Surfaces that show a story's headline (the others list addresses, dates or
# names only).
SHOW_HEADLINES = {
    "latest rss",
    "latest atom",
    "section rss",
    "section atom",
    "tag rss",
    "tag atom",
    "author rss",
    "author atom",
    "news sitemap",
    "year archive",
    "month archive",
    "day archive",
}


@pytest.mark.parametrize("surface", SURFACES)
def test_the_second_anonymous_request_is_a_hit_without_queries(
    client, story, surface, django_assert_num_queries
):
    url = surface_urls(story)[surface]
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["ETag"] == first["ETag"]
    assert not second.cookies
    assert "cookie" not in second.get("Vary", "").lower()
    assert second["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304


# Pages an edit of a story's text leaves as they are.
UNTOUCHED_BY_AN_EDIT = {"tag index", "author index"}


@pytest.mark.parametrize("surface", SURFACES)
def test_a_content_change_retires_the_cached_copy(client, story, surface):
    url = surface_urls(story)[surface]
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    story.headline = "Harbour reopens to ferries"
    story.save()
    response = client.get(url)
    assert response.status_code == 200
    if surface in UNTOUCHED_BY_AN_EDIT:
        # They show tags or authors and their counts, not headlines: kept
        # (the tests below retire them when a story enters or leaves).
        assert response["X-Page-Cache"] == "hit"
        return
    assert response["X-Page-Cache"] == "miss"
    if surface in SHOW_HEADLINES:
        assert "Harbour reopens to ferries" in response.content.decode()


def test_a_new_tag_appears_on_the_cached_tag_index_and_tag_sitemap(client, story):
    urls = surface_urls(story)
    for url in (urls["tag index"], urls["tag sitemap"]):
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit"
    story.tags.add("Ferries")
    assert "Ferries" in client.get(urls["tag index"]).content.decode()
    assert "/tags/ferries/" in client.get(urls["tag sitemap"]).content.decode()


def test_a_new_author_appears_on_the_cached_author_index(client, story):
    url = surface_urls(story)["author index"]
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    make_article(authors=[make_author(name="Lee Photographer")])
    assert "Lee Photographer" in client.get(url).content.decode()


def test_a_feed_keeps_its_own_last_modified_on_hits(client, story):
    url = surface_urls(story)["latest rss"]
    first = client.get(url)
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second["Last-Modified"] == first["Last-Modified"]
    assert second["Content-Type"].startswith("application/rss+xml")


def test_sitemap_pages_are_cached_apart(client, story, monkeypatch):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)
    make_article(headline="Ferry strike ends")
    url = surface_urls(story)["story sitemap"]
    first_page = client.get(url + "?p=1")
    assert client.get(url + "?p=1")["X-Page-Cache"] == "hit"
    second_page = client.get(url + "?p=2")
    assert second_page.status_code == 200
    assert second_page["X-Page-Cache"] == "miss"
    assert second_page.content != first_page.content
    assert client.get(url + "?p=3").status_code == 404
    # Other parameters share the page.
    assert client.get(url + "?p=2&utm_source=x")["X-Page-Cache"] == "hit"


def test_a_scheduled_story_reaches_the_cached_feed_on_time(client, story, monkeypatch):
    now = timezone.now()
    make_article(headline="Budget announced", published_at=now + timedelta(minutes=10))
    url = surface_urls(story)["latest rss"]
    client.get(url)
    assert "Budget announced" not in client.get(url).content.decode()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=11))
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Budget announced" in response.content.decode()


def test_staff_get_fresh_private_feeds(client, story):
    url = surface_urls(story)["latest rss"]
    client.get(url)
    staff = Client()
    staff.force_login(make_user(staff=True))
    response = staff.get(url)
    assert response["X-Page-Cache"] == "bypass"
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("surface", SURFACES)
def test_with_redis_down_every_surface_is_still_served(
    client, story, surface, settings
):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
    url = surface_urls(story)[surface]
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "unavailable"
        assert not response.cookies


@pytest.mark.parametrize("page", ["01", "001", "+1", " 1"])
def test_sitemap_page_numbers_are_stored_only_in_their_plain_form(
    client, story, monkeypatch, page
):
    monkeypatch.setattr(sitemaps.ArticleSitemap, "limit", 1)
    url = surface_urls(story)["story sitemap"]
    plain = client.get(url, {"p": "1"})
    assert client.get(url, {"p": "1"})["X-Page-Cache"] == "hit"
    for _ in range(2):
        response = client.get(url, {"p": page})
        assert response.status_code == 200  # Django's paginator takes it
        assert response["X-Page-Cache"] == "uncacheable"
        assert response.content == plain.content


def test_a_feed_that_lost_its_newest_story_is_not_taken_for_the_old_one(client, story):
    """A feed's own date is its newest story's: it goes back when that story is
    deleted. The cached page's Last-Modified is when it was stored."""
    newest = make_article(headline="Ferry strike ends")
    url = surface_urls(story)["latest rss"]
    before = client.get(url)
    assert "Ferry strike ends" in before.content.decode()
    newest.delete()
    response = client.get(url, headers={"If-Modified-Since": before["Last-Modified"]})
    assert response.status_code == 200
    assert "Ferry strike ends" not in response.content.decode()
