"""Pictures in the body: the upload view, the markup, the page's <picture>."""

import io

import html5lib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from articles import bodyimages, images, services
from articles.models import BodyImage
from articles.roles import ensure_roles
from articles.sanitizer import clean_html
from articles.storage import AtomicFileSystemStorage
from tests.articles.test_images import gps_exif, jpeg_bytes, one_colour_png, png_bytes
from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_article, make_user

URL = "/admin/articles/article/body-image/"


@pytest.fixture
def editor(db):
    ensure_roles()
    return make_role_user("Editor")


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def post(client, content=None, name="photo.jpg", **fields):
    data = {"alt": "A ferry at the pier", "caption": "", "credit": "", **fields}
    if content is not None:
        data["image"] = SimpleUploadedFile(name, content, content_type="image/jpeg")
    return client.post(URL, data)


def test_the_url_is_the_admins():
    assert reverse("admin:articles_article_body_image") == URL


def test_an_editor_uploads_a_picture_and_gets_the_figure_markup(editor):
    response = post(client_for(editor), jpeg_bytes(size=(1600, 900)), caption="Pier")
    assert response.status_code == 201
    data = response.json()
    picture = BodyImage.objects.get()
    assert (data["width"], data["height"]) == (1600, 900)
    assert data["src"] == picture.image.url
    assert picture.uploaded_by == editor
    # The lead image's renditions, made at once.
    storage = picture.image.storage
    for name in images.rendition_names(picture.image.name, 1600):
        assert storage.exists(name)
    tree = html5lib.parseFragment(data["html"], namespaceHTMLElements=False)
    figure = tree.find("figure")
    assert figure.get("class") == "body-figure"
    assert figure.find("img").get("alt") == "A ferry at the pier"
    assert figure.find("figcaption").text == "Pier"
    assert clean_html(data["html"]) == data["html"]


def test_the_stored_picture_has_no_metadata(editor):
    content = jpeg_bytes(exif=gps_exif())
    assert b"Spy Camera" in content
    assert post(client_for(editor), content).status_code == 201
    picture = BodyImage.objects.get()
    with picture.image.open("rb") as file:
        stored = file.read()
    assert b"Spy Camera" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert not img.getexif()
        assert "exif" not in img.info and "icc_profile" not in img.info


def test_a_reporter_may_upload_a_picture_for_their_story(db):
    ensure_roles()
    assert post(client_for(make_role_user("Reporter")), png_bytes()).status_code == 201


def test_staff_without_the_right_to_write_stories_are_refused(db):
    response = post(client_for(make_user(staff=True)), png_bytes())
    assert response.status_code == 403
    assert not BodyImage.objects.exists()


def test_an_anonymous_upload_is_sent_to_the_login_page(db):
    response = post(Client(), png_bytes())
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not BodyImage.objects.exists()


def test_an_upload_without_the_csrf_token_is_refused(editor):
    response = post(client_for(editor, enforce_csrf_checks=True), png_bytes())
    assert response.status_code == 403
    assert not BodyImage.objects.exists()


def test_get_is_not_allowed(editor):
    assert client_for(editor).get(URL).status_code == 405


def test_a_missing_alt_text_is_refused(editor):
    response = post(client_for(editor), png_bytes(), alt="   ")
    assert response.status_code == 400
    assert "alt" in response.json()["errors"]
    assert not BodyImage.objects.exists()


def test_overlong_texts_are_refused_not_cut(editor):
    response = post(client_for(editor), png_bytes(), credit="x" * 201)
    assert response.status_code == 400
    assert (
        response.json()["errors"]["credit"] == "At most 200 characters (this has 201)."
    )


@pytest.mark.parametrize(
    "content",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"%PDF-1.4 not a picture",
        jpeg_bytes()[:200],  # truncated
        b"",
    ],
    ids=["svg", "pdf", "truncated", "empty"],
)
def test_a_file_that_is_not_a_picture_is_refused(editor, content):
    response = post(client_for(editor), content)
    assert response.status_code == 400
    assert "image" in response.json()["errors"]
    assert not BodyImage.objects.exists()


def test_no_file_is_refused(editor):
    response = post(client_for(editor), None)
    assert response.status_code == 400
    assert response.json()["errors"]["image"] == "Choose a picture to upload."


def test_a_file_over_the_size_limit_is_refused_before_decoding(editor, monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    opened = []
    monkeypatch.setattr(images.Image, "open", lambda *a, **k: opened.append(a))
    response = post(client_for(editor), jpeg_bytes())
    assert response.status_code == 400
    assert "too large" in response.json()["errors"]["image"]
    assert opened == []


def test_a_decompression_bomb_is_refused(editor):
    response = post(client_for(editor), one_colour_png(7000, 7000), name="bomb.png")
    assert response.status_code == 400
    assert "too many pixels" in response.json()["errors"]["image"]
    assert not BodyImage.objects.exists()


def test_a_full_media_storage_is_a_503_not_a_500(editor, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AtomicFileSystemStorage, "_save", refuse)
    response = post(client_for(editor), png_bytes())
    assert response.status_code == 503
    assert "full" in response.json()["errors"]["image"]
    assert not BodyImage.objects.exists()


# The sanitizer's allowlist: our figure markup and nothing else ----------------


FIGURE = (
    '<figure class="body-figure"><img src="/media/uploads/2026/12/ab.jpg" '
    'alt="A pier" width="1600" height="900"><figcaption>The pier '
    '<span class="body-figure__credit">Photo: Desk</span></figcaption></figure>'
)


def test_the_body_figure_markup_survives_the_sanitizer_unchanged():
    assert clean_html(FIGURE) == FIGURE


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        (
            '<figure class="body-figure wide">x</figure>',
            '<figure class="body-figure">x</figure>',
        ),
        ('<figure class="hero">x</figure>', "<figure>x</figure>"),
        (
            '<span class="body-figure__credit evil">x</span>',
            '<span class="body-figure__credit">x</span>',
        ),
        ('<p class="body-figure">x</p>', "<p>x</p>"),
        (
            '<img class="body-figure" src="/media/uploads/a.jpg">',
            '<img src="/media/uploads/a.jpg">',
        ),
        (
            '<figure class="body-figure" style="x" onclick="alert(1)">x</figure>',
            '<figure class="body-figure">x</figure>',
        ),
        (
            '<figure class="body-figure">'
            '<img src="https://evil.example/a.jpg" alt="x"></figure>',
            '<figure class="body-figure"><img alt="x"></figure>',
        ),
        (
            '<figure class="body-figure"><picture><source srcset="https://evil.example/a.webp"></picture></figure>',
            '<figure class="body-figure"></figure>',
        ),
    ],
)
def test_the_sanitizer_allows_only_our_figure_classes(dirty, clean):
    assert clean_html(dirty) == clean


@given(st.sampled_from(["body-figure", "x", "body-figure__credit", "a b"]), st.text())
def test_cleaning_figures_twice_changes_nothing(cls, text):
    html = f'<figure class="{cls}"><figcaption>{text}</figcaption></figure>'
    once = clean_html(html)
    assert clean_html(once) == once


# The story page ------------------------------------------------------------------


def test_a_body_figure_is_drawn_as_picture_with_renditions_and_alt():
    html = str(bodyimages.with_pictures("<p>Before</p>" + FIGURE))
    tree = html5lib.parseFragment(html, namespaceHTMLElements=False)
    picture = tree.find(".//figure/picture")
    source = picture.find("source")
    assert source.get("type") == "image/webp"
    assert "renditions/uploads/2026/12/ab-640w.webp 640w" in source.get("srcset")
    img = picture.find("img")
    assert img.get("alt") == "A pier"
    assert "ab-1600w.jpg 1600w" in img.get("srcset")
    assert (img.get("width"), img.get("height")) == ("1024", "576")
    assert tree.find(".//figcaption").text == "The pier "


def test_pictures_not_in_a_body_figure_or_not_ours_are_left_alone():
    plain = '<p><img src="/media/uploads/a.jpg" alt="x" width="10" height="10"></p>'
    assert str(bodyimages.with_pictures(plain)) == plain
    elsewhere = '<figure class="body-figure"><img alt="x"></figure>'
    assert str(bodyimages.with_pictures(elsewhere)) == elsewhere


def test_the_story_page_draws_the_body_figure_as_picture(db, client):
    story = make_article(body="<p>Text.</p>" + FIGURE)
    response = client.get(story.get_absolute_url())
    tree = html5lib.parse(response.content, namespaceHTMLElements=False)
    body = tree.find(".//div[@class='story__body']")
    assert body.find(".//figure/picture/img").get("alt") == "A pier"


def test_alt_is_escaped_when_drawn():
    figure = FIGURE.replace('alt="A pier"', 'alt="&quot;&gt;&lt;script&gt;"')
    html = str(bodyimages.with_pictures(clean_html(figure)))
    tree = html5lib.parseFragment(html, namespaceHTMLElements=False)
    assert tree.find(".//script") is None
    assert tree.find(".//img").get("alt") == '"><script>'


def test_saving_a_story_links_the_body_pictures_it_uses(editor):
    post(client_for(editor), jpeg_bytes())
    picture = BodyImage.objects.get()
    story = make_article()
    story.body = "<p>x</p>" + bodyimages.figure_html(picture)
    services.save_story(story, by=editor)
    picture.refresh_from_db()
    assert picture.article == story
    assert bodyimages.used_names(story.body) == {picture.image.name}


def test_missing_alt_texts_are_counted():
    assert bodyimages.missing_alt_text(FIGURE) == 0
    assert bodyimages.missing_alt_text('<img src="/media/a.jpg" alt=" ">x<img>') == 2


@pytest.mark.parametrize(
    ("role", "upload", "suggest"),
    [
        ("Editor", 201, 200),
        ("Reporter", 201, 200),
        ("Moderator", 403, 403),
        (None, 403, 403),
    ],
)
def test_the_form_helpers_answer_each_role(db, role, upload, suggest):
    ensure_roles()
    client = client_for(make_role_user(role))
    assert post(client, png_bytes()).status_code == upload
    tags = reverse("admin:articles_article_tag_suggestions")
    assert client.get(tags, {"q": "a"}).status_code == suggest


def test_a_picture_stays_with_the_story_that_first_used_it(editor):
    assert post(client_for(editor), jpeg_bytes()).status_code == 201
    picture = BodyImage.objects.get()
    figure = f'<figure class="body-figure"><img src="{picture.image.url}" alt="x">'
    first = make_article(body=figure + "</figure>")
    bodyimages.link_to_story(first)
    second = make_article(body=figure + "</figure>")
    bodyimages.link_to_story(second)
    picture.refresh_from_db()
    assert picture.article == first
