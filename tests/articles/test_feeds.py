import html
import io
from datetime import timedelta

import feedparser
import html5lib
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Byline
from tests.factories import make_article, make_author, make_draft, make_section

FEED_NAMES = ["rss", "atom"]
NS = {"h": "http://www.w3.org/1999/xhtml"}


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def lead_story(db):
    """The demo-like lead: two bylines, two tags, a lead image, edited later."""
    section = make_section(name="Politics", slug="politics")
    kim = make_author(name="Kim Min-ji", slug="kim-min-ji")
    lee = make_author(name="Lee Joon", slug="lee-joon")
    story = make_article(
        headline="Summit <ends> & talks stall",
        dek="Leaders part without a deal <b>today</b>.",
        body="<p>First <strong>paragraph</strong>.</p>"
        "<script>alert(1)</script><p>North.</p>",
        section=section,
        authors=[kim, (lee, Byline.Role.TRANSLATED)],
        tags=["북한", "Diplomacy"],
        published_at=timezone.now() - timedelta(hours=2),
    )
    story.lead_image.save("lead.png", ContentFile(png_bytes()), save=True)
    story.refresh_from_db()
    return story


def fetch(client, url_name, *args):
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    return response, feedparser.parse(response.content)


@pytest.mark.parametrize("kind", FEED_NAMES)
def test_latest_feed_item_carries_everything(client, lead_story, kind):
    response, feed = fetch(client, f"articles:feed_latest_{kind}")
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.title == "Summit <ends> & talks stall"
    assert entry.link == "http://testserver" + lead_story.get_absolute_url()
    # The dek is plain text: readers show its markup-like text literally.
    assert entry.summary == "Leaders part without a deal &lt;b&gt;today&lt;/b&gt;."
    assert html.unescape(entry.summary) == lead_story.dek
    assert {tag.term for tag in entry.tags} == {"북한", "Diplomacy"}
    assert [author["name"] for author in entry.authors] == ["Kim Min-ji", "Lee Joon"]
    published = timezone.make_naive(lead_story.published_at, timezone.UTC)
    updated = timezone.make_naive(lead_story.updated_at, timezone.UTC)
    assert entry.published_parsed[:6] == published.timetuple()[:6]
    assert entry.updated_parsed[:6] == updated.timetuple()[:6]
    content = entry.content[0].value
    assert "<strong>paragraph</strong>" in content
    assert "<script" not in content
    assert "alert" not in content


def test_rss_item_has_the_lead_image_as_enclosure(client, lead_story):
    response, feed = fetch(client, "articles:feed_latest_rss")
    (enclosure,) = feed.entries[0].enclosures
    assert enclosure.href == "http://testserver" + lead_story.lead_image.url
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == lead_story.lead_image.size > 0


def test_atom_item_has_the_lead_image_and_author_pages(client, lead_story):
    response, feed = fetch(client, "articles:feed_latest_atom")
    entry = feed.entries[0]
    enclosures = [link for link in entry.links if link.rel == "enclosure"]
    assert [link.href for link in enclosures] == [
        "http://testserver" + lead_story.lead_image.url
    ]
    assert [author.get("href") for author in entry.authors] == [
        "http://testserver/authors/kim-min-ji/",
        "http://testserver/authors/lee-joon/",
    ]


@pytest.mark.parametrize("kind", FEED_NAMES)
def test_tag_feed_lists_the_tagged_story_with_both_bylines(client, lead_story, kind):
    make_article(headline="Other story", tags=["Weather"])
    tag = lead_story.tags.get(name="북한")
    _, feed = fetch(client, f"articles:tag_feed_{kind}", tag.slug)
    assert [entry.title for entry in feed.entries] == [lead_story.headline]
    assert [a["name"] for a in feed.entries[0].authors] == ["Kim Min-ji", "Lee Joon"]
    assert "북한" in feed.feed.title


@pytest.mark.parametrize("kind", FEED_NAMES)
def test_section_and_author_feeds_are_scoped(client, lead_story, kind):
    other = make_article(headline="Sport story", authors=[make_author()])
    _, feed = fetch(client, f"articles:section_feed_{kind}", "politics")
    assert [e.title for e in feed.entries] == [lead_story.headline]
    _, feed = fetch(client, f"articles:author_feed_{kind}", "lee-joon")
    assert [e.title for e in feed.entries] == [lead_story.headline]
    _, feed = fetch(client, f"articles:section_feed_{kind}", other.section.slug)
    assert [e.title for e in feed.entries] == ["Sport story"]


@pytest.mark.parametrize(
    "url_name", ["section_feed_rss", "tag_feed_atom", "author_feed_rss"]
)
def test_feed_of_a_missing_object_is_404(client, db, url_name):
    assert client.get(reverse(f"articles:{url_name}", args=["nope"])).status_code == 404


@pytest.mark.parametrize("kind", FEED_NAMES)
def test_drafts_and_scheduled_stories_are_absent_from_feeds(client, db, kind):
    author = make_author(slug="writer")
    section = make_section(slug="desk")
    common = {"authors": [author], "section": section, "tags": ["secret"]}
    make_draft(headline="DRAFT-MARKER", **common)
    make_article(
        headline="SCHEDULED-MARKER",
        published_at=timezone.now() + timedelta(hours=1),
        **common,
    )
    make_article(headline="Live story", **common)
    urls = [
        reverse(f"articles:feed_latest_{kind}"),
        reverse(f"articles:section_feed_{kind}", args=["desk"]),
        reverse(f"articles:tag_feed_{kind}", args=["secret"]),
        reverse(f"articles:author_feed_{kind}", args=["writer"]),
    ]
    for url in urls:
        response = client.get(url)
        feed = feedparser.parse(response.content)
        assert [e.title for e in feed.entries] == ["Live story"]
        assert b"MARKER" not in response.content


def test_feed_is_newest_first_and_capped(client, db):
    for n in range(35):
        make_article(
            headline=f"Story {n:02d}",
            published_at=timezone.now() - timedelta(minutes=n + 1),
        )
    _, feed = fetch(client, "articles:feed_latest_rss")
    assert [e.title for e in feed.entries] == [f"Story {n:02d}" for n in range(30)]


def test_hostile_headline_stays_well_formed(client, db):
    make_article(
        headline="]]></title><script>alert(1)</script>\u2028",
        dek="</description>&amp;",
        authors=[make_author(name="<Evil> & Co")],
    )
    for kind in FEED_NAMES:
        _, feed = fetch(client, f"articles:feed_latest_{kind}")
        assert not feed.bozo, feed.bozo_exception
        entry = feed.entries[0]
        assert entry.title.startswith("]]></title><script>")
        assert html.unescape(entry.summary) == "</description>&amp;"
        assert entry.authors[0]["name"] == "<Evil> & Co"


@pytest.mark.parametrize("rows", [10, 60])
@pytest.mark.parametrize(
    "url_name,slug",
    [
        ("feed_latest_rss", None),
        ("feed_latest_atom", None),
        ("section_feed_rss", "sec"),
        ("tag_feed_atom", "common"),
        ("author_feed_rss", "writer"),
    ],
)
def test_feed_query_count_is_flat(
    client, db, django_assert_num_queries, rows, url_name, slug
):
    author = make_author(slug="writer")
    section = make_section(slug="sec")
    for n in range(rows):
        make_article(
            section=section,
            authors=[author, make_author()],
            tags=["common", f"t{n}"],
        )
    url = reverse(f"articles:{url_name}", args=[slug] if slug else [])
    # The stories, their bylines, their tags, their correction notes (the
    # corrections app's item source), their live coverage (live's); +1 for
    # the section, tag or author.
    with django_assert_num_queries(5 if slug is None else 6):
        response = client.get(url)
    assert len(feedparser.parse(response.content).entries) == min(rows, 30)


def test_pages_link_to_their_feeds(client, lead_story):
    tag = lead_story.tags.get(name="북한")
    pages = {
        reverse("articles:home"): ("feed_latest", []),
        reverse("articles:section", args=["politics"]): ("section_feed", ["politics"]),
        reverse("articles:tag", args=[tag.slug]): ("tag_feed", [tag.slug]),
        reverse("articles:author", args=["kim-min-ji"]): (
            "author_feed",
            ["kim-min-ji"],
        ),
    }
    for page, (name, args) in pages.items():
        response = client.get(page)
        assert response.status_code == 200
        doc = html5lib.parse(response.content.decode(), namespaceHTMLElements=True)
        links = doc.findall(".//h:head/h:link[@rel='alternate']", NS)
        assert {(link.get("type"), link.get("href")) for link in links} == {
            ("application/rss+xml", reverse(f"articles:{name}_rss", args=args)),
            ("application/atom+xml", reverse(f"articles:{name}_atom", args=args)),
        }
        for link in links:
            feed = feedparser.parse(client.get(link.get("href")).content)
            assert [e.title for e in feed.entries] == [lead_story.headline]
