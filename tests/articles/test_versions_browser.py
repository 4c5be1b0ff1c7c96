"""The conflict screen in Chromium: a save from a form opened before someone
else's save, at a desk's width and a phone's, driven by the keyboard."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from articles import services
from articles.models import Article
from articles.roles import ensure_roles
from tests.articles.workflow_helpers import make_role_user
from tests.browser.conftest import _missing, contexts, run_axe
from tests.browser.test_e2e import log_in
from tests.factories import make_article, make_author

__all__ = ["contexts"]  # a fixture, used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at (git-ignored), beside the other browser tests'.
SCREENS = Path(__file__).resolve().parents[2] / "artifacts/screenshots/versions"
WIDTHS = {"desk": 1280, "phone": 390}


@pytest.fixture(autouse=True)
def _chromium():
    # tests/browser/conftest.py's rule, for a browser test outside that folder.
    missing = _missing()
    if missing and os.environ.get("CI"):
        pytest.fail(f"CI: browser tests need {' and '.join(missing)}")
    if missing:
        pytest.skip(f"browser tests need {' and '.join(missing)} (run `make test`)")


@pytest.fixture
def desk(contexts):
    return lambda: contexts()[1]


def shoot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)  # the layout settles at the new width
        page.screenshot(path=str(SCREENS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def change_url(story):
    return f"/admin/articles/article/{story.pk}/change/"


def press_with_keyboard(page, locator, *, limit=400):
    """Tab to ``locator`` (it must be reachable), then press Enter."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            page.keyboard.press("Enter")
            return
    pytest.fail("not reachable with the Tab key")


@pytest.fixture
def story_opened_then_saved_by_them(desk):
    ensure_roles()
    me = make_role_user("Editor")
    me.first_name, me.last_name = "Ana", "Silva"
    me.save()
    them = make_role_user("Editor")
    them.first_name, them.last_name = "Eugene", "Park"
    them.save()
    story = make_article(
        headline="Harbour wall holds",
        dek="The wall stood through the night.",
        body="<p>The wall stood through the night.</p>",
        authors=[make_author(name="Lee Min")],
    )
    services.save_story(story, by=me)
    page = desk()
    log_in(page, me)
    page.goto(change_url(story))
    page.locator("#id_dek").wait_for()
    # Their save lands while my form is open.
    theirs = Article.objects.get(pk=story.pk)
    theirs.dek = "Engineers inspect the harbour wall at noon."
    theirs.headline = "Harbour wall holds after the storm"
    services.save_story(theirs, by=them, expected_version=theirs.version)
    page.locator("#id_dek").fill("The wall held; the pier lost two lamps.")
    return story, page


def test_the_conflict_screen_shows_both_and_keep_mine_saves_mine(
    story_opened_then_saved_by_them,
):
    story, page = story_opened_then_saved_by_them
    page.get_by_role("button", name="Update").click()

    conflict = page.locator(".story-conflict")
    expect(conflict).to_be_visible()
    expect(page.locator(".conflict-summary")).to_contain_text(
        "Eugene Park saved this story at"
    )
    expect(conflict).to_contain_text("Engineers inspect the harbour wall at noon.")
    expect(conflict).to_contain_text("the pier lost two lamps")
    assert run_axe(page) == []
    shoot(page, "conflict")
    assert "pier" not in Article.objects.get(pk=story.pk).dek

    press_with_keyboard(page, page.get_by_role("button", name="Keep mine"))
    page.wait_for_url(re.compile(r"/admin/articles/article/(\?.*)?$"))
    stored = Article.objects.get(pk=story.pk)
    assert stored.dek == "The wall held; the pier lost two lamps."
    assert stored.headline == "Harbour wall holds"  # mine, over theirs


def test_merge_by_hand_with_the_keyboard(story_opened_then_saved_by_them):
    story, page = story_opened_then_saved_by_them
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".story-conflict")).to_be_visible()

    press_with_keyboard(page, page.get_by_role("button", name="Merge by hand"))

    notice = page.locator("#conflict-merge-notice")
    expect(notice).to_contain_text("Merging by hand.")
    expect(page.locator("#id_dek")).to_have_value(
        "The wall held; the pier lost two lamps."
    )
    expect(page.locator("#conflict-theirs-dek")).to_contain_text(
        "Engineers inspect the harbour wall at noon."
    )
    expect(page.locator("#conflict-theirs-headline")).to_contain_text("after the storm")
    assert run_axe(page) == []
    shoot(page, "merge-by-hand")

    page.locator("#id_headline").fill("Harbour wall holds after the storm")
    page.locator("#id_dek").fill(
        "The wall held; the pier lost two lamps. Engineers inspect it at noon."
    )
    page.get_by_role("button", name="Update").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/(\?.*)?$"))
    stored = Article.objects.get(pk=story.pk)
    assert stored.headline == "Harbour wall holds after the storm"
    assert stored.dek.endswith("Engineers inspect it at noon.")


def test_keep_theirs_opens_their_version(story_opened_then_saved_by_them):
    story, page = story_opened_then_saved_by_them
    page.get_by_role("button", name="Update").click()
    expect(page.locator(".story-conflict")).to_be_visible()

    press_with_keyboard(page, page.get_by_role("link", name="Keep theirs"))

    expect(page.locator("#id_dek")).to_have_value(
        "Engineers inspect the harbour wall at noon."
    )
    assert "pier" not in Article.objects.get(pk=story.pk).dek
