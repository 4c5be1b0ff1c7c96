"""A correction in Chromium: on the story page (top and bottom), in the
story's JSON-LD, on the corrections page (reached from the footer) and in the
corrections feed, read with feedparser. Screenshots at 390 and 1280 px."""

import json
from datetime import timedelta

import feedparser
import pytest
from django.utils import timezone

from corrections.models import Correction
from tests.browser.conftest import run_axe, screenshot
from tests.factories import make_article, make_author

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def corrected_story():
    story = make_article(
        headline="Harbour reopens after storm",
        body="<p>The harbour reopened on Monday after a week of repairs.</p>",
        authors=[make_author(name="Kim Reporter")],
        published_at=timezone.now() - timedelta(days=1),
    )
    # The story's own last change is older than its notes.
    type(story).objects.filter(pk=story.pk).update(updated_at=story.published_at)
    top = Correction.objects.create(
        story=story,
        text="An earlier version of this story said the harbour closed for a month.",
        published_at=timezone.now() - timedelta(hours=2),
    )
    bottom = Correction.objects.create(
        story=story,
        kind=Correction.Kind.CLARIFICATION,
        placement=Correction.Placement.BOTTOM,
        text="The repairs were paid for by the port authority, not the city.",
        published_at=timezone.now() - timedelta(hours=1),
    )
    return story, top, bottom


@pytest.mark.parametrize("width", [390, 1280])
def test_a_correction_on_the_page_in_the_json_ld_and_in_the_feed(
    page, live_server, corrected_story, width
):
    story, top, bottom = corrected_story
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(story.get_absolute_url())

    top_box = page.locator(".story-notes--top")
    bottom_box = page.locator(".story-notes--bottom")
    assert top_box.get_by_text(top.text).is_visible()
    assert bottom_box.get_by_text(bottom.text).is_visible()
    assert "clarification" in bottom_box.inner_text().lower()
    # Above the body and below it, as placed.
    body = page.locator(".story__body").bounding_box()
    assert top_box.bounding_box()["y"] < body["y"]
    assert bottom_box.bounding_box()["y"] > body["y"]
    assert page.locator(f"#correction-{top.pk} time").get_attribute("datetime")
    screenshot(page, f"corrections-story-{width}")

    blocks = page.locator('script[type="application/ld+json"]').all_text_contents()
    article = next(
        data for data in map(json.loads, blocks) if data.get("@type") == "NewsArticle"
    )
    assert [c["text"] for c in article["correction"]] == [top.text, bottom.text]
    assert {c["@type"] for c in article["correction"]} == {"CorrectionComment"}
    assert article["dateModified"] == bottom.published_at.isoformat()
    assert run_axe(page) == []

    page.get_by_role("contentinfo").get_by_role("link", name="Corrections").click()
    page.wait_for_url("**/corrections/")
    assert page.locator("h1").inner_text() == "Corrections and clarifications"
    items = page.locator(".corrections-list__item")
    assert items.count() == 2
    assert bottom.text in items.nth(0).inner_text()  # newest first
    screenshot(page, f"corrections-page-{width}")
    assert run_axe(page) == []

    items.nth(1).get_by_role("link", name=story.headline).click()
    page.wait_for_url(f"**{story.get_absolute_url()}#correction-{top.pk}")

    response = page.request.get(f"{live_server.url}/corrections/feed/")
    assert response.ok
    feed = feedparser.parse(response.body())
    assert not feed.bozo
    assert [entry.summary for entry in feed.entries] == [bottom.text, top.text]
    assert feed.entries[0].title == f"Clarification: {story.headline}"
