"""oEmbed: a rich embed for a published story of this site, found from the
story page, in constant queries; clear 4xx and 501 otherwise."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_author, make_draft

pytestmark = pytest.mark.django_db

OEMBED = reverse("embeds:oembed")


def ask(client, url, **params):
    query = "&".join(
        f"{key}={quote(str(value), safe='')}" for key, value in params.items()
    )
    return client.get(f"{OEMBED}?url={quote(url, safe='')}&{query}")


def story_url(story):
    return "http://testserver" + story.get_absolute_url()


def test_a_published_story_is_a_rich_embed(client):
    story = make_article(
        headline="Harbour <reopens>",
        dek="Ferries return & trade resumes.",
        authors=[make_author(name="Min Ji"), make_author(name="Sam Lee")],
    )
    response = ask(client, story_url(story), format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["version"] == "1.0" and data["type"] == "rich"
    assert data["title"] == "Harbour <reopens>"
    assert data["author_name"] == "Min Ji, Sam Lee"
    assert data["provider_name"] == "Newsroom"
    assert data["provider_url"] == "http://testserver/"
    assert data["width"] == 600 and data["height"] == 300
    html = data["html"]
    assert html.startswith('<blockquote class="newsroom-embed"')
    assert f'<a href="{story_url(story)}">Harbour &lt;reopens&gt;</a>' in html
    assert "Ferries return &amp; trade resumes." in html
    assert "<cite>Newsroom</cite>" in html
    assert "thumbnail_url" not in data  # no picture


def test_the_thumbnail_is_the_widest_rendition_within_the_bounds(client):
    story = make_article()
    QuerySet.update(
        Article.objects.filter(pk=story.pk),
        lead_image="uploads/2026/12/harbour.jpg",
        lead_image_width=2000,
        lead_image_height=1000,
        lead_image_alt="The harbour at dawn",
    )
    data = ask(client, story_url(story), maxwidth=700, maxheight=500).json()
    assert data["thumbnail_url"].endswith(
        "/renditions/uploads/2026/12/harbour-640w.jpg"
    )
    assert (data["thumbnail_width"], data["thumbnail_height"]) == (640, 320)
    assert data["width"] == 600 and data["height"] == 300
    small = ask(client, story_url(story), maxwidth=400, maxheight=100).json()
    assert (small["width"], small["height"]) == (400, 100)
    assert "thumbnail_url" not in small  # 320 wide is 160 high: too tall


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_draft(),
        lambda: make_article(published_at=timezone.now() + timedelta(days=1)),
    ],
    ids=["draft", "scheduled"],
)
def test_a_story_readers_cannot_see_is_not_found(client, make):
    story = make()
    assert ask(client, story_url(story)).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://testserver/2020/01/01/no-such-story/",
        "http://testserver/sections/world/",
        "http://testserver/",
        "https://elsewhere.example/2020/01/01/story/",
        "javascript:alert(1)",
        "http://testserver/%00",
        "not a url at all",
    ],
)
def test_an_address_that_is_not_one_of_our_stories_is_not_found(client, url):
    make_article()
    assert ask(client, url).status_code == 404


def test_a_story_under_the_wrong_date_is_not_found(client):
    story = make_article()
    # The address's year is the newsroom's (Seoul's), not UTC's: on New
    # Year's morning in Seoul the two differ.
    year = timezone.localtime(story.published_at).year
    wrong = story_url(story).replace(f"/{year}/", "/1999/")
    assert wrong != story_url(story)
    assert ask(client, wrong).status_code == 404


def test_the_site_address_counts_as_ours(client, settings):
    settings.SITE_URL = "https://news.example"
    story = make_article()
    url = "https://news.example" + story.get_absolute_url()
    assert ask(client, url).status_code == 200


def test_xml_is_not_implemented(client):
    story = make_article()
    assert ask(client, story_url(story), format="xml").status_code == 501


@pytest.mark.parametrize(
    "query",
    [
        "",
        "url=",
        "format=json",
        "url=x&format=yaml",
        "url=x&maxwidth=wide",
        "url=x&maxwidth=0",
        "url=x&maxwidth=-5",
        "url=x&maxheight=99999999",
        "url=x&maxwidth=%EF%BC%91",  # a full-width digit
        "url=" + "a" * 2100,
    ],
)
def test_bad_parameters_are_a_400(client, query):
    response = client.get(f"{OEMBED}?{query}")
    assert response.status_code == 400


def test_only_get_and_head_are_answered(client):
    story = make_article()
    assert client.post(f"{OEMBED}?url={story_url(story)}").status_code == 405


def test_the_story_page_links_to_its_embed(client):
    story = make_article()
    page = client.get(story.get_absolute_url()).content.decode()
    expected = (
        '<link rel="alternate" type="application/json+oembed" '
        f'href="http://testserver{OEMBED}?url={quote(story_url(story), safe="")}'
        '&amp;format=json"'
    )
    assert expected in page


@pytest.mark.parametrize("count", [3, 60])
def test_the_embed_costs_two_queries_however_many_stories(
    client, django_assert_num_queries, count
):
    stories = [
        make_article(authors=[make_author(), make_author()]) for _ in range(count)
    ]
    # The story (with its section), and its bylines with their authors.
    with django_assert_num_queries(2):
        response = ask(client, story_url(stories[-1]))
    assert response.status_code == 200
