import io
import json
from datetime import datetime, timedelta

import html5lib
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Byline
from articles.seo import json_ld
from tests.factories import make_article, make_author, make_section

NS = {"h": "http://www.w3.org/1999/xhtml"}
BASE = "http://testserver"


def parse(response):
    return html5lib.parse(response.content.decode(), namespaceHTMLElements=True)


def json_ld_blocks(doc):
    return [
        json.loads(script.text)
        for script in doc.findall(".//h:script[@type='application/ld+json']", NS)
    ]


def meta(doc, attr, name):
    element = doc.find(f".//h:head/h:meta[@{attr}='{name}']", NS)
    return None if element is None else element.get("content")


@pytest.fixture
def story(db):
    section = make_section(name="Politics", slug="politics")
    kim = make_author(name="Kim Min-ji", slug="kim-min-ji", job_title="Correspondent")
    lee = make_author(name="Lee Joon", slug="lee-joon", job_title="")
    article = make_article(
        headline="Summit ends without a deal",
        dek="Leaders part after two days.",
        section=section,
        authors=[kim, (lee, Byline.Role.TRANSLATED)],
        tags=["북한", "Diplomacy"],
        published_at=timezone.now() - timedelta(hours=1),
    )
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    article.lead_image.save("lead.png", ContentFile(buffer.getvalue()), save=False)
    article.lead_image_alt = "Two leaders shake hands"
    article.save()
    return article


def get_story(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return parse(response)


def test_story_page_carries_news_article_data_naming_every_byline(client, story):
    doc = get_story(client, story)
    news, crumbs = json_ld_blocks(doc)
    url = BASE + story.get_absolute_url()
    assert news["@context"] == "https://schema.org"
    assert news["@type"] == "NewsArticle"
    assert news["headline"] == "Summit ends without a deal"
    assert news["description"] == "Leaders part after two days."
    assert datetime.fromisoformat(news["datePublished"]) == story.published_at
    assert datetime.fromisoformat(news["dateModified"]) == story.updated_at
    assert news["author"] == [
        {
            "@type": "Person",
            "name": "Kim Min-ji",
            "url": f"{BASE}/authors/kim-min-ji/",
            "jobTitle": "Correspondent",
        },
        {"@type": "Person", "name": "Lee Joon", "url": f"{BASE}/authors/lee-joon/"},
    ]
    assert news["image"] == [BASE + story.lead_image.url]
    assert news["publisher"] == {
        "@type": "Organization",
        "name": "Newsroom",
        "url": f"{BASE}/",
    }
    assert news["articleSection"] == "Politics"
    assert sorted(news["keywords"]) == ["Diplomacy", "북한"]
    assert news["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}

    assert crumbs["@type"] == "BreadcrumbList"
    assert [
        (i["position"], i["name"], i["item"]) for i in crumbs["itemListElement"]
    ] == [
        (1, "Newsroom", f"{BASE}/"),
        (2, "Politics", f"{BASE}/sections/politics/"),
        (3, "Summit ends without a deal", url),
    ]


def test_story_page_has_canonical_open_graph_and_twitter_tags(client, story):
    doc = get_story(client, story)
    url = BASE + story.get_absolute_url()
    canonical = doc.find(".//h:head/h:link[@rel='canonical']", NS)
    assert canonical.get("href") == url
    assert meta(doc, "name", "description") == "Leaders part after two days."
    assert meta(doc, "property", "og:type") == "article"
    assert meta(doc, "property", "og:title") == story.headline
    assert meta(doc, "property", "og:url") == url
    assert meta(doc, "property", "og:description") == story.dek
    assert meta(doc, "property", "og:image") == BASE + story.lead_image.url
    assert meta(doc, "property", "og:image:alt") == "Two leaders shake hands"
    tags = doc.findall(".//h:head/h:meta[@property='article:tag']", NS)
    assert sorted(t.get("content") for t in tags) == ["Diplomacy", "북한"]
    authors = doc.findall(".//h:head/h:meta[@property='article:author']", NS)
    assert [a.get("content") for a in authors] == [
        f"{BASE}/authors/kim-min-ji/",
        f"{BASE}/authors/lee-joon/",
    ]
    assert meta(doc, "name", "twitter:card") == "summary_large_image"
    assert meta(doc, "name", "twitter:title") == story.headline
    assert meta(doc, "name", "twitter:image") == BASE + story.lead_image.url


def test_canonical_follows_the_request_host_and_scheme(client, story, settings):
    settings.ALLOWED_HOSTS = ["news.example.org"]
    response = client.get(
        story.get_absolute_url(), HTTP_HOST="news.example.org", secure=True
    )
    doc = parse(response)
    canonical = doc.find(".//h:head/h:link[@rel='canonical']", NS)
    assert (
        canonical.get("href") == "https://news.example.org" + story.get_absolute_url()
    )


def test_story_without_image_gets_a_summary_card_and_no_image(client, db):
    article = make_article(headline="Plain story", authors=[make_author()])
    doc = get_story(client, article)
    assert meta(doc, "name", "twitter:card") == "summary"
    assert meta(doc, "property", "og:image") is None
    news, _ = json_ld_blocks(doc)
    assert "image" not in news


HOSTILE = [
    "</script><script>alert(1)</script>",
    "<!-- </script> -->",
    "&lt;/script&gt; & \u2028 \u2029 ' \"",
    "<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_json_ld_stays_valid_whatever_the_headline_says(client, db, text):
    article = make_article(
        headline=f"Breaking {text}",
        slug="hostile",
        dek=text,
        authors=[make_author(name=text)],
        tags=[f"tag {text}"[:90]],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    doc = parse(response)
    inline = [s for s in doc.findall(".//h:script", NS) if not s.get("src")]
    # Exactly the two JSON-LD blocks: nothing broke out into a script element.
    assert [s.get("type") for s in inline] == ["application/ld+json"] * 2
    news, crumbs = json_ld_blocks(doc)
    assert news["headline"] == f"Breaking {text}"
    assert news["description"] == text
    assert news["author"][0]["name"] == text
    assert crumbs["itemListElement"][2]["name"] == f"Breaking {text}"
    assert meta(doc, "property", "og:title") == f"Breaking {text}"
    assert doc.findall(".//h:head/h:img", NS) == []


def test_json_ld_escapes_markup_characters_like_json_script():
    output = json_ld({"headline": "</script> & <b>"})
    assert "</script> &" not in output
    body = output.removeprefix('<script type="application/ld+json">').removesuffix(
        "</script>"
    )
    assert "<" not in body and ">" not in body and "&" not in body
    assert json.loads(body) == {"headline": "</script> & <b>"}


def test_story_page_query_count_does_not_grow_with_bylines_and_tags(client, db):
    small = make_article(authors=[make_author()], tags=["a"])
    big = make_article(
        authors=[make_author() for _ in range(6)], tags=[f"t{n}" for n in range(12)]
    )
    counts = []
    client.get(small.get_absolute_url())  # warm the page's cached side blocks
    for article in (small, big):
        with CaptureQueriesContext(connection) as context:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(context))
    assert counts[0] == counts[1]


def test_search_page_is_noindex_and_story_page_is_not(client, story):
    doc = parse(client.get(reverse("articles:search"), {"q": "summit"}))
    assert meta(doc, "name", "robots") == "noindex"
    assert meta(get_story(client, story), "name", "robots") is None
