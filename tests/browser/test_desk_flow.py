"""Issue 16's first done-when item as one continuous flow in Chromium, at desk
and phone widths: an editor writes a story with a picture in the body and two
bylines reordered by dragging, previews it through a share link in a fresh
browser with no login, and publishes it; readers then see the same story.

The pieces have tests of their own (test_writing.py, test_people_previews.py);
this module reuses their fixtures and helpers and checks that they hold
together: what the share link shows is what the form held, and publishing
changes the share link's banner, not the story.
"""

import pytest
from playwright.sync_api import expect

import tests.browser.test_writing as writing
from articles.models import Article
from tests.browser.conftest import run_axe, screenshot
from tests.browser.test_people_previews import fresh_page
from tests.browser.test_writing import (
    WIDTHS,
    byline_names,
    open_form,
    photo_bytes,
    pick_author,
)

# test_writing's fixture (an Editor made by the role setup, a section, two
# authors, MEDIA_ROOT in tmp), used here by its name.
desk = writing.desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALT = "Fishing boats tied up inside the new harbour wall"
CAPTION = "The harbour at low tide"
CREDIT = "Photo: Desk"
DRAGGED_ORDER = ["Ben Stringer", "Ann Correspondent"]


@pytest.fixture
def readers(browser, live_server):
    """Fresh browser contexts (no cookies, no login), each watched like
    conftest's ``page``: nothing from another host, nothing refused by CSP."""
    opened, external, refused = [], [], []

    def watch_request(request):
        if not request.url.startswith((live_server.url, "data:", "blob:")):
            external.append(request.url)

    def watch_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    def open_reader(width):
        reader = fresh_page(browser, live_server, width)
        reader.on("request", watch_request)
        reader.on("console", watch_console)
        opened.append(reader)
        return reader

    yield open_reader
    for reader in opened:
        reader.context.close()
    assert not external, f"a reader page requested other hosts: {external}"
    assert not refused, f"CSP refused something: {refused}"


def settle(page):
    """Wait until ``page`` has no request in flight before another context
    makes one. The live server shares the test's one in-memory SQLite
    connection among its threads (pytest-django, for the test to see the same
    data), so two requests at once (an admin page's scripts, a story page's
    view beacon, the next page elsewhere) can trip over each other: a 503."""
    page.wait_for_load_state("networkidle")


def header_bylines(page):
    return page.locator(".story__authors .byline__name").all_inner_texts()


def expect_the_story(page, headline, dek):
    """The story as the form made it: headline, dek, the body's picture as a
    loaded ``<picture>`` with its alt and caption, the bylines as dragged."""
    expect(page.get_by_role("heading", level=1)).to_have_text(headline)
    expect(page.locator(".story__dek")).to_have_text(dek)
    body = page.locator(".story__body")
    expect(body).to_contain_text("The new wall stood through its first storm.")
    picture = body.locator("figure.body-figure picture")
    expect(picture).to_have_count(1)
    expect(picture.locator("source[type='image/webp']")).to_have_count(1)
    img = picture.locator("img")
    expect(img).to_have_attribute("alt", ALT)
    expect(body.locator("figure.body-figure figcaption")).to_contain_text(CAPTION)
    expect(body.locator("figure.body-figure figcaption")).to_contain_text(CREDIT)
    # The picture is served (newsroom/media.py), not a broken image: wait for
    # the browser to have decoded it.
    img.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
    )
    expect(page.locator(".story__authors .byline__name")).to_have_count(2)
    assert header_bylines(page) == DRAGGED_ORDER


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_writes_shares_and_publishes_a_story_in_one_flow(
    page, live_server, readers, desk, width, settings
):
    # Readers get the page cache in production: a story's 404 before it is
    # published must not outlive the publishing.
    settings.PAGE_CACHE = True
    # 1. The editor (Editor group from the role setup) opens a new story.
    assert desk["editor"].groups.filter(name="Editor").exists()
    open_form(page, desk, width)
    headline = f"Harbour wall holds at {width}"
    dek = "The new sea wall survived its first winter storm."
    page.locator("#id_headline").fill(headline)
    expect(page.locator("#id_slug")).to_have_value(f"harbour-wall-holds-at-{width}")
    page.locator("#id_dek").fill(dek)
    page.locator("#id_section").select_option(str(desk["section"].pk))
    page.locator("[contenteditable=true].ProseMirror").click()
    page.keyboard.type("The new wall stood through its first storm.")
    expect(page.locator("#body-stats")).to_contain_text("8 words")

    # 2. A picture in the body, with its alt text, caption and credit.
    page.get_by_role("button", name="Insert picture…").click()
    dialog = page.locator("#body-figure-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("#body-figure-file").set_input_files(
        {"name": "harbour.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    dialog.get_by_label("Alt text").fill(ALT)
    dialog.get_by_label("Caption").fill(CAPTION)
    dialog.get_by_label("Credit").fill(CREDIT)
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".ProseMirror figure.body-figure img")).to_have_attribute(
        "alt", ALT
    )

    # 3. Two bylines, the second dragged above the first by its handle.
    pick_author(page, 0, desk["first"])
    page.get_by_role("button", name="Add another Byline").click()
    pick_author(page, 1, desk["second"])
    assert byline_names(page) == ["Ann Correspondent", "Ben Stringer"]
    page.locator("#bylines-1 .byline-handle").drag_to(
        page.locator("#bylines-0"), target_position={"x": 10, "y": 2}
    )
    assert byline_names(page) == DRAGGED_ORDER

    # The whole form, filled in, has nothing serious for axe at this width.
    violations = run_axe(page)
    assert violations == [], violations
    screenshot(page, f"desk-flow-form-{width}")

    # 4. Saved as a draft: nothing is live, readers get a 404.
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    story = Article.objects.get(headline=headline)
    assert not story.is_published
    assert [b.author.name for b in story.bylines.order_by("order")] == DRAGGED_ORDER
    assert story.body_images.count() == 1
    public_url = story.get_absolute_url()
    settle(page)
    anonymous = readers(width)
    assert anonymous.goto(public_url).status == 404
    settle(anonymous)

    # 5. A share link, opened in a fresh browser with no login.
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    page.get_by_role("link", name="Share preview…").click()
    page.get_by_label("Works for").select_option("3")
    page.get_by_role("button", name="Make a share link").click()
    expect(page.locator(".messagelist")).to_contain_text("A share link to")
    share_url = page.locator("input.share-url").input_value()
    assert share_url.startswith(f"{live_server.url}/preview/shared/")
    settle(page)

    guest = readers(width)
    response = guest.goto(share_url)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    banner = guest.locator(".preview-banner")
    expect(banner).to_contain_text("Preview: not published")
    expect(banner).to_contain_text("Readers cannot see this story yet.")
    expect(banner).to_contain_text("Shared with you by the newsroom")
    expect_the_story(guest, headline, dek)
    # No login came with the link.
    cookies = {cookie["name"] for cookie in guest.context.cookies()}
    assert settings.SESSION_COOKIE_NAME not in cookies
    screenshot(guest, f"desk-flow-shared-draft-{width}")
    settle(guest)

    # 6. Back in the editor's browser: publish.
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    page.locator("[contenteditable=true].ProseMirror").wait_for()
    # The saved rows, in the dragged order (the form adds one blank row).
    saved_rows = page.locator(
        "#bylines-group tr.form-row:not(.empty-form) .field-author option:checked"
    )
    expect(saved_rows).to_have_text(DRAGGED_ORDER)
    page.get_by_role("button", name="Publish now").click()
    page.locator(".messagelist, .errornote").first.wait_for()
    errors = page.evaluate(
        """() => [...document.querySelectorAll('.errorlist li')].map((li) => {
            const row = li.closest('tr[id], .form-row');
            const cell = li.closest('td, .form-row');
            return `${row && row.id} ${cell && cell.className}: ${li.textContent}`;
        })"""
    )
    assert not errors, f"publishing the saved draft was refused: {errors}"
    expect(page.locator(".messagelist")).to_contain_text("is published")
    story.refresh_from_db()
    assert story.is_published
    assert story.get_absolute_url() == public_url
    settle(page)

    # 7. Readers see the story, with its picture and bylines in that order.
    response = anonymous.goto(public_url)
    assert response.status == 200
    expect(anonymous.locator(".preview-banner")).to_have_count(0)
    expect_the_story(anonymous, headline, dek)
    screenshot(anonymous, f"desk-flow-published-{width}")
    settle(anonymous)

    # 8. The share link still works and now says the story is live
    # (templates/articles/preview_banner.html, ``live=article.is_published``).
    response = guest.goto(share_url)
    assert response.status == 200
    expect(banner).to_contain_text("Preview: this story is live")
    expect(banner).to_contain_text("Readers see the version last saved.")
    expect(banner).not_to_contain_text("not published")
    expect_the_story(guest, headline, dek)
