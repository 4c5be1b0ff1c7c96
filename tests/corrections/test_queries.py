"""Query budgets: the corrections page and feed, and a story page with notes,
cost the same number of queries with few notes as with many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from corrections.models import Correction
from tests.corrections.conftest import make_correction
from tests.factories import make_article

pytestmark = pytest.mark.django_db

ROWS = [pytest.param(2, id="few"), pytest.param(45, id="many")]


def build(rows):
    stories = [make_article() for _ in range(min(rows, 12))]
    for n in range(rows):
        make_correction(
            stories[n % len(stories)],
            kind=list(Correction.Kind)[n % 3],
            placement=list(Correction.Placement)[n % 2],
            published_at=timezone.now() - timedelta(minutes=n + 1),
        )
    return stories


@pytest.mark.parametrize("rows", ROWS)
def test_corrections_page_query_count_is_flat(client, django_assert_num_queries, rows):
    build(rows)
    # the section menu, the count, the page of notes with their stories
    with django_assert_num_queries(3):
        response = client.get(reverse("corrections:list"))
    assert response.status_code == 200
    assert response.content.decode().count("corrections-list__item") == min(rows, 30)


@pytest.mark.parametrize("rows", ROWS)
def test_corrections_feed_query_count_is_flat(client, django_assert_num_queries, rows):
    build(rows)
    # the notes with their stories
    with django_assert_num_queries(1):
        response = client.get(reverse("corrections:feed"))
    assert response.status_code == 200
    assert response.content.decode().count("<item>") == min(rows, 30)


@pytest.mark.parametrize("rows", ROWS)
def test_a_story_page_reads_its_notes_once(client, rows):
    """The notes at the top, at the bottom and in the JSON-LD: one query."""
    story = make_article()
    for n in range(rows):
        make_correction(story, placement=list(Correction.Placement)[n % 2])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    notes = [q for q in queries if 'FROM "corrections_correction"' in q["sql"]]
    assert len(notes) == 1
    assert response.content.decode().count('class="story-note ') == rows
