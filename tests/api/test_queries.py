"""Query budgets: every endpoint costs the same number of queries with few
stories and with many (more than a page, each with three bylines and three
tags, corrections, live updates, comments and view counts), so a query per
row, per byline or per tag shows up as a changed count. The counts are
exact: a new query on an endpoint is a decision, made here."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.models import ApiKey
from articles.models import Article
from comments.models import Comment
from corrections.models import Correction
from tests.api.conftest import make_key
from tests.factories import make_article, make_author, make_section
from tests.live.conftest import make_coverage, make_update
from viewcounts.models import ArticleDailyViews

pytestmark = pytest.mark.django_db

SIZES = [pytest.param(3, id="3-stories"), pytest.param(45, id="45-stories")]

# Endpoint: (address, queries).
BUDGETS = {
    # stories with their sections, bylines, tags
    "stories": ("/api/v1/stories", 3),
    "stories, next page": ("/api/v1/stories?limit=2&cursor={cursor}", 3),
    # the story (section), bylines, tags, translations, corrections, live
    # coverage and its updates, approved comments
    "story": ("/api/v1/stories/{story}", 8),
    "sections": ("/api/v1/sections", 1),
    "section": ("/api/v1/sections/{section}", 1),
    # the section, then its stories as the list
    "section stories": ("/api/v1/sections/{section}/stories", 4),
    # tags with their counts of live stories
    "tags": ("/api/v1/tags", 1),
    "tag": ("/api/v1/tags/{tag}", 1),
    "tag stories": ("/api/v1/tags/{tag}/stories", 4),
    "authors": ("/api/v1/authors", 1),
    "author": ("/api/v1/authors/{author}", 1),
    "author stories": ("/api/v1/authors/{author}/stories", 4),
    # candidates, the ranked page, its bylines and tags
    "search": ("/api/v1/search?q=harbour", 4),
    # the ranking, the stories, bylines, tags
    "most viewed": ("/api/v1/most-viewed?period=7d&limit=20", 4),
    "most commented": ("/api/v1/most-commented?limit=10", 4),
}


def build(stories: int) -> dict:
    sections = [make_section() for _ in range(3)]
    authors = [make_author() for _ in range(6)]
    today = timezone.localdate()
    made = []
    for n in range(stories):
        story = make_article(
            headline=f"Harbour story {n}",
            section=sections[n % 3],
            authors=[authors[(n + k) % 6] for k in range(3)],
            tags=[f"tag {(n + k) % 9}" for k in range(3)],
            published_at=timezone.now() - timedelta(minutes=n + 1),
        )
        Correction.objects.create(story=story, text=f"Correction {n}.")
        ArticleDailyViews.objects.create(article=story, day=today, views=n + 1)
        Comment.objects.create(
            article=story,
            name="Reader",
            email="reader@example.org",
            body=f"Comment {n}",
            status=Comment.Status.APPROVED,
        )
        made.append(story)
    first = made[0]
    # A translation: the story lists it (one query; none without a key).
    key = uuid.uuid4()
    Article.objects.filter(pk__in=[first.pk, made[-1].pk]).update(translation_key=key)
    coverage = make_coverage(first)
    for n in range(stories):
        make_update(coverage, f"Update {n}.")
    return {
        "story": first.pk,
        "section": sections[0].slug,
        "tag": "tag-1",
        "author": authors[1].slug,
    }


def count(client, url, **headers) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.content[:300])
    return len(queries), [q["sql"] for q in queries]


@pytest.mark.parametrize("stories", SIZES)
@pytest.mark.parametrize("endpoint", list(BUDGETS))
def test_every_endpoint_costs_the_same_queries_at_any_size(client, endpoint, stories):
    data = build(stories)
    cursor = client.get("/api/v1/stories?limit=2").json()["next_cursor"]
    address, budget = BUDGETS[endpoint]
    url = address.format(cursor=cursor, **data)
    queries, sql = count(client, url)
    assert queries == budget, "\n".join(sql)


@pytest.mark.parametrize("stories", SIZES)
def test_a_key_costs_one_query_more(client, stories):
    build(stories)
    key, whole = make_key()
    # The key's look-up; its "last used" time is written at most every 5 minutes.
    queries, sql = count(client, "/api/v1/stories", HTTP_X_API_KEY=whole)
    assert queries == 3 + 2, "\n".join(sql)
    queries, sql = count(client, "/api/v1/stories", HTTP_X_API_KEY=whole)
    assert queries == 3 + 1, "\n".join(sql)
    assert ApiKey.objects.get().last_used_at is not None
