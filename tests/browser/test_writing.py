"""The writing screen in Chromium, at desk and phone widths: a story with a
picture in its body and two reordered bylines goes live; a long headline meets
a counter and an error; an upload survives a form error; axe finds nothing
serious on the form."""

import io

import pytest
from django.contrib.auth.models import Group
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article, KeptUpload
from articles.roles import ensure_roles
from tests.browser.conftest import run_axe, screenshot
from tests.browser.test_e2e import log_in
from tests.factories import make_article, make_author, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]


@pytest.fixture
def desk(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_roles()
    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    return {
        "editor": editor,
        "section": make_section(name="World", slug="world"),
        "first": make_author(name="Ann Correspondent", slug="ann"),
        "second": make_author(name="Ben Stringer", slug="ben"),
    }


def photo_bytes(size=(1600, 900), colour=(30, 120, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def open_form(page, desk, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, desk["editor"])
    page.goto("/admin/articles/article/add/")
    page.locator("[contenteditable=true].ProseMirror").wait_for()


def pick_author(page, row, author):
    page.locator(f"#bylines-{row} .select2-selection").click()
    page.locator(".select2-search__field").fill(author.name.split()[0])
    page.locator(".select2-results__option", has_text=author.name).click()


def byline_names(page):
    rows = page.locator("#bylines-group tr.form-row:not(.empty-form)")
    return [
        rows.nth(i).locator(".field-author select option:checked").inner_text()
        for i in range(rows.count())
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_writes_a_story_with_a_body_picture_and_two_reordered_bylines(
    page, live_server, desk, width
):
    open_form(page, desk, width)
    headline = f"Harbour wall finished at {width}"
    page.locator("#id_headline").fill(headline)
    expect(page.locator("#id_slug")).to_have_value(f"harbour-wall-finished-at-{width}")
    page.locator("[contenteditable=true].ProseMirror").click()
    page.keyboard.type("The new wall stood through its first storm.")
    expect(page.locator("#body-stats")).to_contain_text("8 words")

    page.get_by_role("button", name="Insert picture…").click()
    dialog = page.locator("#body-figure-dialog")
    dialog.locator("#body-figure-file").set_input_files(
        {"name": "wall.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    dialog.get_by_label("Alt text").fill("The harbour wall under grey waves")
    dialog.get_by_label("Caption").fill("The wall on Tuesday")
    dialog.get_by_label("Credit").fill("Photo: Desk")
    dialog.get_by_role("button", name="Upload and insert").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".ProseMirror figure.body-figure img")).to_have_attribute(
        "alt", "The harbour wall under grey waves"
    )

    pick_author(page, 0, desk["first"])
    page.get_by_role("button", name="Add another Byline").click()
    pick_author(page, 1, desk["second"])
    assert byline_names(page) == ["Ann Correspondent", "Ben Stringer"]
    # Drag Ben above Ann by the handle.
    page.locator("#bylines-1 .byline-handle").drag_to(
        page.locator("#bylines-0"), target_position={"x": 10, "y": 2}
    )
    assert byline_names(page) == ["Ben Stringer", "Ann Correspondent"]
    # The keyboard way: Ben down, then Ben up again.
    page.get_by_role("button", name="Move down: Ben Stringer").focus()
    page.keyboard.press("Enter")
    assert byline_names(page) == ["Ann Correspondent", "Ben Stringer"]
    page.get_by_role("button", name="Move up: Ben Stringer").focus()
    page.keyboard.press("Enter")
    assert byline_names(page) == ["Ben Stringer", "Ann Correspondent"]

    page.locator("#id_section").select_option(str(desk["section"].pk))
    screenshot(page, f"writing-before-publish-{width}")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("is published")

    story = Article.objects.get(headline=headline)
    assert story.is_published
    assert [b.author.name for b in story.bylines.order_by("order")] == [
        "Ben Stringer",
        "Ann Correspondent",
    ]
    assert [b.order for b in story.bylines.order_by("order")] == [0, 1]
    assert story.body_images.count() == 1

    page.goto(story.get_absolute_url())
    picture = page.locator(".story__body figure.body-figure picture")
    expect(picture).to_have_count(1)
    webp = picture.locator("source[type='image/webp']").get_attribute("srcset")
    assert "640w" in webp and "1600w" in webp
    img = picture.locator("img")
    expect(img).to_have_attribute("alt", "The harbour wall under grey waves")
    assert "1024w" in img.get_attribute("srcset")
    expect(page.locator(".story__body figcaption")).to_contain_text("Photo: Desk")
    screenshot(page, f"writing-published-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_250_character_headline_meets_a_counter_and_an_error_not_a_cut(
    page, live_server, desk, width
):
    open_form(page, desk, width)
    long = ("Pyongyang and Moscow sign a pact " * 8)[:250]
    headline = page.locator("#id_headline")
    headline.fill(long)
    expect(headline).to_have_value(long)  # the browser cut nothing
    counter = page.locator("#id_headline-counter")
    expect(counter).to_contain_text("250 / 200 characters: 50 too many")
    page.locator("#id_section").select_option(str(desk["section"].pk))
    page.get_by_role("button", name="Save draft").click()

    errors = page.locator(".field-headline .errorlist")
    expect(errors).to_contain_text("at most 200 characters (this one has 250)")
    expect(page.locator("#id_headline")).to_have_value(long)
    assert not Article.objects.exists()
    screenshot(page, f"writing-long-headline-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_an_upload_survives_a_missing_alt_text(page, live_server, desk, width):
    open_form(page, desk, width)
    page.locator("#id_headline").fill("Ferry terminal opens")
    page.locator("#id_section").select_option(str(desk["section"].pk))
    pick_author(page, 0, desk["first"])
    original = photo_bytes(size=(1200, 800), colour=(200, 40, 40))
    page.locator("#id_lead_image").set_input_files(
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": original}
    )
    page.get_by_role("button", name="Publish now").click()

    expect(page.locator(".field-lead_image_alt .errorlist")).to_contain_text(
        "Describe the lead image"
    )
    expect(page.locator(".kept-upload")).to_contain_text("kept: photo.jpg")
    assert not Article.objects.exists()
    kept = KeptUpload.objects.get()
    with kept.file.open("rb") as file:
        kept_bytes = file.read()
    screenshot(page, f"writing-kept-upload-{width}")

    page.locator("#id_lead_image_alt").fill("The new terminal at dawn")
    page.get_by_role("button", name="Publish now").click()
    expect(page.locator(".messagelist")).to_contain_text("is published")

    story = Article.objects.get()
    assert story.lead_image_alt == "The new terminal at dawn"
    with story.lead_image.open("rb") as file:
        assert file.read() == kept_bytes
    assert (story.lead_image_width, story.lead_image_height) == (1200, 800)
    assert not KeptUpload.objects.exists()


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_serious_on_the_story_form(page, live_server, desk, width):
    open_form(page, desk, width)
    page.locator("#id_headline").fill("A headline to count")
    violations = run_axe(page)
    assert violations == [], violations
    screenshot(page, f"writing-form-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_tag_box_suggests_existing_tags(page, live_server, desk, width):
    make_article(tags=["Harbour", "Health"], section=desk["section"])
    open_form(page, desk, width)
    tags = page.locator("#id_tags")
    tags.fill("weather, ha")
    option = page.get_by_role("option", name="Harbour")
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name="Health")).to_have_count(0)
    tags.press("ArrowDown")
    expect(tags).to_have_attribute("aria-activedescendant", "id_tags-suggestion-0")
    tags.press("Enter")
    expect(tags).to_have_value("weather, Harbour, ")
    expect(page.get_by_role("listbox", name="Existing tags")).to_be_hidden()


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_serious_on_a_saved_story_with_bylines(
    page, live_server, desk, width
):
    story = make_article(
        authors=[desk["first"], desk["second"]], section=desk["section"]
    )
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, desk["editor"])
    page.goto(f"/admin/articles/article/{story.pk}/change/")
    page.locator("[contenteditable=true].ProseMirror").wait_for()
    expect(page.get_by_role("button", name="Unpublish")).to_be_visible()
    assert page.get_by_role("button", name="Publish now").count() == 0
    violations = run_axe(page)
    assert violations == [], violations
