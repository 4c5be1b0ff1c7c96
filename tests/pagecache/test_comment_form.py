"""The comment form under a cached story page, and its CSRF protection.

The cached page carries no token; static/comments/comments.js fetches one from the
private ``comments:token`` endpoint when the reader starts writing, and the
post goes through Django's ordinary CSRF check.
"""

import html5lib
import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.COMMENTS_MODERATION = "post"
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30


def parse(response):
    return html5lib.parse(
        response.content.decode(), treebuilder="etree", namespaceHTMLElements=False
    )


def story_form(response):
    return parse(response).find(".//section[@id='comments']//form[@id='comment-form']")


def test_the_cached_story_page_has_the_form_without_a_token_or_cookie():
    article = make_article()
    reader = Client(enforce_csrf_checks=True)
    for expected in ("miss", "hit"):
        response = reader.get(article.get_absolute_url())
        assert response["X-Page-Cache"] == expected
        assert not response.cookies
        form = story_form(response)
        assert form.get("action") == reverse("comments:post", args=[article.pk])
        assert form.get("data-token-url") == reverse(
            "comments:token", args=[article.pk]
        )
        # Shown by the script; readers without it keep the link to the form page.
        assert form.get("hidden") is not None
        fields = {el.get("name"): el for el in form.iter("input")}
        assert fields["csrfmiddlewaretoken"].get("value") == ""
        assert fields["issued"].get("value") == ""
        assert {"name", "email", "website", "parent"} <= set(fields)
        assert form.find(".//textarea[@name='body']") is not None
        link = parse(response).find(".//p[@class='comments-write']/a")
        assert link.get("href") == reverse("comments:write", args=[article.pk])


def test_the_story_page_loads_the_form_script_from_our_own_host():
    article = make_article()
    doc = parse(Client().get(article.get_absolute_url()))
    # JSON-LD is data, not script; everything that runs is a file of ours.
    scripts = [
        script
        for script in doc.iter("script")
        if script.get("type") != "application/ld+json"
    ]
    sources = [script.get("src") or "" for script in scripts]
    assert any(src.endswith("comments/comments.js") for src in sources)
    # Our own files: static ones, and the JavaScript catalogue (newsroom/locale.py).
    assert all(src.startswith(("/static/", "/jsi18n/")) for src in sources)
    assert all(not (script.text or "").strip() for script in scripts)
    assert finders.find("comments/comments.js")


def test_the_token_endpoint_is_private_and_never_stored():
    article = make_article()
    reader = Client(enforce_csrf_checks=True)
    response = reader.get(reverse("comments:token", args=[article.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control
    assert "csrftoken" in response.cookies
    data = response.json()
    assert data["csrfmiddlewaretoken"] and data["issued"]
    assert "X-Page-Cache" not in response


def test_a_post_with_the_fetched_token_is_accepted_and_without_it_refused():
    article = make_article()
    reader = Client(enforce_csrf_checks=True)
    url = reverse("comments:post", args=[article.pk])
    reader.get(article.get_absolute_url())
    fields = {"name": "Ana", "body": "Good reporting.", "email": "", "website": ""}

    refused = reader.post(url, fields)
    assert refused.status_code == 403
    assert not Comment.objects.exists()

    token = reader.get(reverse("comments:token", args=[article.pk])).json()
    accepted = reader.post(url, {**fields, **token})
    assert accepted.status_code == 302
    assert Comment.objects.count() == 1

    stranger = Client(enforce_csrf_checks=True)
    forged = stranger.post(url, {**fields, **token, "body": "Forged."})
    assert forged.status_code == 403
    assert Comment.objects.count() == 1


def test_the_token_endpoint_refuses_closed_and_unpublished_stories():
    closed = make_article(comments_enabled=False)
    response = Client().get(reverse("comments:token", args=[closed.pk]))
    assert response.status_code == 403
    assert "csrftoken" not in response.cookies
    assert Client().get(reverse("comments:token", args=[10**6])).status_code == 404


def test_a_closed_story_has_no_form_under_it():
    closed = make_article(comments_enabled=False)
    assert story_form(Client().get(closed.get_absolute_url())) is None
