"""Pages and feeds ask the media storage nothing; a save asks it little.

On object storage each storage call is an HTTP request, so they are counted
here (``CountingStorage``, on local disk: the same code paths, fast, on both
databases). What a save may cost, and why:

- a save that stores no new picture: 0;
- a save with a new lead image wider than 1,600 pixels: N = 11, namely 1 write
  of the original, 1 existence check (are its renditions there? the one
  written last is asked), 1 read of the original to make them, and 8 writes
  (4 widths, WebP and JPEG). Width, height and size come from the upload
  itself and are kept in the row: nothing is read back;
- replacing it adds the deletes of the old picture's files, after the commit:
  1 + the renditions made for its width (8 at most).
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from articles import bodyimages, images, services
from articles.models import Article
from tests.factories import make_article, make_author, make_section
from tests.media.conftest import jpeg_bytes

NEW_LEAD_IMAGE_CALLS = {"save": 9, "exists": 1, "open": 1}


def clean(size=(2000, 1000), colour=(30, 90, 160)):
    return images.clean_image(ContentFile(jpeg_bytes(size, colour), name="p.jpg"))


def story_with_picture(capture, **fields):
    story = make_article(lead_image_alt="A harbour at dawn", **fields)
    story.lead_image = clean()
    with capture(execute=True):
        services.save_story(story)
    return story


@pytest.fixture
def newsroom(db, storage_calls, django_capture_on_commit_callbacks):
    """Stories with lead images, a body picture and an author with a photo,
    all stored (renditions made); then the counter starts from zero."""
    section = make_section(slug="harbour")
    author = make_author(slug="writer")
    author.photo.save("photo.jpg", clean((400, 400)), save=True)
    stories = [
        story_with_picture(
            django_capture_on_commit_callbacks,
            section=section,
            is_top_story=n == 0,
        )
        for n in range(3)
    ]
    body_picture = bodyimages.store(
        ContentFile(jpeg_bytes((1200, 800)), name="b.jpg"), alt="Cranes"
    )
    lead = stories[0]
    lead.body = f"<p>Text.</p>{bodyimages.figure_html(body_picture)}"
    lead.save()
    lead.tags.add("ports")
    lead.bylines.create(author=author, role="by", order=0)
    # A story saved before sizes were kept: its row knows no size.
    old = make_article(section=section, lead_image=lead.lead_image.name)
    Article.objects.filter(pk=old.pk).update(
        lead_image_size=None, lead_image_width=None, lead_image_height=None
    )
    storage_calls.clear()
    return {"stories": stories, "lead": lead, "author": author, "section": section}


PAGES = [
    ("articles:home", ()),
    ("articles:feed_latest_rss", ()),
    ("articles:feed_latest_atom", ()),
    ("articles:section_feed_rss", ("harbour",)),
    ("articles:tag_feed_atom", ("ports",)),
    ("articles:author_feed_rss", ("writer",)),
    ("articles:author", ("writer",)),
    ("articles:section", ("harbour",)),
]


def test_pages_and_feeds_make_no_storage_calls(client, newsroom, storage_calls):
    urls = [reverse(name, args=args) for name, args in PAGES]
    urls.append(newsroom["lead"].get_absolute_url())
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    story_page = client.get(newsroom["lead"].get_absolute_url()).content.decode()
    assert "<picture>" in story_page
    assert "-640w.webp" in story_page  # the body picture's renditions too
    assert dict(storage_calls) == {}


def test_a_feed_enclosure_length_is_the_size_kept_in_the_row(
    client, newsroom, storage_calls
):
    lead = Article.objects.get(pk=newsroom["lead"].pk)
    storage_calls.clear()
    content = client.get(reverse("articles:feed_latest_rss")).content.decode()
    assert dict(storage_calls) == {}  # the feed asked the storage nothing
    assert lead.lead_image_size == len(
        lead.lead_image.storage.open(lead.lead_image.name).read()
    )
    storage_calls.clear()
    assert f'length="{lead.lead_image_size}"' in content
    # The old row, not yet backfilled, says 0 (record_media_sizes fills it).
    assert 'length="0"' in content
    assert dict(storage_calls) == {}


def test_a_save_with_a_new_lead_image_makes_at_most_eleven_calls(
    db, storage_calls, django_capture_on_commit_callbacks
):
    story = make_article(lead_image_alt="A ferry")
    story.lead_image = clean()
    storage_calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)

    assert dict(storage_calls) == NEW_LEAD_IMAGE_CALLS
    assert sum(storage_calls.values()) == 11
    story.refresh_from_db()
    assert (story.lead_image_width, story.lead_image_height) == (2000, 1000)
    assert story.lead_image_size == story.lead_image.storage.size(story.lead_image.name)


def test_a_save_that_keeps_the_picture_makes_no_storage_calls(
    db, storage_calls, django_capture_on_commit_callbacks
):
    story = story_with_picture(django_capture_on_commit_callbacks)
    story = Article.objects.get(pk=story.pk)
    storage_calls.clear()

    story.headline = "A ferry, corrected"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)

    assert dict(storage_calls) == {}


def test_replacing_a_picture_adds_the_deletes_of_the_old_files_only(
    db, storage_calls, django_capture_on_commit_callbacks
):
    story = story_with_picture(django_capture_on_commit_callbacks)
    story = Article.objects.get(pk=story.pk)
    old_name = story.lead_image.name
    story.lead_image = clean((700, 350), colour=(200, 10, 10))
    storage_calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)

    # A 700-pixel picture has renditions at 320, 640 and 700: 6 writes.
    assert dict(storage_calls) == {"save": 7, "exists": 1, "open": 1, "delete": 9}
    assert not story.lead_image.storage.exists(old_name)


def test_loading_a_row_reads_its_picture_size_from_the_row(db, storage_calls):
    story = make_article(lead_image="uploads/2026/01/gone.jpg")
    Article.objects.filter(pk=story.pk).update(
        lead_image_width=1200, lead_image_height=600, lead_image_size=12345
    )
    storage_calls.clear()

    picture = Article.objects.get(pk=story.pk).lead_image

    assert (picture.width, picture.height, picture.size) == (1200, 600, 12345)
    assert dict(storage_calls) == {}


def test_a_row_that_does_not_know_its_size_asks_the_storage(db, storage_calls):
    story = make_article(lead_image_alt="x")
    name = story.lead_image.storage.save("uploads/2026/01/a.jpg", clean())
    Article.objects.filter(pk=story.pk).update(lead_image=name)
    storage_calls.clear()

    picture = Article.objects.get(pk=story.pk).lead_image

    assert picture.size > 0 and picture.width == 2000
    assert storage_calls["size"] == 1 and storage_calls["open"] == 1
