"""Live coverage in Chromium: a second reader's page, open before an update is
posted, shows it without a reload and announces it; axe on a live story page;
screenshots at 390 and 1280 px."""

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles.roles import ensure_roles
from live import services
from tests.browser.conftest import run_axe, screenshot
from tests.factories import make_article, make_author, make_user
from tests.live.conftest import make_coverage, make_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at (git-ignored), beside the other browser tests'.
SCREENS = Path(__file__).resolve().parents[2] / "artifacts/screenshots/live"
# The page polls every 15 seconds: a new update shows within one turn.
WAIT_MS = 45_000


@pytest.fixture
def live_story():
    kim = make_author(name="Kim Reporter")
    story = make_article(
        headline="Storm closes the harbour",
        body="<p>A storm closed the harbour on Tuesday morning.</p>",
        authors=[kim],
        published_at=timezone.now() - timedelta(hours=3),
    )
    coverage = make_coverage(story, summary="Follow the storm as it passes.")
    now = timezone.now()
    make_update(
        coverage,
        "The harbour master closed the port to all traffic.",
        headline="Port closed",
        pinned=True,
        author=kim,
        published_at=now - timedelta(hours=2),
    )
    make_update(
        coverage,
        "Ferries to the islands are cancelled for the day.\n\n"
        "Buses run from the quay instead.",
        author=kim,
        published_at=now - timedelta(hours=1),
    )
    return story, coverage, kim


def keep_screenshot(page, name):
    screenshot(page, name)
    SCREENS.mkdir(parents=True, exist_ok=True)
    source = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
    shutil.copy(source / f"{name}.png", SCREENS / f"{name}.png")


def test_a_second_readers_page_gains_the_update_without_a_reload(
    page, browser, live_server, live_story
):
    story, coverage, kim = live_story
    second = browser.new_context(base_url=live_server.url)
    reader = second.new_page()
    try:
        page.goto(story.get_absolute_url())
        reader.goto(story.get_absolute_url())
        reader.evaluate("window.__notReloaded = true")
        assert reader.locator(".live-update").count() == 2

        update = services.post_update(
            coverage,
            "Winds passed 120 km/h at the lighthouse.",
            pinned=True,
            author=kim,
        )
        new = reader.locator(f"#{update.anchor}")
        new.wait_for(state="visible", timeout=WAIT_MS)
        # At the top of the stream, in the key points, and announced.
        assert reader.locator(".live-update").first.get_attribute("id") == (
            update.anchor
        )
        assert reader.locator(".live-update").count() == 3
        assert (
            "Winds passed 120 km/h" in reader.locator(".live-key-points").inner_text()
        )
        assert reader.locator("[data-live-announce]").inner_text() == "1 new update"
        assert reader.evaluate("window.__notReloaded") is True
        # The first reader's page too.
        page.locator(f"#{update.anchor}").wait_for(state="visible", timeout=WAIT_MS)

        # An edit and a deletion reach the open page the same way.
        edited, deleted = coverage.updates.order_by("published_at")[:2]
        gone = deleted.anchor  # before delete() forgets the id
        edited.text = "The port reopened to pilot boats only."
        services.save_update(edited)
        deleted.delete()
        reader.locator(f"#{edited.anchor}").get_by_text("pilot boats only").wait_for(
            state="visible", timeout=WAIT_MS
        )
        assert reader.locator(f"#{gone}").count() == 0
        assert reader.locator(".live-update").count() == 2
        assert reader.evaluate("window.__notReloaded") is True
    finally:
        second.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_live_story_page_passes_axe_and_is_screenshotted(page, live_story, width):
    story, coverage, _ = live_story
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(story.get_absolute_url())
    assert page.locator(".live-badge").inner_text().strip().lower() == "live"
    assert page.locator(".live-key-points").get_by_text("Port closed").is_visible()
    assert run_axe(page) == []
    page.locator("#live").scroll_into_view_if_needed()
    keep_screenshot(page, f"live-story-{width}")

    services.end_coverage(coverage)
    page.reload()
    assert page.locator(".live__ended").is_visible()
    assert run_axe(page) == []
    keep_screenshot(page, f"live-story-ended-{width}")


@pytest.mark.parametrize("width", [390, 1280])
def test_a_reporter_posts_an_update_from_the_desk(page, live_story, settings, width):
    settings.STAFF_2FA = "off"
    ensure_roles()  # a transactional test's flush removed the groups
    story, coverage, kim = live_story
    reporter = make_user(staff=True)
    reporter.groups.add(Group.objects.get(name="Reporter"))
    kim.user = reporter
    kim.save()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(reporter.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(reverse("admin:live_livecoverage_changelist"))
    page.get_by_role("link", name="Post an update").click()
    # The story and the byline are chosen, the text has the focus.
    text = page.locator("#id_text")
    assert text.evaluate("el => el === document.activeElement")
    page.keyboard.type("Tugs are towing a drifting barge away from the pier.")
    keep_screenshot(page, f"live-desk-post-{width}")
    page.get_by_role("button", name=re.compile("save and add another", re.I)).click()
    page.wait_for_url(re.compile(rf"\?coverage={coverage.pk}$"))
    assert page.locator("#id_text").input_value() == ""
    update = coverage.updates.get(text__startswith="Tugs are towing")
    assert update.author == kim and update.created_by == reporter
    assert run_axe(page) == []
