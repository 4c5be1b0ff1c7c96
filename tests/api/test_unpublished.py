"""Drafts and scheduled stories never appear anywhere in the API: not in a
list, a detail, search, tags, authors, sections' lists, translations, Most
Viewed or Most Commented, however they are asked for (also fuzzed:
test_fuzz.py)."""

import json

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article
from comments.models import Comment
from viewcounts.models import ArticleDailyViews

pytestmark = pytest.mark.django_db

MARKERS = (
    "DRAFTMARKER",
    "SCHEDULEDMARKER",
    "draftmarker",
    "scheduledmarker",
    "Draftonly",
    "Scheduledonly",
    "draftonly",
    "scheduledonly",
)


def every_answer(client, newsroom):
    hidden = (newsroom.draft, newsroom.scheduled)
    urls = [
        "/api/v1/stories",
        "/api/v1/stories?limit=1",
        "/api/v1/sections/harbour/stories",
        f"/api/v1/stories/{newsroom.story.pk}",
        f"/api/v1/stories/{newsroom.korean.pk}",
        "/api/v1/tags",
        "/api/v1/authors",
        "/api/v1/tags/harbour/stories",
        "/api/v1/authors/min-ji-park/stories",
        "/api/v1/search?q=DRAFTMARKER",
        "/api/v1/search?q=SCHEDULEDMARKER",
        "/api/v1/search?q=headline",
        "/api/v1/search?q=body",
        "/api/v1/most-viewed?period=today&limit=20",
        "/api/v1/most-viewed?period=30d&limit=20",
        "/api/v1/most-commented?limit=10",
        "/api/v1/sections",
    ]
    for story in hidden:
        urls += [
            f"/api/v1/stories/{story.pk}",
            f"/api/v1/stories/{story.pk}?status=draft",
        ]
    for slug in ("draftmarkertag", "scheduledmarkertag"):
        urls += [f"/api/v1/tags/{slug}", f"/api/v1/tags/{slug}/stories"]
    for slug in ("draftonly", "scheduledonly"):
        urls += [f"/api/v1/authors/{slug}", f"/api/v1/authors/{slug}/stories"]
    # Every page of the paged lists.
    for start in (
        "/api/v1/stories?limit=1",
        "/api/v1/tags?limit=1",
        "/api/v1/authors?limit=1",
    ):
        url = start
        while url:
            response = client.get(url)
            yield url, response
            url = response.json()["next"]
    for url in urls:
        yield url, client.get(url)


def assert_nothing_hidden(client, newsroom):
    for url, response in every_answer(client, newsroom):
        assert response.status_code in (200, 400, 404), url
        text = response.content.decode()
        if "/search" in url and response.status_code == 200:
            # The answer repeats the words asked for: look at what it found.
            text = json.dumps(response.json()["items"], ensure_ascii=False)
        for marker in MARKERS:
            assert marker not in text, (url, marker)
        if response.status_code == 200:
            ids = {newsroom.draft.pk, newsroom.scheduled.pk}
            assert not ids & set(_story_ids(response.json())), url


def _story_ids(data):
    """Every "id" of a story anywhere in an answer."""
    if isinstance(data, dict):
        if "api_url" in data and "/stories/" in data.get("api_url", ""):
            yield data["id"]
        for value in data.values():
            yield from _story_ids(value)
    elif isinstance(data, list):
        for value in data:
            yield from _story_ids(value)


def test_drafts_and_scheduled_stories_appear_nowhere(newsroom, client):
    # Counted and commented on, as if someone had found them.
    today = timezone.localdate()
    for story in (newsroom.draft, newsroom.scheduled):
        ArticleDailyViews.objects.create(article=story, day=today, views=1000)
        Comment.objects.create(
            article=story,
            name="Reader",
            email="reader@example.org",
            body="Early comment",
            status=Comment.Status.APPROVED,
        )
    assert_nothing_hidden(client, newsroom)


def test_a_hidden_translation_is_not_listed(newsroom, client):
    newsroom.draft.translation_key = newsroom.story.translation_key
    newsroom.draft.save()
    newsroom.scheduled.translation_key = newsroom.story.translation_key
    newsroom.scheduled.save()
    assert_nothing_hidden(client, newsroom)


def test_a_story_taken_down_leaves_the_rankings_kept_before(newsroom, client):
    """Most Viewed and Most Commented are kept a while; a story taken down
    meanwhile is still left out."""
    today = timezone.localdate()
    ArticleDailyViews.objects.create(article=newsroom.story, day=today, views=50)
    Comment.objects.create(
        article=newsroom.story,
        name="Reader",
        email="reader@example.org",
        body="A comment",
        status=Comment.Status.APPROVED,
    )
    viewed = client.get("/api/v1/most-viewed?period=today").json()
    commented = client.get("/api/v1/most-commented").json()
    assert viewed["items"][0]["story"]["id"] == newsroom.story.pk
    assert commented["items"][0]["story"]["id"] == newsroom.story.pk
    newsroom.story.status = Article.Status.DRAFT
    services.save_story(newsroom.story)
    for url in ("/api/v1/most-viewed?period=today", "/api/v1/most-commented"):
        items = client.get(url).json()["items"]
        assert newsroom.story.pk not in [item["story"]["id"] for item in items], url
