"""The demo newsroom covers one story live, with updates and key points."""

import pytest
from django.core.management import call_command

from demo import content
from live.models import LiveCoverage, LiveUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", no_renditions=True, verbosity=0)


def test_the_demo_has_one_live_story_with_updates_and_key_points(demo, client):
    coverage = LiveCoverage.objects.select_related("story").get()
    assert coverage.story.slug == content.LIVE_COVERAGE["slug"]
    assert not coverage.is_ended
    updates = list(coverage.updates.all())
    assert len(updates) == len(content.LIVE_COVERAGE["updates"]) >= 3
    assert sum(update.pinned for update in updates) >= 2
    assert all(update.author is not None for update in updates)
    page = client.get(coverage.story.get_absolute_url()).content.decode()
    assert page.count(" data-update-id=") == len(updates)
    assert "Key points" in page


def test_loading_the_demo_again_adds_no_update(demo):
    before = LiveUpdate.objects.count()
    call_command("load_demo", no_renditions=True, verbosity=0)
    assert LiveUpdate.objects.count() == before
    assert LiveCoverage.objects.count() == 1
