import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_draft, make_section

SM = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
NS = {"sm": SM, "news": NEWS}
BASE = "http://testserver"


def get_xml(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return response, ET.fromstring(response.content)


def locs(root):
    return [el.text for el in root.findall("sm:url/sm:loc", NS)]


def lastmods(root):
    return {
        url.find("sm:loc", NS).text: url.find("sm:lastmod", NS).text
        for url in root.findall("sm:url", NS)
    }


@pytest.fixture
def site(db):
    section = make_section(name="Politics", slug="politics")
    kim = make_author(name="Kim", slug="kim")
    lee = make_author(name="Lee", slug="lee")
    lead = make_article(
        headline="Summit ends",
        slug="summit-ends",
        section=section,
        authors=[kim, lee],
        tags=["북한"],
        published_at=timezone.now() - timedelta(hours=3),
    )
    old = make_article(
        headline="Old story",
        slug="old-story",
        section=section,
        authors=[kim],
        published_at=timezone.now() - timedelta(days=5),
    )
    # Hidden stories in a section, by an author and with a tag of their own:
    # none of those may appear either.
    hidden_section = make_section(name="Hidden", slug="hidden-section")
    hidden_author = make_author(name="Hidden", slug="hidden-author")
    make_draft(
        headline="DRAFT-MARKER",
        slug="draft-marker",
        section=hidden_section,
        authors=[hidden_author],
        tags=["hidden-tag"],
    )
    make_article(
        headline="SCHEDULED-MARKER",
        slug="scheduled-marker",
        section=hidden_section,
        authors=[hidden_author],
        tags=["hidden-tag"],
        published_at=timezone.now() + timedelta(hours=1),
    )
    return lead, old


def test_sitemap_index_lists_four_sitemaps_with_lastmod(client, site):
    lead, old = site
    _, root = get_xml(client, "/sitemap.xml")
    assert root.tag == f"{{{SM}}}sitemapindex"
    entries = {
        el.find("sm:loc", NS).text: el.find("sm:lastmod", NS)
        for el in root.findall("sm:sitemap", NS)
    }
    assert set(entries) == {
        f"{BASE}/sitemap-{name}.xml"
        for name in ["stories", "sections", "tags", "authors"]
    }
    newest = max(lead.updated_at, old.updated_at)
    for lastmod in entries.values():
        assert datetime.fromisoformat(lastmod.text) == newest


def test_story_sitemap_lists_only_published_stories_with_lastmod(client, site):
    lead, old = site
    response, root = get_xml(client, "/sitemap-stories.xml")
    assert locs(root) == [BASE + lead.get_absolute_url(), BASE + old.get_absolute_url()]
    stamp = datetime.fromisoformat(lastmods(root)[BASE + lead.get_absolute_url()])
    assert stamp == lead.updated_at
    assert b"MARKER" not in response.content
    assert b"marker" not in response.content


def test_section_tag_and_author_sitemaps_skip_what_has_no_live_story(client, site):
    lead, old = site
    _, root = get_xml(client, "/sitemap-sections.xml")
    assert locs(root) == [f"{BASE}/sections/politics/"]
    assert datetime.fromisoformat(lastmods(root)[f"{BASE}/sections/politics/"]) == (
        max(lead.updated_at, old.updated_at)
    )
    _, root = get_xml(client, "/sitemap-tags.xml")
    tag = lead.tags.get()
    assert locs(root) == [BASE + reverse("articles:tag", args=[tag.slug])]
    _, root = get_xml(client, "/sitemap-authors.xml")
    assert locs(root) == [f"{BASE}/authors/kim/", f"{BASE}/authors/lee/"]
    assert datetime.fromisoformat(lastmods(root)[f"{BASE}/authors/lee/"]) == (
        lead.updated_at
    )


def test_news_sitemap_lists_stories_of_the_last_48_hours(client, site):
    lead, old = site
    recent = make_article(
        headline="Ten <past> & ten",
        published_at=timezone.now() - timedelta(hours=47, minutes=50),
    )
    make_article(
        headline="Too old", published_at=timezone.now() - timedelta(hours=48, minutes=5)
    )
    response, root = get_xml(client, reverse("news_sitemap"))
    assert root.tag == f"{{{SM}}}urlset"
    urls = root.findall("sm:url", NS)
    assert [u.find("sm:loc", NS).text for u in urls] == [
        BASE + lead.get_absolute_url(),
        BASE + recent.get_absolute_url(),
    ]
    news = urls[0].find("news:news", NS)
    assert news.find("news:publication/news:name", NS).text == "Newsroom"
    assert news.find("news:publication/news:language", NS).text == "en"
    assert news.find("news:title", NS).text == "Summit ends"
    published = datetime.fromisoformat(news.find("news:publication_date", NS).text)
    assert published == lead.published_at
    assert urls[1].find("news:news/news:title", NS).text == "Ten <past> & ten"
    assert b"MARKER" not in response.content


def test_news_sitemap_is_empty_but_valid_without_recent_stories(client, db):
    make_article(published_at=timezone.now() - timedelta(days=3))
    _, root = get_xml(client, reverse("news_sitemap"))
    assert root.findall("sm:url", NS) == []


def test_news_language_follows_the_site_language(client, db, settings):
    settings.LANGUAGE_CODE = "ko-kr"
    make_article()
    _, root = get_xml(client, reverse("news_sitemap"))
    assert root.find(".//news:language", NS).text == "ko"


def test_unpublished_story_leaves_every_sitemap(client, site):
    lead, _ = site
    Article.objects.filter(pk=lead.pk).update(status=Article.Status.DRAFT)
    for url in ["/sitemap-stories.xml", reverse("news_sitemap")]:
        _, root = get_xml(client, url)
        assert BASE + lead.get_absolute_url() not in locs(root)
    _, root = get_xml(client, "/sitemap-authors.xml")
    assert locs(root) == [f"{BASE}/authors/kim/"]


def test_robots_txt_points_to_both_sitemaps(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {BASE}/sitemap.xml" in lines
    assert f"Sitemap: {BASE}/news-sitemap.xml" in lines
    assert "User-agent: *" in lines
    assert "Disallow: /search/" in lines


@pytest.mark.parametrize("rows", [10, 120])
@pytest.mark.parametrize(
    "url,budget",
    [
        ("/sitemap.xml", 8),
        ("/sitemap-stories.xml", 2),
        ("/sitemap-sections.xml", 2),
        ("/sitemap-tags.xml", 2),
        ("/sitemap-authors.xml", 2),
        ("/news-sitemap.xml", 1),
    ],
)
def test_sitemap_query_count_is_flat(
    client, db, django_assert_num_queries, rows, url, budget
):
    for n in range(rows):
        make_article(authors=[make_author()], tags=[f"t{n}"])
    with django_assert_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
