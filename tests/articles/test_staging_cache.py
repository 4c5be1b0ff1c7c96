"""Pending changes and the page cache: saving them retires nothing (readers
keep the live page), publishing them retires exactly what an edit of the story
retires, through the cache's own dependency tracking."""

import pytest

from articles import staging
from articles.models import PendingChange
from tests.pagecache.test_invalidation import EDITED, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()

    return run


def test_saving_pending_changes_retires_no_page(client, committed):
    world = World()
    world.warm(client)
    committed(
        lambda: staging.stage(
            world.story, {"headline": "Harbour reopens to ferries"}, by=None
        )
    )
    gone, responses = world.retired(client)
    assert gone == set()
    assert "Harbour reopens to ferries" not in responses["story"].content.decode()


def test_publishing_pending_changes_retires_the_story_and_its_lists_only(
    client, committed
):
    world = World()
    pending = committed(
        lambda: staging.stage(
            world.story,
            {
                "headline": "Harbour reopens to ferries",
                "tags": ["Harbour"],
                "bylines": [[world.kim.pk, world.kim.name, "by", 0]],
            },
        )
    )
    world.warm(client)
    committed(lambda: staging.publish(pending))

    gone, responses = world.retired(client)
    # The story's page, its lists, the related story's card: not the other
    # story, its section, tag or author, nor the indexes.
    assert gone == EDITED
    assert "other story" not in gone
    assert "Harbour reopens to ferries" in responses["story"].content.decode()
    assert not PendingChange.objects.exists()
