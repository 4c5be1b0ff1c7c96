"""People and previews in Chromium, at desk and phone widths: an invited
reporter sets a password from the e-mailed link and signs in; a share link
shows a draft to a browser with no login until the editor revokes it; the add
form previews what was typed before the first save; the revision diff marks
words; an author's bio is edited from the story screen."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from articles import revisions
from articles.roles import ensure_roles
from comments.roles import ensure_moderator_group
from tests.browser.conftest import run_axe, screenshot
from tests.browser.test_e2e import log_in
from tests.browser.test_writing import photo_bytes
from tests.factories import make_author, make_draft, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]
NEW_PASSWORD = "a long harbour wall at dawn"


@pytest.fixture
def editor(db):
    ensure_roles()
    user = make_user(staff=True, username="editor")
    user.groups.add(Group.objects.get(name="Editor"))
    return user


def fresh_page(browser, live_server, width):
    """A page in a browser context of its own: no cookies, no login."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_an_invited_reporter_sets_a_password_from_the_mail_and_signs_in(
    page, browser, live_server, width
):
    ensure_roles()
    ensure_moderator_group()
    admin = make_user(staff=True, superuser=True, username="admin")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, admin)
    page.goto("/admin/auth/user/")
    page.get_by_role("link", name="Invite a colleague").click()
    page.get_by_label("E-mail address").fill("sam@example.org")
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("User name").fill("sam")
    page.get_by_label("Role").select_option("Reporter")
    assert run_axe(page) == []
    screenshot(page, f"review-invite-form-{width}")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".messagelist")).to_contain_text("was invited as Reporter")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    colleague = fresh_page(browser, live_server, width)
    colleague.goto(link)
    expect(
        colleague.get_by_role("heading", name="Choose your password")
    ).to_be_visible()
    colleague.get_by_label("New password:", exact=True).fill(NEW_PASSWORD)
    colleague.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    assert run_axe(colleague) == []
    screenshot(colleague, f"review-set-password-{width}")
    colleague.get_by_role("button", name="Set my password").click()
    expect(
        colleague.get_by_role("heading", name="Your password is set")
    ).to_be_visible()

    colleague.get_by_role("link", name="Sign in to the desk").click()
    colleague.get_by_label("Username").fill("sam")
    colleague.get_by_label("Password").fill(NEW_PASSWORD)
    colleague.get_by_role("button", name=re.compile("log in", re.I)).click()
    colleague.wait_for_url(re.compile(r"/admin/$"))
    expect(colleague.locator("#user-tools")).to_contain_text("Sam")
    colleague.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_share_link_shows_the_draft_without_a_login_until_it_is_revoked(
    page, browser, live_server, editor, width
):
    draft = make_draft(
        headline=f"Harbour plan leaked at {width}",
        body="<p>The council meets on Monday.</p>",
        section=make_section(name="Local", slug="local"),
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, editor)
    page.goto(f"/admin/articles/article/{draft.pk}/change/")
    page.get_by_role("link", name="Share preview…").click()
    page.get_by_label("Works for").select_option("7")
    page.get_by_role("button", name="Make a share link").click()
    expect(page.locator(".messagelist")).to_contain_text("A share link to")
    url = page.locator("input.share-url").input_value()
    assert url.startswith(f"{live_server.url}/preview/shared/")
    assert run_axe(page) == []
    screenshot(page, f"review-share-link-{width}")

    reader = fresh_page(browser, live_server, width)
    response = reader.goto(url)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    expect(reader.locator(".preview-banner")).to_contain_text("Preview: not published")
    expect(reader.get_by_role("heading", level=1)).to_have_text(draft.headline)
    expect(reader.locator(".story__body")).to_contain_text("The council meets")
    screenshot(reader, f"review-preview-banner-{width}")

    page.goto(f"/admin/articles/article/{draft.pk}/change/")
    page.get_by_role("button", name="Revoke share link (1)").click()
    expect(page.locator(".messagelist")).to_contain_text("1 share link to")
    assert reader.goto(url).status == 404
    reader.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_add_form_previews_what_was_typed_before_the_first_save(
    page, live_server, editor, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, editor)
    page.goto("/admin/articles/article/add/")
    page.locator("[contenteditable=true].ProseMirror").wait_for()
    page.locator("#id_headline").fill("Not yet saved headline")
    page.locator("[contenteditable=true].ProseMirror").click()
    page.keyboard.type("Only typed, never saved.")
    screenshot(page, f"review-add-form-{width}")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Preview", exact=True).click()
    preview = opened.value
    preview.wait_for_load_state()

    expect(preview.locator(".preview-banner")).to_contain_text("Preview: not published")
    expect(preview.locator(".preview-banner")).to_contain_text("Not saved yet")
    expect(preview.get_by_role("heading", level=1)).to_have_text(
        "Not yet saved headline"
    )
    expect(preview.locator(".story__body")).to_have_text("Only typed, never saved.")
    screenshot(preview, f"review-preview-new-{width}")
    preview.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_revision_diff_marks_the_words_side_by_side(
    page, live_server, editor, width
):
    story = make_draft(
        headline="Ferry returns",
        body="<p>The ferry returns on <strong>Friday</strong>.</p><p>Tickets: £5.</p>",
    )
    first = revisions.record(story, editor)
    story.body = "<p>The ferry returns on Monday.</p><p>Tickets: £5.</p>"
    story.save()
    second = revisions.record(story, editor)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, editor)

    page.goto(
        f"/admin/articles/article/{story.pk}/revisions/{second.pk}/?against={first.pk}"
    )

    body = page.locator("[data-field=body]")
    expect(body.locator("del")).to_have_text(["Friday. "])
    expect(body.locator("ins")).to_have_text(["Monday. "])
    expect(body.locator(".word-diff__before")).not_to_contain_text("<strong>")
    assert run_axe(page) == []
    screenshot(page, f"review-revision-diff-{width}")


def test_an_editor_edits_a_bylines_author_bio_and_photo_from_the_story_screen(
    page, live_server, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    author = make_author(name="Ann Correspondent", slug="ann")
    story = make_draft(authors=[author])
    log_in(page, editor)
    page.goto(f"/admin/articles/article/{story.pk}/change/")

    with page.expect_popup() as opened:
        page.locator("#change_id_bylines-0-author").click()
    popup = opened.value
    popup.get_by_label("Short bio").fill("Covers the coast.")
    popup.locator("input[type=file][name=photo]").set_input_files(
        {"name": "ann.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    popup.get_by_role("button", name="Save", exact=True).click()
    popup.wait_for_event("close")

    author.refresh_from_db()
    assert author.bio == "Covers the coast."
    assert author.photo.name
