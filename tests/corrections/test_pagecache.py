"""A note retires its story's page and the lists its feed items are on, and
the corrections page and feed; other stories' pages stay cached."""

import pytest
from django.urls import reverse

from corrections.models import Correction
from tests.corrections.conftest import make_correction
from tests.pagecache.test_invalidation import EDITED, PAGES, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

OURS = ["corrections page", "corrections feed"]
# What a note on the story retires: what an edit of its text does (its page,
# the lists its feed items and cards are on, and the related story's page,
# which names the story for its card), and the site's corrections page and
# feed. Not the other story, section, tag or author pages, nor the indexes.
RETIRED = EDITED | set(OURS)


class NotedWorld(World):
    def page_urls(self):
        return {
            **super().page_urls(),
            "corrections page": reverse("corrections:list"),
            "corrections feed": reverse("corrections:feed"),
        }

    def warm(self, client):
        for page in [*PAGES, *OURS]:
            client.get(self.urls[page])
            response = client.get(self.urls[page])
            assert response["X-Page-Cache"] == "hit", page

    def retired(self, client):
        responses = {page: client.get(self.urls[page]) for page in [*PAGES, *OURS]}
        gone = {p for p, r in responses.items() if r.get("X-Page-Cache") != "hit"}
        return gone, responses


@pytest.fixture
def world():
    return NotedWorld()


def run(django_capture_on_commit_callbacks, change):
    with django_capture_on_commit_callbacks(execute=True):
        return change()


def test_a_new_note_retires_its_story_and_feeds_not_other_stories(
    world, client, django_capture_on_commit_callbacks
):
    world.warm(client)
    run(
        django_capture_on_commit_callbacks,
        lambda: make_correction(world.story, text="The harbour reopened on Monday."),
    )
    gone, responses = world.retired(client)
    assert gone == RETIRED
    for page in ("story", "latest rss", "corrections page", "corrections feed"):
        assert "The harbour reopened on Monday." in responses[page].content.decode()
    # Served fresh once, then cached again.
    assert client.get(world.urls["story"])["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_an_edited_or_deleted_note_retires_the_same_pages(
    world, client, django_capture_on_commit_callbacks, change
):
    note = make_correction(world.story, text="First wording.")
    world.warm(client)

    def apply():
        if change == "deleted":
            note.delete()
        else:
            note.text = "Second wording."
            note.save()

    run(django_capture_on_commit_callbacks, apply)
    gone, responses = world.retired(client)
    assert gone == RETIRED
    story_page = responses["story"].content.decode()
    assert "First wording." not in story_page
    assert ("Second wording." in story_page) == (change == "edited")


def test_a_note_on_a_draft_retires_no_reader_list(
    world, client, django_capture_on_commit_callbacks
):
    world.warm(client)
    draft = type(world.story).objects.create(
        headline="Draft", slug="draft-x", section=world.coast
    )
    world.warm(client)  # creating the draft retired what it retires
    run(
        django_capture_on_commit_callbacks,
        lambda: Correction.objects.create(story=draft, text="Draft note."),
    )
    assert world.retired(client)[0] == set()
