"""Script injection in every reader and editor input, on every page it reaches.

Each payload goes into every editor field at once (headline, dek, body, lead
image alt/caption/credit, tag name, author name/bio/job title, section
name/description) and into the comment form (name, body) and the search box;
each surface is then parsed and must be inert (see ``conftest.inert_problems``).
"""

import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from articles.models import Article
from comments.models import Comment
from tests.comments.conftest import form_data
from tests.factories import make_article, make_author, make_section
from tests.security.conftest import (
    PAYLOAD_IDS,
    PAYLOADS,
    assert_inert_html,
    assert_inert_xml,
    text_of,
)

pytestmark = pytest.mark.django_db


def _lead_image(settings):
    path = settings.MEDIA_ROOT / "uploads" / "lead.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return "uploads/lead.png"


@pytest.fixture(params=PAYLOADS, ids=PAYLOAD_IDS)
def hostile(request, settings):
    """A published story whose every editor-typed field carries the payload."""
    payload = request.param
    section = make_section(name=f"Desk {payload}", description=f"About {payload}")
    author = make_author(name=f"Ann {payload}", bio=payload, job_title=payload)
    article = make_article(
        headline=f"Harbour {payload}",
        dek=f"Dek {payload}",
        body=f"<p>Body {payload}</p>{payload}",
        lead_image=_lead_image(settings),
        lead_image_alt=f"Alt {payload}",
        lead_image_caption=f"Caption {payload}",
        lead_image_credit=f"Credit {payload}",
        section=section,
        authors=[author],
        tags=[payload, f"harbour {payload}"[:100]],
        is_top_story=True,
    )
    # A second story, so related stories and lists have more than one card.
    make_article(section=section, authors=[author], tags=[payload])
    return {"payload": payload, "article": article, "author": author}


def _tag(article):
    return article.tags.order_by("name").first()


HTML_SURFACES = {
    "story": lambda h: h["article"].get_absolute_url(),
    "home": lambda h: reverse("articles:home"),
    "section": lambda h: h["article"].section.get_absolute_url(),
    "tag": lambda h: reverse("articles:tag", args=[_tag(h["article"]).slug]),
    "tag-index": lambda h: reverse("articles:tag_index"),
    "author": lambda h: h["author"].get_absolute_url(),
    "author-index": lambda h: reverse("articles:author_index"),
    "search-word": lambda h: reverse("articles:search") + "?q=Harbour",
    "search-payload": lambda h: (
        reverse("articles:search") + "?" + _query(q=h["payload"])
    ),
    "archive-year": lambda h: reverse(
        "articles:archive_year", args=[_local(h["article"]).year]
    ),
    "archive-day": lambda h: reverse(
        "articles:archive_day",
        args=[
            _local(h["article"]).year,
            f"{_local(h['article']).month:02d}",
            f"{_local(h['article']).day:02d}",
        ],
    ),
    "comment-form": lambda h: reverse("comments:write", args=[h["article"].pk]),
}


def _local(article):
    from django.utils import timezone

    return timezone.localtime(article.published_at)


def _query(**params):
    from urllib.parse import urlencode

    return urlencode(params)


@pytest.mark.parametrize("surface", HTML_SURFACES)
def test_editor_input_is_inert_on_every_reader_page(client, hostile, surface):
    response = client.get(HTML_SURFACES[surface](hostile))
    assert response.status_code == 200
    assert_inert_html(response)


def test_the_story_shows_the_headline_and_plain_fields_as_text(client, hostile):
    """Escaped, not removed: readers see exactly what the editor typed."""
    payload = hostile["payload"]
    doc = assert_inert_html(client.get(hostile["article"].get_absolute_url()))
    assert doc.find(".//h1").text == f"Harbour {payload}"
    assert text_of(doc.find(".//p[@class='story__dek']")) == f"Dek {payload}"
    assert doc.find(".//figure//img").get("alt") == f"Alt {payload}"
    assert doc.find(".//title").text.startswith(f"Harbour {payload} |")


def test_json_ld_round_trips_the_headline_and_cannot_end_its_script(client, hostile):
    doc = assert_inert_html(client.get(hostile["article"].get_absolute_url()))
    blocks = doc.findall(".//script[@type='application/ld+json']")
    assert blocks
    for block in blocks:
        assert "</" not in block.text and "<!--" not in block.text
    data = [json.loads(block.text) for block in blocks]
    news = next(d for d in data if d.get("@type") == "NewsArticle")
    assert news["headline"] == f"Harbour {hostile['payload']}"


FEEDS = {
    "rss-latest": lambda h: reverse("articles:feed_latest_rss"),
    "atom-latest": lambda h: reverse("articles:feed_latest_atom"),
    "rss-section": lambda h: reverse(
        "articles:section_feed_rss", args=[h["article"].section.slug]
    ),
    "atom-tag": lambda h: reverse(
        "articles:tag_feed_atom", args=[_tag(h["article"]).slug]
    ),
    "rss-author": lambda h: reverse(
        "articles:author_feed_rss", args=[h["author"].slug]
    ),
    "sitemap-index": lambda h: reverse("sitemap_index"),
    "news-sitemap": lambda h: reverse("news_sitemap"),
}


@pytest.mark.parametrize("surface", FEEDS)
def test_feeds_and_sitemaps_stay_well_formed_and_inert(client, hostile, surface):
    assert_inert_xml(client.get(FEEDS[surface](hostile)))


def test_every_section_sitemap_stays_well_formed(client, hostile):
    import xml.etree.ElementTree as ET

    index = ET.fromstring(client.get(reverse("sitemap_index")).content)
    locations = [el.text for el in index.iter() if el.tag.endswith("loc")]
    assert locations
    for location in locations:
        assert_inert_xml(client.get(location.split("testserver", 1)[1]))


ADMIN_PAGES = {
    "article-list": lambda h: reverse("admin:articles_article_changelist"),
    "article-search": lambda h: (
        reverse("admin:articles_article_changelist") + "?" + _query(q=h["payload"])
    ),
    "article-change": lambda h: reverse(
        "admin:articles_article_change", args=[h["article"].pk]
    ),
    "author-list": lambda h: reverse("admin:articles_author_changelist"),
    "section-list": lambda h: reverse("admin:articles_section_changelist"),
    "tag-list": lambda h: reverse("admin:taggit_tag_changelist"),
    "comment-list": lambda h: reverse("admin:comments_comment_changelist"),
}


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_editor_input_is_inert_in_the_admin(staff_client, hostile, page):
    response = staff_client.get(ADMIN_PAGES[page](hostile))
    assert response.status_code == 200
    assert_inert_html(response, admin=True)


# Readers' input: the comment form and the search box.


def _post(client, article, **fields):
    return client.post(
        reverse("comments:post", args=[article.pk]), form_data(article, **fields)
    )


@pytest.fixture(params=PAYLOADS, ids=PAYLOAD_IDS)
def hostile_comment(request, client):
    payload = request.param
    article = make_article(tags=["harbour"])
    # A name may not hold a bidi override (the form refuses it: see
    # tests/comments/test_views.py); the body may.
    name = "".join(ch for ch in f"N {payload}"[:100] if not 0x202A <= ord(ch) <= 0x202E)
    response = _post(client, article, name=name, body=f"B {payload}")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    return {"payload": payload, "article": article, "comment": comment}


COMMENT_SURFACES = {
    "story": lambda h: h["article"].get_absolute_url(),
    "home": lambda h: reverse("articles:home"),
    "reply-form": lambda h: (
        reverse("comments:write", args=[h["article"].pk]) + f"?reply={h['comment'].pk}"
    ),
    "report-confirm": lambda h: reverse(
        "comments:confirm_report", args=[h["comment"].pk]
    ),
}


@pytest.mark.parametrize("surface", COMMENT_SURFACES)
def test_comment_input_is_inert_where_it_is_shown(client, hostile_comment, surface):
    response = client.get(COMMENT_SURFACES[surface](hostile_comment))
    assert response.status_code == 200
    assert_inert_html(response)


def test_a_comment_is_shown_as_the_text_the_reader_typed(client, hostile_comment):
    comment = hostile_comment["comment"]
    doc = assert_inert_html(client.get(hostile_comment["article"].get_absolute_url()))
    item = doc.find(f".//li[@id='comment-{comment.pk}']")
    body = item.find(".//div[@class='comment-body']")
    # urlize may link a bare address, but only with http(s) and the ugc rel.
    for link in body.iter("a"):
        assert link.get("href", "").startswith(("http://", "https://", "mailto:"))
        assert link.get("rel") == "nofollow ugc noopener"
    assert text_of(body) == f"B {hostile_comment['payload']}".strip()


@pytest.mark.parametrize("page", ["comment-list", "comment-change"])
def test_comment_input_is_inert_in_the_moderation_admin(
    staff_client, hostile_comment, page
):
    url = (
        reverse("admin:comments_comment_changelist")
        if page == "comment-list"
        else reverse(
            "admin:comments_comment_change", args=[hostile_comment["comment"].pk]
        )
    )
    response = staff_client.get(url)
    assert response.status_code == 200
    assert_inert_html(response, admin=True)


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_a_rejected_comment_form_echoes_the_payload_inertly(client, payload):
    article = make_article()
    response = _post(client, article, name=f"N {payload}", body="", issued="forged")
    assert response.status_code == 400
    doc = assert_inert_html(response)
    assert doc.find(".//input[@name='name']").get("value") == f"N {payload}"
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_the_search_box_echoes_the_query_inertly(client, payload):
    make_article(headline="Harbour news")
    response = client.get(reverse("articles:search"), {"q": payload})
    assert response.status_code == 200
    doc = assert_inert_html(response)
    assert doc.find(".//input[@name='q']").get("value") == payload


def test_stored_body_is_the_sanitised_input(hostile):
    from articles.sanitizer import clean_html

    body = Article.objects.get(pk=hostile["article"].pk).body
    assert body == clean_html(body)
