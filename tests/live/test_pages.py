"""What readers get: the story page's live coverage, its JSON-LD, the
polling endpoint, the updates feed and an update's permalink."""

import json
from datetime import timedelta

import feedparser
import html5lib
import pytest
from django.urls import reverse
from django.utils import timezone

from live import services
from tests.factories import make_article, make_author, make_draft
from tests.live.conftest import make_coverage, make_update

pytestmark = pytest.mark.django_db


def parse(response):
    return html5lib.parse(response.content.decode(), namespaceHTMLElements=False)


def by_class(doc, name):
    return [el for el in doc.iter() if name in (el.get("class") or "").split()]


def json_ld(doc):
    for script in doc.iter("script"):
        if script.get("type") == "application/ld+json":
            data = json.loads(script.text)
            if data.get("@type") != "BreadcrumbList":
                return data
    raise AssertionError("no story JSON-LD")


def text(el) -> str:
    return " ".join("".join(el.itertext()).split())


@pytest.fixture
def live_story():
    story = make_article(headline="Harbour closed by storm")
    coverage = make_coverage(story)
    kim = make_author(name="Kim Seo")
    now = timezone.now()
    first = make_update(
        coverage,
        "The harbour master closed the port.",
        headline="Port closed",
        pinned=True,
        author=kim,
        published_at=now - timedelta(minutes=30),
    )
    second = make_update(
        coverage,
        "Ferries are cancelled.\n\nBuses replace them.",
        author=kim,
        published_at=now - timedelta(minutes=10),
    )
    third = make_update(
        coverage,
        "Winds reached 120 km/h <b>at noon</b>.",
        pinned=True,
        published_at=now - timedelta(minutes=2),
    )
    return story, coverage, [first, second, third]


def test_the_story_page_shows_badge_key_points_and_updates_newest_first(
    client, live_story
):
    story, coverage, (first, second, third) = live_story
    doc = parse(client.get(story.get_absolute_url()))
    assert [text(b) for b in by_class(doc, "live-badge")] == ["Live"]
    items = by_class(doc, "live-update")
    assert [el.get("id") for el in items] == [third.anchor, second.anchor, first.anchor]
    assert "Kim Seo" in text(items[1])
    assert [text(p) for p in by_class(items[1], "live-update__text")] == [
        "Ferries are cancelled.",
        "Buses replace them.",
    ]
    # Plain text: the markup typed is shown, never interpreted.
    assert not list(items[0].iter("b"))
    assert "<b>at noon</b>" in text(items[0])
    times = list(items[0].iter("time"))
    assert times and times[0].get("datetime")
    points = by_class(doc, "live-key-points")[0]
    assert [a.get("href") for a in points.iter("a")] == [
        f"#{third.anchor}",
        f"#{first.anchor}",
    ]
    section = doc.find(".//section[@id='live']")
    assert section.get("data-live-updates") == reverse("live:updates", args=[story.pk])
    scripts = [s.get("src") or "" for s in doc.iter("script")]
    assert any(src.endswith("live/live.js") for src in scripts)
    assert not by_class(doc, "live__ended")


def test_an_ended_coverage_says_so_and_stops_polling(client, live_story):
    story, coverage, _ = live_story
    services.end_coverage(coverage)
    doc = parse(client.get(story.get_absolute_url()))
    assert "Coverage ended" in text(by_class(doc, "live__ended")[0])
    assert [text(b) for b in by_class(doc, "live-badge")] == ["Live coverage ended"]
    assert doc.find(".//section[@id='live']").get("data-live-updates") is None
    assert not any(
        (s.get("src") or "").endswith("live/live.js") for s in doc.iter("script")
    )
    data = json_ld(doc)
    assert data["coverageEndTime"] == coverage.ended_at.isoformat()


def test_a_story_that_is_not_live_shows_none_of_it(client):
    story = make_article()
    doc = parse(client.get(story.get_absolute_url()))
    assert (
        not by_class(doc, "live-badge") and doc.find(".//section[@id='live']") is None
    )
    assert json_ld(doc)["@type"] == "NewsArticle"


def test_the_json_ld_is_a_live_blog_posting_with_its_updates(client, live_story):
    story, coverage, (first, second, third) = live_story
    type(story).objects.filter(pk=story.pk).update(
        updated_at=timezone.now() - timedelta(hours=1)
    )
    data = json_ld(parse(client.get(story.get_absolute_url())))
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == coverage.started_at.isoformat()
    assert "coverageEndTime" not in data
    updates = data["liveBlogUpdate"]
    assert [u["@type"] for u in updates] == ["BlogPosting"] * 3
    page = f"http://testserver{story.get_absolute_url()}"
    assert [u["url"] for u in updates] == [
        f"{page}#{u.anchor}" for u in (third, second, first)
    ]
    assert updates[2]["headline"] == "Port closed"
    assert updates[1]["articleBody"] == "Ferries are cancelled.\n\nBuses replace them."
    assert updates[1]["author"]["name"] == "Kim Seo"
    assert updates[0]["datePublished"] == third.published_at.isoformat()
    assert "author" not in updates[0]
    assert data["dateModified"] == third.published_at.isoformat()


def test_the_polling_endpoint_answers_json_cacheable_with_validators(
    client, live_story
):
    story, coverage, (first, second, third) = live_story
    url = reverse("live:updates", args=[story.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age=" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    data = response.json()
    assert data["ended"] is False
    assert [u["id"] for u in data["updates"]] == [third.pk, second.pk, first.pk]
    assert data["limit"] == 20 and all(u["version"] for u in data["updates"])
    fragment = html5lib.parseFragment(
        data["updates"][0]["html"], namespaceHTMLElements=False
    )
    assert fragment[0].get("id") == third.anchor
    assert "Key points" in data["key_points"]
    again = client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    make_update(coverage, "A fourth update.")
    changed = client.get(url, headers={"if-none-match": response["ETag"]})
    assert changed.status_code == 200
    assert changed.json()["updates"][0]["html"].count("A fourth update.") == 1


@pytest.mark.parametrize("state", ["draft", "scheduled", "not live"])
def test_the_endpoint_feed_and_permalink_know_only_live_stories(client, state):
    if state == "draft":
        story = make_draft()
    elif state == "scheduled":
        story = make_article(published_at=timezone.now() + timedelta(days=1))
    else:
        story = make_article()
    if state != "not live":
        update = make_update(make_coverage(story), "Secret words zq-hidden.")
        permalink = client.get(reverse("live:update", args=[update.pk]))
        assert permalink.status_code == 404
    for name in ("live:updates", "live:feed"):
        response = client.get(reverse(name, args=[story.pk]))
        assert response.status_code == 404
        assert b"zq-hidden" not in response.content


def test_the_permalink_redirects_to_the_update_on_the_story_page(client, live_story):
    story, _, (first, *_) = live_story
    response = client.get(reverse("live:update", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{story.get_absolute_url()}#{first.anchor}"
    assert client.get(reverse("live:update", args=[999999])).status_code == 404


def test_the_updates_feed_lists_the_newest_updates(client, live_story):
    story, coverage, (first, second, third) = live_story
    response = client.get(reverse("live:feed", args=[story.pk]))
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert feed.feed.title == "Live: Harbour closed by storm"
    assert [e.link for e in feed.entries] == [
        f"http://testserver{story.get_absolute_url()}#{u.anchor}"
        for u in (third, second, first)
    ]
    assert feed.entries[2].title == "Port closed"
    assert feed.entries[1].author == "Kim Seo"
    # Escaped in the feed, text again in a reader.
    assert "&lt;b&gt;at noon&lt;/b&gt;" in feed.entries[0].summary


def test_a_live_storys_feed_item_says_it_is_live_and_moves_its_updated_time(
    client, live_story
):
    story, coverage, (*_, third) = live_story
    hour_ago = timezone.now() - timedelta(hours=1)
    type(story).objects.filter(pk=story.pk).update(updated_at=hour_ago)
    type(coverage).objects.filter(pk=coverage.pk).update(updated_at=hour_ago)
    feed = feedparser.parse(client.get(reverse("articles:feed_latest_atom")).content)
    entry = next(e for e in feed.entries if e.title == story.headline)
    assert "Live" in entry.content[0].value and "3 updates" in entry.content[0].value
    assert entry.updated_parsed[:6] == third.published_at.utctimetuple()[:6]


def test_the_updates_words_carry_the_storys_language_not_the_interface(
    client, settings
):
    """An English story on the Korean site: its updates' words say ``en``; the
    times and labels around them are the site's (``<html lang="ko">``)."""
    settings.LANGUAGE_CODE = "ko"
    story = make_article(headline="Harbour closed by storm", language="en")
    coverage = make_coverage(story)
    make_update(coverage, "The port is shut.", headline="Port shut", pinned=True)
    pages = {
        "page": parse(client.get(story.get_absolute_url())),
        "poll": html5lib.parse(
            client.get(reverse("live:updates", args=[story.pk])).json()["updates"][0][
                "html"
            ],
            namespaceHTMLElements=False,
        ),
    }
    for name, doc in pages.items():
        [update] = by_class(doc, "live-update")
        assert update.get("lang") is None, name
        for part in ("live-update__headline", "live-update__text"):
            assert [el.get("lang") for el in by_class(update, part)] == ["en"], name
        [meta] = by_class(update, "live-update__meta")
        assert meta.get("lang") is None, name
    [point] = by_class(pages["page"], "live-key-points")[0].iter("a")
    assert point.get("lang") == "en"
