"""Query budgets: a live story's page costs the same with one update as with
many, the polling endpoint and the updates feed too."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_article, make_author
from tests.live.conftest import make_coverage, make_update

pytestmark = pytest.mark.django_db


def live_story(updates: int):
    story = make_article(authors=[make_author()], tags=["storm"])
    coverage = make_coverage(story)
    authors = [make_author() for _ in range(3)]
    for n in range(updates):
        make_update(coverage, f"Update {n}.", author=authors[n % 3], pinned=n % 4 == 0)
    return story


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_the_story_page_query_count_is_the_same_with_one_and_many_updates(client):
    one, many = live_story(1), live_story(60)
    plain = make_article(authors=[make_author()], tags=["storm"])
    client.get(plain.get_absolute_url())  # warm the page's cached side blocks
    counts = [count(client, story.get_absolute_url()) for story in (one, many)]
    assert counts[0] == counts[1]
    # The coverage and its updates: one query more than a story never live.
    assert counts[0] == count(client, plain.get_absolute_url()) + 1
    page = client.get(many.get_absolute_url()).content.decode()
    assert page.count(" data-update-id=") == 60


@pytest.mark.parametrize("name", ["live:updates", "live:feed"])
def test_the_endpoint_and_feed_query_counts_are_flat(client, name):
    one, many = live_story(1), live_story(45)
    counts = [count(client, reverse(name, args=[s.pk])) for s in (one, many)]
    assert counts[0] == counts[1]
