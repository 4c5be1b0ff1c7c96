"""Uploads served by the app (newsroom/media.py): the headers a media host would
send, conditional requests, and nothing outside MEDIA_ROOT, no hidden file and
no directory listing."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.http import http_date
from PIL import Image

from articles import images
from newsroom import media
from tests.factories import make_article, make_user

ROOT = Path(__file__).resolve().parents[2]
# A 1x1 lossless WebP.
WEBP = (
    b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00"
    b"\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
)
# Error pages draw the site's menu from the database.
pytestmark = pytest.mark.django_db

RENDITION = "renditions/uploads/2026/11/0123abcd-320w.webp"


@pytest.fixture
def rendition(settings):
    """A rendition in this test's MEDIA_ROOT, as a saved story leaves one."""
    name = default_storage.save(RENDITION, ContentFile(WEBP))
    assert name == RENDITION
    return settings.MEDIA_ROOT / name


def get(client, path, **headers):
    return client.get(path, headers=headers)


def test_a_rendition_is_served_with_a_media_hosts_headers(client, rendition):
    response = client.get("/media/" + RENDITION)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == WEBP
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Length"] == str(len(WEBP))
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Last-Modified"] == http_date(rendition.stat().st_mtime)
    assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
    assert "Content-Disposition" not in response
    assert not response.cookies


def test_the_url_storage_gives_is_the_one_served(client, rendition):
    assert default_storage.url(RENDITION) == "/media/" + RENDITION
    assert client.get(default_storage.url(RENDITION)).status_code == 200


@pytest.mark.parametrize(
    ("suffix", "content_type"),
    [(".jpg", "image/jpeg"), (".png", "image/png"), (".gif", "image/gif")],
)
def test_image_types_are_named_by_suffix(client, suffix, content_type):
    default_storage.save(f"uploads/a{suffix}", ContentFile(b"x"))
    response = client.get(f"/media/uploads/a{suffix}")
    assert response["Content-Type"] == content_type


@pytest.mark.parametrize("name", ["uploads/page.html", "uploads/x.svg", "uploads/a"])
def test_anything_but_an_image_is_an_attachment_never_rendered(client, name):
    default_storage.save(name, ContentFile(b"<script>alert(1)</script>"))
    response = client.get("/media/" + name)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_head_answers_the_headers_without_the_body(client, rendition):
    response = client.head("/media/" + RENDITION)
    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == str(len(WEBP))
    assert response["Content-Type"] == "image/webp"
    assert response["ETag"] == client.get("/media/" + RENDITION)["ETag"]


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_only_get_and_head_are_allowed(client, rendition, method):
    response = getattr(client, method)("/media/" + RENDITION)
    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]
    assert rendition.read_bytes() == WEBP


def test_a_browser_with_the_file_gets_a_304(client, rendition):
    first = client.get("/media/" + RENDITION)
    again = get(client, "/media/" + RENDITION, if_none_match=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=31536000, immutable"
    assert again["X-Content-Type-Options"] == "nosniff"
    weak = get(client, "/media/" + RENDITION, if_none_match="W/" + first["ETag"])
    assert weak.status_code == 304
    since = get(client, "/media/" + RENDITION, if_modified_since=first["Last-Modified"])
    assert since.status_code == 304


def test_a_changed_file_is_sent_again(client, rendition):
    first = client.get("/media/" + RENDITION)
    rendition.write_bytes(WEBP + b"\x00")
    stat = rendition.stat()
    os.utime(rendition, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    again = get(client, "/media/" + RENDITION, if_none_match=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    old = http_date(stat.st_mtime - 60)
    assert get(client, "/media/" + RENDITION, if_modified_since=old).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/..%2fsecret.txt",
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/uploads/..%2f..%2fsecret.txt",
        "/media//etc/hostname",
        "/media/%2Fetc%2Fhostname",
        "/media/uploads\\..\\..\\secret.txt",
        "/media/uploads/%00.jpg",
        "/media/./" + RENDITION,
    ],
)
def test_nothing_outside_media_root_is_reached(client, settings, rendition, path):
    (Path(settings.MEDIA_ROOT).parent / "secret.txt").write_text("secret")
    response = client.get(path)
    assert response.status_code == 404
    assert b"secret" not in response.content


def test_a_symlink_leading_outside_the_root_is_refused(client, settings, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"secret")
    uploads = Path(settings.MEDIA_ROOT) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "link.jpg").symlink_to(outside / "secret.jpg")
    (uploads / "dir").symlink_to(outside, target_is_directory=True)
    assert client.get("/media/uploads/link.jpg").status_code == 404
    assert client.get("/media/uploads/dir/secret.jpg").status_code == 404


def test_a_symlink_within_the_root_is_followed(client, settings, rendition):
    (Path(settings.MEDIA_ROOT) / "alias.webp").symlink_to(rendition)
    assert client.get("/media/alias.webp").status_code == 200


@pytest.mark.parametrize(
    "path", ["/media/renditions", "/media/renditions/", "/media/renditions/uploads/"]
)
def test_a_directory_is_not_found_and_never_listed(client, rendition, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"0123abcd" not in response.content
    assert b"Index of" not in response.content


def test_hidden_files_and_partial_writes_are_not_served(client, settings):
    uploads = Path(settings.MEDIA_ROOT) / "uploads"
    uploads.mkdir(parents=True)
    (uploads / ".partial-abc").write_bytes(b"half")
    (uploads / ".htaccess").write_bytes(b"x")
    assert client.get("/media/uploads/.partial-abc").status_code == 404
    assert client.get("/media/uploads/.htaccess").status_code == 404


def test_a_missing_file_and_a_fifo_are_not_found(client, settings):
    uploads = Path(settings.MEDIA_ROOT) / "uploads"
    uploads.mkdir(parents=True)
    os.mkfifo(uploads / "pipe.jpg")
    assert client.get("/media/uploads/missing.jpg").status_code == 404
    # Opening a FIFO would wait for a writer forever; it is refused first.
    assert client.get("/media/uploads/pipe.jpg").status_code == 404


def test_media_is_public_and_costs_no_query_with_the_page_cache_on(
    client, settings, rendition, django_assert_num_queries
):
    settings.PAGE_CACHE = True
    with django_assert_num_queries(0):
        response = client.get("/media/" + RENDITION)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "X-Page-Cache" not in response
    assert "Cookie" not in response.get("Vary", "")


def test_media_stays_public_for_a_logged_in_editor(client, settings, rendition):
    settings.PAGE_CACHE = True
    client.force_login(make_user(staff=True))
    response = client.get("/media/" + RENDITION)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert not response.cookies


def test_a_story_picture_is_served_where_its_page_links_it(client, settings):
    story = make_article()
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), "teal").save(buffer, "JPEG")
    story.lead_image.save("lead.jpg", ContentFile(buffer.getvalue()), save=False)
    story.lead_image_width, story.lead_image_height = 800, 450
    story.save()
    images.make_renditions(story.lead_image)
    picture = images.picture(story.lead_image, 800, 450)
    response = client.get(picture.src)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_check_warns_when_production_media_is_not_served(settings):
    settings.DEBUG = False
    settings.MEDIA_SERVE = False
    settings.MEDIA_URL = "/media/"
    warnings = media.media_is_served(None)
    assert [w.id for w in warnings] == ["newsroom.W003"]
    assert isinstance(warnings[0], checks.Warning)
    assert "MEDIA_SERVE" in warnings[0].hint
    settings.MEDIA_URL = "https://media.example.org/"
    assert media.media_is_served(None) == []
    settings.MEDIA_URL = "/media/"
    settings.MEDIA_SERVE = True
    assert media.media_is_served(None) == []


def test_the_check_is_registered():
    registered = checks.registry.registry.get_checks()
    assert media.media_is_served in registered


def run_settings(**env):
    script = (
        "import django; django.setup();"
        "from django.conf import settings; from django.urls import resolve;"
        "from django.urls.exceptions import Resolver404\n"
        "try:\n    print(settings.MEDIA_SERVE, resolve('/media/a.jpg').url_name)\n"
        "except Resolver404:\n    print(settings.MEDIA_SERVE, None)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MEDIA_")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "SECRET_KEY": "x" * 60,
            "DEBUG": "0",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_media_is_routed_by_default_and_not_when_a_host_or_proxy_serves_it():
    assert run_settings() == ["True", "media"]
    assert run_settings(MEDIA_SERVE="0") == ["False", "None"]
    assert run_settings(MEDIA_URL="https://media.example.org/") == ["False", "None"]


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/newsroom/favicon.ico"
    icon = ROOT / "static" / "newsroom" / "favicon.ico"
    assert Image.open(icon).format == "ICO"
