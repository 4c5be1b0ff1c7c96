"""Lead images: refusals store nothing, metadata is gone, renditions made once."""

import errno
import io
import re
import struct
import zlib
from pathlib import Path

import html5lib
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import ExifTags, Image

from articles import images, services
from articles.models import Article, Author
from articles.storage import AtomicFileSystemStorage
from tests.factories import make_article, make_section, make_user

GPS_IFD = ExifTags.IFD.GPSInfo


# Test pictures ----------------------------------------------------------------


def jpeg_bytes(size=(1200, 800), colour=(200, 40, 40), exif=None) -> bytes:
    buffer = io.BytesIO()
    img = Image.new("RGB", size, colour)
    if exif is not None:
        img.save(buffer, "JPEG", exif=exif)
    else:
        img.save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(size=(400, 300), mode="RGB", colour=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def gps_exif(orientation=None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Spy Camera Co"
    exif[ExifTags.Base.Model] = "Model X"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (37.0, 33.0, 59.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (126.0, 58.0, 41.0)
    return exif


def png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def one_colour_png(width: int, height: int) -> bytes:
    """A valid greyscale PNG, all zeros, built row by row: small in memory."""
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    idat = b"".join(compressor.compress(row) for _ in range(height))
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file())


# Admin upload -----------------------------------------------------------------


@pytest.fixture
def admin_client(db, client):
    client.force_login(make_user(superuser=True))
    return client


def form_data(section, **overrides):
    data = {
        "headline": "Harbour reopens",
        "slug": "harbour-reopens",
        "dek": "",
        "body": "<p>Ships are back.</p>",
        "lead_image_alt": "Ships in the harbour",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "section": str(section.pk),
        "language": "en",
        "tags": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "comments_enabled": "on",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def upload(client, name, content, content_type="image/jpeg", **overrides):
    """Add a story with this picture; the request's transaction commits, so
    the work done on commit (the renditions) is done as in production."""
    data = form_data(make_section(), **overrides)
    data["lead_image"] = SimpleUploadedFile(name, content, content_type=content_type)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("admin:articles_article_add"), data)


def errors_of(response, field="lead_image"):
    return response.context["adminform"].form.errors.get(field, [])


@pytest.mark.parametrize(
    "client_name", ["My Holiday (1).JPG", "../../../etc/evil.php.jpg", "x.png"]
)
def test_a_photo_uploaded_in_the_admin_is_stored_under_a_generated_name(
    admin_client, client_name
):
    response = upload(admin_client, client_name, jpeg_bytes())

    assert response.status_code == 302
    article = Article.objects.get()
    name = article.lead_image.name
    assert re.fullmatch(r"uploads/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", name)
    [stored] = [path for path in stored_files() if "renditions" not in path.parts]
    assert stored == Path(settings.MEDIA_ROOT) / name
    assert (article.lead_image_width, article.lead_image_height) == (1200, 800)


REFUSED = {
    "a text file named .jpg": ("notes.jpg", b"Just some words, no picture.\n" * 20),
    "a truncated JPEG": ("cut.jpg", jpeg_bytes()[:600]),
    "an SVG": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>",
    ),
    "an SVG named .png": (
        "logo.png",
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    ),
    "a BMP": ("old.jpg", None),
    "an empty file": ("empty.jpg", b""),
}


def bmp_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "BMP")
    return buffer.getvalue()


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_file_that_is_not_an_accepted_picture_is_refused_and_nothing_stored(
    admin_client, case
):
    name, content = REFUSED[case]
    if content is None:
        content = bmp_bytes()
    response = upload(admin_client, name, content)

    assert response.status_code == 200
    assert errors_of(response)
    assert not Article.objects.exists()
    assert stored_files() == []


def test_a_decompression_bomb_gets_a_clear_error_and_nothing_is_stored(admin_client):
    bomb = one_colour_png(7000, 6000)  # 42 MP of one colour: a few KB on disk
    assert len(bomb) < 100_000

    response = upload(admin_client, "bomb.png", bomb, content_type="image/png")

    assert response.status_code == 200
    assert any("too many pixels" in error for error in errors_of(response))
    assert not Article.objects.exists()
    assert stored_files() == []


def test_a_picture_wider_than_the_side_limit_is_refused(admin_client):
    response = upload(
        admin_client, "wide.png", one_colour_png(9000, 10), content_type="image/png"
    )

    assert any("pixels a side" in error for error in errors_of(response))
    assert stored_files() == []


def test_a_bomb_past_pillows_hard_limit_is_refused_before_decoding():
    # Over twice the limit: Image.open() itself raises DecompressionBombError.
    assert 9000 * 9000 > 2 * images.MAX_PIXELS
    with pytest.raises(ValidationError) as refused:
        images.clean_image(ContentFile(one_colour_png(9000, 9000), name="b.png"))
    assert refused.value.code == "too_many_pixels"


def test_a_file_over_20_mb_is_refused_before_it_is_decoded(admin_client, monkeypatch):
    decoded = []
    real_open = Image.open
    monkeypatch.setattr(
        images.Image, "open", lambda *a, **k: decoded.append(1) or real_open(*a, **k)
    )
    # A real PNG padded with a text chunk to just over 20 MB.
    picture = png_bytes()
    padding = png_chunk(b"tEXt", b"Comment\x00" + b"x" * images.MAX_UPLOAD_BYTES)
    big = picture[:-12] + padding + picture[-12:]
    assert len(big) > images.MAX_UPLOAD_BYTES

    response = upload(admin_client, "big.png", big, content_type="image/png")

    assert any("too large" in error for error in errors_of(response))
    assert decoded == []
    assert not Article.objects.exists()
    assert stored_files() == []


def test_a_png_with_html_appended_is_re_encoded_without_the_trailing_bytes(
    admin_client,
):
    polyglot = png_bytes() + b"<html><script>alert(document.cookie)</script></html>"

    response = upload(admin_client, "poly.png", polyglot, content_type="image/png")

    assert response.status_code == 302
    stored = Path(Article.objects.get().lead_image.path).read_bytes()
    assert b"<script>" not in stored and b"<html>" not in stored
    assert stored.endswith(b"\xff\xd9")  # a JPEG ends here, nothing after it
    assert Image.open(io.BytesIO(stored)).format == "JPEG"


def test_a_transparent_png_stays_a_png_with_its_transparency(admin_client):
    response = upload(
        admin_client,
        "logo.png",
        png_bytes(mode="RGBA", colour=(0, 0, 0, 0)),
        content_type="image/png",
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.lead_image.name.endswith(".png")
    with Image.open(article.lead_image.path) as stored:
        assert stored.mode == "RGBA"
        assert stored.getpixel((0, 0))[3] == 0


def test_an_animated_gif_keeps_its_first_frame_only(admin_client):
    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])

    response = upload(admin_client, "anim.gif", buffer.getvalue(), "image/gif")

    assert response.status_code == 302
    with Image.open(Article.objects.get().lead_image.path) as stored:
        assert stored.format == "JPEG"
        assert getattr(stored, "n_frames", 1) == 1
        red, green, blue = stored.getpixel((30, 20))
        assert red > 200 and blue < 60


def exif_of(path) -> Image.Exif:
    with Image.open(path) as img:
        img.load()
        return img.getexif(), dict(img.info)


def test_gps_and_all_metadata_are_gone_from_the_photo_and_every_rendition(
    admin_client,
):
    original = jpeg_bytes(size=(2000, 1500), exif=gps_exif())
    exif, _ = exif_of(io.BytesIO(original))
    assert exif.get_ifd(GPS_IFD)  # the upload really carries a position

    response = upload(admin_client, "holiday.jpg", original)

    assert response.status_code == 302
    article = Article.objects.get()
    files = stored_files()
    renditions = [path for path in files if "renditions" in path.parts]
    assert len(renditions) == 8  # 4 widths x (WebP + JPEG)
    assert Path(article.lead_image.path) in files
    for path in files:
        exif, info = exif_of(path)
        assert not exif.get_ifd(GPS_IFD), path
        assert len(exif) == 0, path
        assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(info)
        assert b"Spy Camera" not in path.read_bytes()


def test_the_exif_orientation_is_applied_before_it_is_removed(admin_client):
    # Stored 300 wide, 200 high, "rotate 90° clockwise to display" (6).
    img = Image.new("RGB", (300, 200), "white")
    img.paste((255, 0, 0), (0, 0, 100, 200))  # the left third is red
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=gps_exif(orientation=6))

    response = upload(admin_client, "turned.jpg", buffer.getvalue())

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.lead_image_width, article.lead_image_height) == (200, 300)
    with Image.open(article.lead_image.path) as stored:
        assert stored.size == (200, 300)
        assert ExifTags.Base.Orientation not in stored.getexif()
        top = stored.getpixel((100, 20))
        bottom = stored.getpixel((100, 280))
    assert top[0] > 200 and top[1] < 60  # red is now on top
    assert bottom[1] > 200


def test_an_author_photo_is_checked_and_re_encoded_too(admin_client):
    data = {"name": "Kim Min-ji", "slug": "kim-min-ji", "job_title": "", "bio": ""}
    refused = admin_client.post(
        reverse("admin:articles_author_add"),
        {**data, "photo": SimpleUploadedFile("me.jpg", b"<svg/>")},
    )
    assert refused.status_code == 200
    assert not Author.objects.exists()
    assert stored_files() == []

    accepted = admin_client.post(
        reverse("admin:articles_author_add"),
        {**data, "photo": SimpleUploadedFile("me.jpg", jpeg_bytes(exif=gps_exif()))},
    )
    assert accepted.status_code == 302
    exif, _ = exif_of(Author.objects.get().photo.path)
    assert len(exif) == 0


# Alt text ---------------------------------------------------------------------


def test_publishing_a_story_with_a_lead_image_needs_alt_text(admin_client):
    response = upload(
        admin_client,
        "a.jpg",
        jpeg_bytes(),
        status="published",
        published_at_0="2026-01-02",
        published_at_1="09:30:00",
        lead_image_alt="   ",
    )

    assert response.status_code == 200
    assert errors_of(response, "lead_image_alt")
    assert not Article.objects.exists()
    assert stored_files() == []


def test_the_model_refuses_a_published_story_with_an_image_but_no_alt(db):
    article = make_article(lead_image="uploads/2026/01/x.jpg", lead_image_alt="")
    with pytest.raises(ValidationError) as refused:
        article.full_clean()
    assert "lead_image_alt" in refused.value.message_dict

    article.status = Article.Status.DRAFT
    article.full_clean()  # a draft may wait for its alt text


# Renditions -------------------------------------------------------------------


def story_with_image(size=(2000, 1000), **overrides) -> Article:
    article = make_article(lead_image_alt="A red square", **overrides)
    article.lead_image.save(
        "photo.jpg",
        images.clean_image(ContentFile(jpeg_bytes(size=size), name="photo.jpg")),
    )
    return article


def test_renditions_are_made_once_and_a_second_call_creates_nothing(db):
    article = story_with_image()

    first = images.make_renditions(article.lead_image)
    files_after_first = stored_files()
    second = images.make_renditions(article.lead_image)

    assert len(first) == 8
    assert second == []
    assert stored_files() == files_after_first
    for name in first:
        with article.lead_image.storage.open(name) as file, Image.open(file) as img:
            width = int(name.rsplit("-", 1)[1].split("w.")[0])
            assert img.size == (width, width // 2)
            assert img.format == ("WEBP" if name.endswith(".webp") else "JPEG")


def test_renditions_are_never_wider_than_the_original(db):
    article = story_with_image(size=(700, 350))

    created = images.make_renditions(article.lead_image)

    widths = sorted({int(n.rsplit("-", 1)[1].split("w.")[0]) for n in created})
    assert widths == [320, 640, 700]


def test_rendition_names_derive_from_the_original_name():
    assert (
        images.rendition_name("uploads/2026/11/ab12.jpg", 640, "webp")
        == "renditions/uploads/2026/11/ab12-640w.webp"
    )


def parse(response):
    return html5lib.parse(
        response.content.decode(response.charset), namespaceHTMLElements=False
    )


def test_the_story_page_lead_image_is_an_eager_picture_with_srcset_and_size(client, db):
    article = story_with_image()
    images.make_renditions(article.lead_image)

    doc = parse(client.get(article.get_absolute_url()))

    figure = doc.find(".//figure[@class='story__figure']")
    source = figure.find(".//picture/source")
    img = figure.find(".//picture/img")
    assert source.get("type") == "image/webp"
    webp = [entry.split() for entry in source.get("srcset").split(",")]
    assert [width for _, width in webp] == ["320w", "640w", "1024w", "1600w"]
    assert all(url.endswith(".webp") for url, _ in webp)
    assert source.get("sizes") and img.get("sizes")
    jpegs = [entry.split() for entry in img.get("srcset").split(",")]
    assert all(url.endswith(".jpg") for url, _ in jpegs)
    assert img.get("src").endswith("-1024w.jpg")
    assert (img.get("width"), img.get("height")) == ("1024", "512")
    assert img.get("alt") == "A red square"
    assert img.get("loading") == "eager"
    assert img.get("decoding") == "async"
    # Every URL in the markup is a file that exists.
    media = Path(settings.MEDIA_ROOT)
    for url, _ in webp + jpegs:
        assert (media / url.removeprefix(settings.MEDIA_URL)).is_file()


def test_story_cards_below_the_first_lazy_load_their_picture(client, db):
    for _ in range(3):
        story = story_with_image(size=(700, 350), tags=["Harbour"])
        images.make_renditions(story.lead_image)

    doc = parse(client.get(reverse("articles:tag", args=["harbour"])))

    imgs = doc.findall(".//article[@class='card card--image']//picture/img")
    assert [img.get("loading") for img in imgs] == ["eager", "lazy", "lazy"]
    for img in imgs:
        assert img.get("width") and img.get("height")
        assert "320w" in img.get("srcset")


def test_a_story_with_an_image_of_unknown_size_falls_back_to_a_plain_img(client, db):
    article = make_article(lead_image="uploads/2026/01/old.jpg", lead_image_alt="Old")

    doc = parse(client.get(article.get_absolute_url()))

    figure = doc.find(".//figure[@class='story__figure']")
    assert figure.find(".//picture") is None
    assert figure.find(".//img").get("src").endswith("uploads/2026/01/old.jpg")


def test_an_admin_save_makes_the_renditions(admin_client):
    upload(admin_client, "p.jpg", jpeg_bytes(size=(800, 600)))

    article = Article.objects.get()
    names = images.rendition_names(article.lead_image.name, 800)
    assert len(names) == 6
    assert all(article.lead_image.storage.exists(name) for name in names)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_pictures_add_no_queries_to_listings_or_the_story_page(client, db, settings):
    settings.PAGE_CACHE = False  # measure the page, not the page cache

    def add(rows):
        for _ in range(rows):
            make_article(tags=["Plain"])
            make_article(
                tags=["Pictures"],
                lead_image="uploads/2026/01/p.jpg",
                lead_image_width=1600,
                lead_image_height=900,
                lead_image_alt="A picture",
            )

    plain_url = reverse("articles:tag", args=["plain"])
    pictures_url = reverse("articles:tag", args=["pictures"])
    add(10)
    client.get(plain_url)  # per-process caches (the section menu) warmed
    with_10 = (count_queries(client, plain_url), count_queries(client, pictures_url))
    add(190)
    with_200 = (count_queries(client, plain_url), count_queries(client, pictures_url))

    assert with_10[0] == with_10[1] == with_200[0] == with_200[1]
    doc = parse(client.get(pictures_url))
    assert len(doc.findall(".//picture")) == settings.ARTICLES_PER_PAGE

    plain_story = Article.objects.filter(lead_image="").first()
    picture_story = Article.objects.exclude(lead_image="").first()
    client.get(plain_story.get_absolute_url())  # Most Viewed etc. cached
    assert count_queries(client, plain_story.get_absolute_url()) == count_queries(
        client, picture_story.get_absolute_url()
    )


def test_the_backfill_command_sizes_old_images_and_makes_renditions_once(db):
    article = make_article(lead_image_alt="Old picture")
    # Written outside the admin: the file exists, its size is not recorded.
    name = article.lead_image.storage.save(
        "uploads/2020/01/old.jpg", ContentFile(jpeg_bytes(size=(900, 600)))
    )
    Article.objects.filter(pk=article.pk).update(lead_image=name)
    broken = make_article(lead_image="uploads/2020/01/missing.jpg")
    out, err = io.StringIO(), io.StringIO()

    call_command("make_renditions", stdout=out, stderr=err)

    article.refresh_from_db()
    assert (article.lead_image_width, article.lead_image_height) == (900, 600)
    assert "6 renditions made, 1 images unreadable" in out.getvalue()
    assert broken.lead_image.name in err.getvalue()
    files = stored_files()
    call_command("make_renditions", stdout=io.StringIO(), stderr=io.StringIO())
    assert stored_files() == files


def test_the_demo_makes_renditions_of_its_pictures_unless_told_not_to(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    made = []
    monkeypatch.setattr(images, "make_renditions", made.append)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", no_renditions=True, verbosity=0)
    assert made == []
    Article.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)

    assert {fieldfile.name for fieldfile in made} == set(
        Article.objects.values_list("lead_image", flat=True)
    )


def test_replacing_a_lead_image_deletes_the_old_file_and_its_renditions(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, "first.jpg", jpeg_bytes(size=(1200, 800)))
    article = Article.objects.get()
    first = set(stored_files())
    assert len(first) == 9  # the original and 4 widths x (WebP + JPEG)
    data = form_data(article.section, slug=article.slug, version=str(article.version))
    data["lead_image"] = SimpleUploadedFile(
        "second.png", png_bytes(size=(700, 500)), content_type="image/png"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:articles_article_change", args=[article.pk]), data
        )

    assert response.status_code == 302
    article.refresh_from_db()
    now = set(stored_files())
    assert not first & now
    assert Path(article.lead_image.path) in now
    assert len(now) == 7  # the original and 320, 640 and 700 px, WebP + JPEG


def test_an_image_another_story_still_uses_is_kept(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, "shared.jpg", jpeg_bytes())
    article = Article.objects.get()
    make_article(slug="twin", lead_image=article.lead_image.name, lead_image_alt="x")
    before = set(stored_files())

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()

    assert set(stored_files()) == before


def test_deleting_a_story_deletes_its_picture(
    admin_client, django_capture_on_commit_callbacks
):
    upload(admin_client, "gone.jpg", jpeg_bytes())
    article = Article.objects.get()
    assert stored_files()

    with django_capture_on_commit_callbacks(execute=True):
        article.delete()

    assert stored_files() == []


# A full or read-only media store ------------------------------------------------------
#
# Both are real subclasses of the project's storage, set as the default storage;
# only the system call that fails differs. Tests run as root, where a chmod'ed
# folder still accepts writes, and a read-only bind or tmpfs mount needs
# privileges CI does not have: so the read-only storage refuses where the kernel
# would (creating the file, EROFS), and the full one after writing half the bytes
# (ENOSPC), as a full disk does.


class FullDiskStorage(AtomicFileSystemStorage):
    """Writes half of each file, then fails as a full disk does."""

    def _write(self, out, content):
        data = b"".join(content.chunks())
        out.write(data[: len(data) // 2])
        out.flush()
        raise OSError(errno.ENOSPC, "No space left on device")


class ReadOnlyStorage(AtomicFileSystemStorage):
    """Refuses to create any file, as a read-only mount does."""

    def _open_temporary(self, directory):
        raise OSError(errno.EROFS, "Read-only file system", directory)


@pytest.fixture(params=["full", "read-only"])
def failing_storage(request, settings):
    backend = {"full": FullDiskStorage, "read-only": ReadOnlyStorage}[request.param]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.{backend.__name__}"},
    }
    return request.param


def test_the_default_storage_is_the_atomic_one():
    from django.core.files.storage import storages

    assert isinstance(storages["default"], AtomicFileSystemStorage)


def test_a_failing_media_store_is_a_form_error_that_keeps_the_input(
    admin_client, failing_storage
):
    response = upload(admin_client, "photo.jpg", jpeg_bytes(), headline="Kept words")

    assert response.status_code == 200
    [error] = errors_of(response)
    reason = "full" if failing_storage == "full" else "does not accept new files"
    assert reason in error
    form = response.context["adminform"].form
    assert form["headline"].value() == "Kept words"
    assert form["lead_image_alt"].value() == "Ships in the harbour"
    assert Article.objects.count() == 0
    assert stored_files() == []  # nothing partial, no temporary file


def test_a_failing_media_store_leaves_a_stored_story_unchanged(
    admin_client, failing_storage
):
    story = make_article(headline="Before", lead_image_alt="")
    revisions = story.revisions.count()
    data = form_data(
        story.section, headline="After", slug=story.slug, version=str(story.version)
    )
    data["lead_image"] = SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg")
    url = reverse("admin:articles_article_change", args=[story.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(url, data)

    assert response.status_code == 200
    assert errors_of(response)
    story.refresh_from_db()
    assert story.headline == "Before"
    assert not story.lead_image
    assert story.revisions.count() == revisions
    assert stored_files() == []


def test_save_story_reports_a_failing_media_store(db, failing_storage):
    story = Article(
        headline="Shell story",
        slug="shell-story",
        section=make_section(),
        lead_image_alt="Ships",
    )
    story.lead_image = images.clean_image(ContentFile(jpeg_bytes(), name="p.jpg"))
    with pytest.raises(services.MediaUnavailable):
        services.save_story(story)
    assert Article.objects.count() == 0
    assert stored_files() == []


def test_the_atomic_storage_never_shows_a_partial_name(db, tmp_path):
    storage = AtomicFileSystemStorage(location=tmp_path)
    name = storage.save("a/b.txt", ContentFile(b"hello"))
    again = storage.save("a/b.txt", ContentFile(b"world"))

    assert name == "a/b.txt" and again != name  # never overwritten
    assert (tmp_path / again).read_bytes() == b"world"
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(
        [Path(name).name, Path(again).name]
    )


def test_a_failing_media_store_is_an_error_on_the_author_photo(
    admin_client, failing_storage
):
    data = {"name": "Kept Name", "slug": "kept-name", "job_title": "Reporter"}
    data["photo"] = SimpleUploadedFile("face.jpg", jpeg_bytes(), "image/jpeg")
    response = admin_client.post(reverse("admin:articles_author_add"), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    [error] = form.errors["photo"]
    assert "Nothing was saved" in error
    assert form["name"].value() == "Kept Name"
    assert not Author.objects.filter(slug="kept-name").exists()
    assert stored_files() == []
