"""Media on S3-compatible object storage, against a real server: moto's
server mode on a local port, a bucket per test, boto3 over HTTP.

Fast (a few seconds): it runs in CI with the rest of the suite, on SQLite and
on PostgreSQL (``-m s3`` selects it alone).
"""

import urllib.error
import urllib.request

import botocore.endpoint
import feedparser
import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from storages.backends.s3 import S3Storage

from articles import bodyimages, images, services, uploads
from articles.models import Article, KeptUpload
from articles.sanitizer import clean_html
from newsroom import storages
from tests.articles.test_images import form_data
from tests.factories import make_article, make_author, make_section
from tests.media.conftest import bucket_keys, jpeg_bytes, s3_client

pytestmark = pytest.mark.s3


def fetch(url):
    """An anonymous GET, as a reader's browser makes it: no keys, no signature."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


@pytest.fixture
def s3_requests(monkeypatch):
    """Every HTTP request boto3 sends, whatever client sends it."""
    sent = []
    original = botocore.endpoint.Endpoint._send

    def send(self, request):
        sent.append(f"{request.method} {request.url}")
        return original(self, request)

    monkeypatch.setattr(botocore.endpoint.Endpoint, "_send", send)
    return sent


@pytest.fixture
def admin_client(db, client):
    user = get_user_model().objects.create_superuser(
        "desk", "desk@example.org", "pw-for-tests"
    )
    client.force_login(user)
    return client


def clean(size=(2000, 1000), colour=(30, 90, 160)):
    return images.clean_image(ContentFile(jpeg_bytes(size, colour), name="p.jpg"))


def test_the_settings_give_public_unsigned_long_cached_urls(s3_env):
    media_url, default, kept = storages.s3_storages(s3_env)
    bucket = s3_env["AWS_STORAGE_BUCKET_NAME"]
    assert media_url == f"{s3_env['AWS_S3_ENDPOINT_URL']}/{bucket}/"
    assert default["BACKEND"] == "newsroom.s3.S3MediaStorage"
    options = default["OPTIONS"]
    assert options["querystring_auth"] is False
    assert options["object_parameters"] == {
        "CacheControl": "public, max-age=31536000, immutable"
    }
    assert kept["OPTIONS"]["querystring_auth"] is True
    assert kept["OPTIONS"]["location"] == "kept"


def test_a_lead_image_uploaded_in_the_admin_lives_in_the_bucket(admin_client, s3_media):
    data = form_data(make_section(), dek="Ships are back.")
    data["lead_image"] = SimpleUploadedFile(
        "harbour.jpg", jpeg_bytes((2000, 1000)), content_type="image/jpeg"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.content[:2000]

    story = Article.objects.get()
    name = story.lead_image.name
    assert name.startswith("uploads/") and name.endswith(".jpg")
    keys = bucket_keys(s3_media)
    assert keys == set(images.stored_file_names(name, 2000))
    assert len(keys) == 9  # the original, 4 widths x (WebP + JPEG)
    head = s3_client(s3_media).head_object(
        Bucket=s3_media["AWS_STORAGE_BUCKET_NAME"], Key=name
    )
    assert (story.lead_image_width, story.lead_image_height) == (2000, 1000)
    assert story.lead_image_size == head["ContentLength"]

    url = story.lead_image.url
    assert url.startswith(s3_media["AWS_S3_ENDPOINT_URL"]) and "?" not in url
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Type"] == "image/jpeg"
    assert len(body) == story.lead_image_size
    rendition = default_storage.url(images.rendition_name(name, 640, "webp"))
    status, headers, body = fetch(rendition)
    assert status == 200 and headers["Content-Type"] == "image/webp"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_pages_and_feeds_send_no_request_to_the_bucket(
    client, db, s3_media, s3_requests, django_capture_on_commit_callbacks
):
    section = make_section(slug="harbour")
    author = make_author(slug="writer")
    author.photo.save("photo.jpg", clean((300, 300)), save=True)
    story = make_article(section=section, lead_image_alt="Ships", is_top_story=True)
    story.lead_image = clean()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
    story.bylines.create(author=author, role="by", order=0)
    assert s3_requests  # the save did go to the bucket
    s3_requests.clear()

    pages = [
        reverse("articles:home"),
        story.get_absolute_url(),
        reverse("articles:feed_latest_rss"),
        reverse("articles:feed_latest_atom"),
        reverse("articles:author", args=["writer"]),
        reverse("articles:section_feed_rss", args=["harbour"]),
    ]
    contents = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        contents[url] = response.content.decode()

    assert s3_requests == []
    story.refresh_from_db()
    # The enclosure's length is the row's, which is the object's size.
    feed = feedparser.parse(contents[reverse("articles:feed_latest_rss")])
    (enclosure,) = feed.entries[0].enclosures
    assert enclosure.href == story.lead_image.url
    assert int(enclosure.length) == story.lead_image_size
    head = s3_client(s3_media).head_object(
        Bucket=s3_media["AWS_STORAGE_BUCKET_NAME"], Key=story.lead_image.name
    )
    assert story.lead_image_size == head["ContentLength"]
    # The story page's pictures are on the media domain, and they load.
    page = contents[story.get_absolute_url()]
    src = default_storage.url(images.rendition_name(story.lead_image.name, 1024, "jpg"))
    assert f'src="{src}"' in page
    assert fetch(src)[0] == 200
    assert fetch(author.photo.url)[0] == 200


def test_replacing_and_deleting_forget_the_files_no_story_uses(
    db, s3_media, django_capture_on_commit_callbacks
):
    story = make_article(lead_image_alt="Ships")
    story.lead_image = clean()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
    first = story.lead_image.name
    assert len(bucket_keys(s3_media)) == 9

    story = Article.objects.get(pk=story.pk)
    story.lead_image = clean((700, 350), colour=(200, 20, 20))
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
    second = story.lead_image.name

    assert second != first  # a new name: the old URL's cached copy stays true
    assert bucket_keys(s3_media) == set(images.stored_file_names(second, 700))
    assert fetch(default_storage.url(first))[0] in {403, 404}

    with django_capture_on_commit_callbacks(execute=True):
        Article.objects.get(pk=story.pk).delete()
    assert bucket_keys(s3_media) == set()


def test_a_body_picture_is_stored_and_drawn_from_the_bucket(db, s3_media):
    picture = bodyimages.store(
        ContentFile(jpeg_bytes((1200, 800)), name="b.jpg"), alt="Cranes"
    )
    assert (
        picture.size
        == s3_client(s3_media).head_object(
            Bucket=s3_media["AWS_STORAGE_BUCKET_NAME"], Key=picture.image.name
        )["ContentLength"]
    )
    markup = bodyimages.figure_html(picture)
    # The sanitizer keeps a picture on the media domain in a body...
    body = clean_html(f"<p>Text</p>{markup}")
    assert picture.image.url in body
    drawn = bodyimages.with_pictures(body)
    rendition = default_storage.url(
        images.rendition_name(picture.image.name, 640, "webp")
    )
    assert rendition in drawn
    assert fetch(rendition)[0] == 200
    # ...and drops one from any other host.
    elsewhere = markup.replace(
        s3_media["AWS_S3_ENDPOINT_URL"], "https://elsewhere.example"
    )
    assert "elsewhere" not in clean_html(elsewhere)


def test_kept_uploads_are_in_the_bucket_but_never_public(db, s3_media, settings):
    owner = get_user_model().objects.create_user("reporter", password="pw")
    kept = uploads.keep(clean((900, 600)), owner=owner, client_name="ferry.jpg")
    name = kept.file.name

    assert f"kept/{name}" in bucket_keys(s3_media)
    head = s3_client(s3_media).head_object(
        Bucket=s3_media["AWS_STORAGE_BUCKET_NAME"], Key=f"kept/{name}"
    )
    assert head["CacheControl"] == "private, no-store"
    # Unsigned, as anyone on the internet would ask: refused.
    assert fetch(f"{settings.MEDIA_URL}kept/{name}")[0] == 403
    # The site, with its keys, takes it back on any app server...
    again = uploads.take(KeptUpload.objects.get(pk=kept.pk))
    assert (again.width, again.height) == (900, 600) and again.size > 0
    # ...and forgets it.
    uploads.discard(kept)
    assert f"kept/{name}" not in bucket_keys(s3_media)


def test_a_bucket_that_fails_is_a_media_error_and_nothing_is_saved(
    db, s3_media, settings
):
    assert issubclass(default_storage.__class__, S3Storage)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {
                **settings.STORAGES["default"]["OPTIONS"],
                "bucket_name": "no-such-bucket",
            },
        },
    }
    story = make_article(headline="Before", lead_image_alt="Ships")
    story.headline = "After"
    story.lead_image = clean()

    with pytest.raises(services.MediaUnavailable, match="could not be stored"):
        services.save_story(story)

    assert Article.objects.get(pk=story.pk).headline == "Before"


def test_a_read_that_fails_after_the_open_is_an_os_error_too(db, s3_media):
    """The download happens on the first read, not at the open: a bucket that
    fails then is an OSError as well (a task retries it, a form says so)."""
    name = default_storage.save("uploads/2026/12/gone-later.jpg", ContentFile(b"x"))
    opened = default_storage.open(name)
    s3_client(s3_media).delete_object(
        Bucket=s3_media["AWS_STORAGE_BUCKET_NAME"], Key=name
    )
    with pytest.raises(OSError):
        opened.read()
