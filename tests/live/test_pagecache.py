"""An update retires its story's page, the story's polling endpoint and
updates feed, and the lists its feed items are on (their "updated" times);
other stories' pages, sections, tags and authors stay cached."""

import pytest
from django.urls import reverse

from live import services
from tests.live.conftest import make_coverage, make_update
from tests.pagecache.test_invalidation import EDITED, PAGES, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

OURS = ["live updates", "live feed"]
# What an update retires: what an edit of the story's text does (its page,
# the lists its feed items and cards are on, and the related story's page,
# which shows the story's card), and the story's own live endpoint and feed.
# Not the other story, section, tag or author pages, nor the indexes.
RETIRED = EDITED | set(OURS)


class LiveWorld(World):
    def __init__(self):
        super().__init__()
        self.coverage = make_coverage(self.story)
        self.first = make_update(self.coverage, "The first update.")
        # A second live story: its own page and endpoint stay cached.
        self.other_coverage = make_coverage(self.other)
        self.urls = self.page_urls()

    def page_urls(self):
        return {
            **super().page_urls(),
            "live updates": reverse("live:updates", args=[self.story.pk]),
            "live feed": reverse("live:feed", args=[self.story.pk]),
            "other live updates": reverse("live:updates", args=[self.other.pk]),
        }

    def pages(self):
        return [*PAGES, *OURS, "other live updates"]

    def warm(self, client):
        for page in self.pages():
            client.get(self.urls[page])
            response = client.get(self.urls[page])
            assert response["X-Page-Cache"] == "hit", page

    def retired(self, client):
        responses = {page: client.get(self.urls[page]) for page in self.pages()}
        gone = {p for p, r in responses.items() if r.get("X-Page-Cache") != "hit"}
        return gone, responses


@pytest.fixture
def world():
    return LiveWorld()


def run(django_capture_on_commit_callbacks, change):
    with django_capture_on_commit_callbacks(execute=True):
        return change()


def test_a_new_update_retires_its_story_and_endpoint_not_other_stories(
    world, client, django_capture_on_commit_callbacks
):
    world.warm(client)
    run(
        django_capture_on_commit_callbacks,
        lambda: services.post_update(world.coverage, "Divers found the anchor."),
    )
    gone, responses = world.retired(client)
    assert gone == RETIRED
    assert "Divers found the anchor." in responses["story"].content.decode()
    assert (
        "Divers found the anchor."
        in responses["live updates"].json()["updates"][0]["html"]
    )
    assert "Divers found the anchor." in responses["live feed"].content.decode()
    # Served fresh once, then cached again.
    assert client.get(world.urls["live updates"])["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("change", ["edited", "deleted", "ended"])
def test_an_edited_or_deleted_update_or_the_end_retires_the_same_pages(
    world, client, django_capture_on_commit_callbacks, change
):
    world.warm(client)

    def apply():
        if change == "deleted":
            world.first.delete()
        elif change == "ended":
            services.end_coverage(world.coverage)
        else:
            world.first.text = "Second wording."
            services.save_update(world.first)

    run(django_capture_on_commit_callbacks, apply)
    gone, responses = world.retired(client)
    assert gone == RETIRED
    story_page = responses["story"].content.decode()
    assert ("Coverage ended" in story_page) == (change == "ended")
    assert ("Second wording." in story_page) == (change == "edited")
    assert ("The first update." in story_page) == (change == "ended")


def test_the_cached_endpoint_keeps_its_lifetime_and_answers_304(world, client):
    url = world.urls["live updates"]
    client.get(url)
    hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert hit["Cache-Control"] == "public, max-age=5"
    assert hit["ETag"] and hit["Last-Modified"]
    again = client.get(url, headers={"if-none-match": hit["ETag"]})
    assert again.status_code == 304 and again["X-Page-Cache"] == "hit"
    # The story page keeps the cache's own lifetime.
    assert client.get(world.urls["story"])["Cache-Control"] == (
        "public, max-age=0, must-revalidate"
    )
