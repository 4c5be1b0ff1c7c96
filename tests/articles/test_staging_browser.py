"""Pending changes in Chromium: a reporter stages and submits changes to their
live story, a reader in a browser context of their own keeps seeing the live
version, an editor publishes the changes, and only then does the reader see
them. Screenshots at desk and phone widths go to artifacts/screenshots/staging/."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles import services
from articles.models import Article, PendingChange
from articles.roles import ensure_roles
from tests.browser.conftest import run_axe
from tests.browser.test_desk import log_in
from tests.browser.test_people_previews import fresh_page
from tests.factories import make_article, make_author, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at (git-ignored), beside the other browser tests'.
SCREENS = Path(__file__).resolve().parents[2] / "artifacts/screenshots/staging"
LIVE = "Harbour reopens after the storm"
PENDING = "Harbour reopens to ferries after the storm"


def shot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


@pytest.fixture
def newsroom(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_roles()
    reporter = make_user(staff=True)
    reporter.groups.add(Group.objects.get(name="Reporter"))
    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    story = make_article(
        headline=LIVE,
        slug="harbour-reopens",
        section=make_section(name="Coast", slug="coast"),
        authors=[make_author(name="Kim Reporter", slug="kim")],
        created_by=reporter,
    )
    services.save_story(story, by=reporter)
    return {"reporter": reporter, "editor": editor, "story": story}


@pytest.mark.parametrize("width", [1280, 390])
def test_pending_changes_stay_invisible_to_readers_until_an_editor_publishes(
    browser, live_server, newsroom, width
):
    story = newsroom["story"]
    change = f"/admin/articles/article/{story.pk}/change/"
    reporter = fresh_page(browser, live_server, width)
    reader = fresh_page(browser, live_server, width)
    editor = fresh_page(browser, live_server, width)
    try:
        log_in(reporter, newsroom["reporter"])
        reporter.goto(change)
        expect(reporter.get_by_text("This story is live.")).to_be_visible()
        reporter.locator("textarea[name=headline]").fill(PENDING)
        reporter.locator("input[name=_stage]").click()
        expect(
            reporter.get_by_text(
                "You are editing the pending changes; readers see the live version."
            )
        ).to_be_visible()
        expect(reporter.locator("textarea[name=headline]")).to_have_value(PENDING)
        shot(reporter, f"reporter-pending-form-{width}")
        assert Article.objects.get(pk=story.pk).headline == LIVE

        reader.goto(story.get_absolute_url())
        expect(reader.locator("h1")).to_have_text(LIVE)

        reporter.locator("input[name=_submit_changes]").click()
        expect(reporter.get_by_text("submitted for review")).to_be_visible()
        assert PendingChange.objects.get(article=story).state == "review"

        log_in(editor, newsroom["editor"])
        editor.goto("/admin/articles/article/")
        expect(editor.get_by_text("Published · Pending review")).to_be_visible()
        shot(editor, f"editor-story-list-{width}")
        editor.goto(f"/admin/articles/article/{story.pk}/pending/")
        expect(editor.locator("h1")).to_contain_text("Pending changes to")
        assert run_axe(editor) == []
        shot(editor, f"editor-pending-page-{width}")

        reader.reload()
        expect(reader.locator("h1")).to_have_text(LIVE)

        editor.get_by_role("button", name="Publish now").click()
        expect(editor.get_by_text("are published")).to_be_visible()

        reader.reload()
        expect(reader.locator("h1")).to_have_text(PENDING)
        shot(reader, f"reader-after-publish-{width}")
    finally:
        for page in (reporter, reader, editor):
            page.context.close()
