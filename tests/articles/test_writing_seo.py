"""The optional search and social headline, description and image."""

import html5lib
from django.urls import reverse

from tests.factories import make_article


def meta(response, prop):
    tree = html5lib.parse(response.content, namespaceHTMLElements=False)
    for element in tree.iter("meta"):
        if prop in (element.get("property"), element.get("name")):
            return element.get("content")
    return None


def title(response):
    tree = html5lib.parse(response.content, namespaceHTMLElements=False)
    return tree.find(".//title").text


def test_the_search_headline_and_description_lead_the_previews(db, client):
    story = make_article(
        headline="A long headline for the front page about the harbour wall",
        dek="The standfirst.",
        seo_headline="Harbour wall done",
        seo_description="The wall is finished, two years late.",
        social_image="uploads/2026/12/social.jpg",
        lead_image="uploads/2026/12/lead.jpg",
        lead_image_alt="The lead picture",
    )
    response = client.get(story.get_absolute_url())
    assert title(response).startswith("Harbour wall done |")
    assert meta(response, "og:title") == "Harbour wall done"
    assert meta(response, "twitter:title") == "Harbour wall done"
    assert meta(response, "description") == "The wall is finished, two years late."
    assert meta(response, "og:description") == "The wall is finished, two years late."
    assert meta(response, "og:image").endswith("/media/uploads/2026/12/social.jpg")
    # The lead picture's alt text does not describe the social image.
    assert meta(response, "og:image:alt") is None
    assert b'"headline": "Harbour wall done"' in response.content
    # The page itself still shows the real headline.
    tree = html5lib.parse(response.content, namespaceHTMLElements=False)
    assert tree.find(".//h1").text == story.headline


def test_without_them_the_headline_standfirst_and_lead_image_stand_in(db, client):
    story = make_article(
        headline="Harbour wall done",
        dek="The standfirst.",
        lead_image="uploads/2026/12/lead.jpg",
        lead_image_alt="The lead picture",
    )
    response = client.get(story.get_absolute_url())
    assert meta(response, "og:title") == "Harbour wall done"
    assert meta(response, "og:description") == "The standfirst."
    assert meta(response, "og:image").endswith("/media/uploads/2026/12/lead.jpg")
    assert meta(response, "og:image:alt") == "The lead picture"


def test_feeds_use_the_search_description(db, client):
    make_article(dek="The standfirst.", seo_description="For feed readers & search")
    response = client.get(reverse("articles:feed_latest_rss"))
    assert b"For feed readers &amp;amp; search" in response.content
    assert b"The standfirst." not in response.content
