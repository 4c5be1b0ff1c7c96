"""Autosave and edit locks in Chromium: an autosave outlives its browser; two
editors on one story: the lock, the takeover, and the first editor's later
save meeting the conflict screen with both texts on it."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles import services
from articles.models import Article
from editing import locks
from editing.models import Autosave, EditLock
from tests.browser.conftest import run_axe
from tests.browser.test_e2e import log_in
from tests.editing.conftest import make_colleague
from tests.factories import make_article, make_author, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Screenshots to look at (git-ignored), beside the other browser tests'.
SCREENS = Path(__file__).resolve().parents[2] / "artifacts/screenshots/locks"
WIDTHS = {"desk": 1280, "phone": 390}
BODY = "[contenteditable=true].ProseMirror"


@pytest.fixture
def quick(settings):
    # Seconds, not the production defaults, so the test need not wait long.
    settings.EDITING_HEARTBEAT_SECONDS = 1
    settings.EDITING_AUTOSAVE_SECONDS = 1
    settings.EDITING_AUTOSAVE_MAX_WAIT_SECONDS = 2


def shoot(page, name):
    SCREENS.mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(150)  # the layout settles at the new width
        page.screenshot(path=str(SCREENS / f"{name}-{label}.png"), full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})


def change_url(story):
    return f"/admin/articles/article/{story.pk}/change/"


def autosave_of(text):
    """Waits for the autosave that carries ``text``, answered."""

    def matches(response):
        request = response.request
        return (
            "/admin/editing/autosave/" in response.url
            and text in (request.post_data or "")
            and response.ok
        )

    return matches


def open_form(page, story):
    with page.expect_response(re.compile(r"/admin/editing/lock/\d+/take/")):
        page.goto(change_url(story))
    page.locator(BODY).wait_for()


def test_an_autosave_is_restored_after_the_browser_is_closed(
    contexts, live_server, quick
):
    reporter = make_colleague("Reporter", "Ria", "Cho")
    story = make_article(
        headline="Ferry timetable",
        body="<p>The morning ferry leaves at seven.</p>",
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=reporter,
        authors=[make_author(name="Ria Cho")],
    )
    context, page = contexts()
    log_in(page, reporter)
    open_form(page, story)
    page.locator("#id_headline").fill("Ferry timetable changes for winter")
    with page.expect_response(autosave_of("leaves at eight")):
        page.locator(BODY).click()
        page.keyboard.press("End")
        page.keyboard.type(" From December it leaves at eight.")
    expect(page.locator("#editing-status")).to_contain_text("Draft autosaved at")
    context.close()  # the browser is gone, nothing was saved

    story.refresh_from_db()
    assert story.headline == "Ferry timetable"
    kept = Autosave.objects.get(user=reporter, story=story)
    assert kept.fields["headline"] == "Ferry timetable changes for winter"
    assert "From December it leaves at eight." in kept.fields["body"]

    _, page = contexts()
    log_in(page, reporter)
    open_form(page, story)
    banner = page.locator("#editing-restore")
    expect(banner).to_be_visible()
    restore = banner.get_by_role(
        "button", name=f"Restore your unsaved work from {locks.when(kept.saved_at)}"
    )
    expect(restore).to_be_visible()
    assert run_axe(page) == []
    shoot(page, "restore-banner")
    restore.focus()
    page.keyboard.press("Enter")  # keyboard only

    expect(banner).to_be_hidden()
    expect(page.locator("#id_headline")).to_have_value(
        "Ferry timetable changes for winter"
    )
    expect(page.locator(BODY)).to_contain_text("From December it leaves at eight.")
    expect(page.locator("#editing-status")).to_contain_text(
        "Restored your unsaved work from"
    )
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/admin/articles/article/(\d+/change/)?(\?.*)?$"))

    story.refresh_from_db()
    assert story.headline == "Ferry timetable changes for winter"
    assert "From December it leaves at eight." in story.body
    assert not Autosave.objects.filter(user=reporter, story=story).exists()


def test_a_new_storys_autosave_is_offered_on_the_add_form(contexts, quick):
    reporter = make_colleague("Reporter", "Ria", "Cho")
    make_section()
    context, page = contexts()
    log_in(page, reporter)
    page.goto("/admin/articles/article/add/")
    page.locator(BODY).wait_for()
    page.locator("#id_headline").fill("Night market reopens")
    expect(page.locator("#editing-status")).to_contain_text("Draft autosaved at")
    context.close()

    assert Autosave.objects.get(user=reporter, story=None).fields["headline"] == (
        "Night market reopens"
    )
    _, page = contexts()
    log_in(page, reporter)
    page.goto("/admin/articles/article/add/")
    page.locator(BODY).wait_for()
    page.get_by_role("button", name="Discard").click()
    expect(page.locator("#editing-restore")).to_be_hidden()
    expect(page.locator("#editing-status")).to_contain_text("Discarded")
    assert not Autosave.objects.filter(user=reporter).exists()


def test_two_editors_the_second_takes_over_and_the_firsts_save_meets_the_conflict(
    contexts, quick
):
    """The Done-when test: lock, takeover, notice, conflict screen, nothing lost."""
    first = make_colleague("Editor", "Eugene", "Park")
    second = make_colleague("Editor", "Jane", "Kim")
    story = make_article(
        headline="Harbour wall holds",
        body="<p>The wall stood through the night.</p>",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=2),
        created_by=first,
        section=make_section(name="Local", slug="local"),
        authors=[make_author(name="Eugene Park")],
    )
    services.save_story(story, by=first)  # a revision, as a real story has

    _, eugene = contexts()
    log_in(eugene, first)
    open_form(eugene, story)
    assert EditLock.objects.get(story=story).holder == first
    eugene.locator(BODY).click()
    eugene.keyboard.press("End")
    eugene.keyboard.type(" Eugene adds: the pier lost two lamps.")

    _, jane = contexts()
    log_in(jane, second)
    open_form(jane, story)
    notice = jane.locator("#editing-lock")
    since = locks.when(EditLock.objects.get(story=story).since)
    expect(notice).to_contain_text(f"Eugene Park has been editing since {since}.")
    take_over = jane.get_by_role("button", name="Take over editing")
    expect(take_over).to_be_visible()
    assert run_axe(jane) == []
    shoot(jane, "lock-notice")
    take_over.focus()
    jane.keyboard.press("Enter")
    expect(notice).to_contain_text("You took over editing from Eugene Park at")
    expect(take_over).to_be_hidden()
    lock = EditLock.objects.get(story=story)
    assert (lock.holder, lock.taken_from) == (second, first)

    # Eugene's next heartbeat: told, his form untouched.
    told = eugene.locator("#editing-lock-message")
    expect(told).to_contain_text(
        f"Jane Kim took over editing at {locks.when(lock.taken_at)}."
    )
    expect(told).to_have_attribute("role", "status")
    expect(eugene.locator(BODY)).to_contain_text("the pier lost two lamps")
    assert run_axe(eugene) == []
    shoot(eugene, "taken-over")

    # Jane saves her version.
    jane.locator("#id_dek").fill("Jane's standfirst: the wall held.")
    jane.locator(BODY).click()
    jane.keyboard.press("End")
    jane.keyboard.type(" Jane adds: engineers inspect it at noon.")
    jane.get_by_role("button", name="Update").click()
    jane.wait_for_url(re.compile(r"/admin/articles/article/(\?.*)?$"))
    story.refresh_from_db()
    assert "engineers inspect it at noon" in story.body

    # Eugene saves later: the conflict screen, his text and hers both there.
    # First the notice goes back to the top of the form (keyboard only).
    dock = eugene.get_by_role("button", name="Move this notice to the top of the form")
    dock.focus()
    eugene.keyboard.press("Enter")
    expect(eugene.locator("#editing-lock-message")).to_be_focused()
    eugene.get_by_role("button", name="Update").click()
    conflict = eugene.locator(".story-conflict")
    expect(conflict).to_be_visible()
    expect(eugene.locator(".conflict-summary")).to_contain_text(
        "Nothing of yours was saved yet."
    )
    expect(conflict).to_contain_text("the pier lost two lamps")
    expect(conflict).to_contain_text("engineers inspect it at noon")
    shoot(eugene, "conflict-after-takeover")

    story.refresh_from_db()
    assert "engineers inspect it at noon" in story.body
    assert "the pier lost two lamps" not in story.body
    # Nothing lost: his unsaved text is also in his autosave.
    assert (
        "the pier lost two lamps"
        in Autosave.objects.get(user=first, story=story).fields["body"]
    )


def test_the_story_list_marks_a_story_being_edited(contexts):
    editor = make_colleague("Editor", "Jane", "Kim")
    other = make_colleague("Editor", "Eugene", "Park")
    story = make_article(headline="Harbour wall holds")
    make_article(headline="Quiet day at the market")
    locks.take(story, other)

    _, page = contexts()
    log_in(page, editor)
    page.goto("/admin/articles/article/")
    expect(page.locator("#editing-now")).to_contain_text(
        "Harbour wall holds: Eugene Park, since"
    )
    row = page.locator("#result_list tr", has_text="Harbour wall holds")
    expect(row.locator(".editing-mark")).to_have_text("Being edited by Eugene Park")
    shoot(page, "story-list")
