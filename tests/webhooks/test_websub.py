"""WebSub: the feeds name the hub, and publishing pings a real local hub
for every feed the story shows in."""

from datetime import timedelta
from urllib.parse import parse_qs
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.factories import make_article, make_author, make_draft, make_section
from tests.webhooks.conftest import Answer

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def links(response, tag):
    root = ElementTree.fromstring(response.content)
    return {
        element.get("rel"): element.get("href") for element in root.iter(f"{ATOM}{tag}")
    }


@pytest.mark.parametrize("name", ["feed_latest_rss", "feed_latest_atom"])
def test_feeds_name_the_hub_and_themselves_when_a_hub_is_set(client, settings, name):
    settings.WEBSUB_HUB_URL = "https://hub.example/"
    make_article()
    response = client.get(reverse(f"articles:{name}"))
    found = links(response, "link")
    assert found["hub"] == "https://hub.example/"
    assert found["self"] == "http://testserver" + reverse(f"articles:{name}")


def test_feeds_name_no_hub_without_one(client):
    make_article()
    response = client.get(reverse("articles:feed_latest_atom"))
    assert "hub" not in links(response, "link")


def test_publishing_pings_the_hub_for_each_feed_the_story_is_in(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBSUB_HUB_URL = receiver.url + "/hub"
    section = make_section(slug="world")
    story = make_draft(
        section=section, authors=[make_author(slug="min-ji")], tags=["Ports"]
    )
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() - timedelta(seconds=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)

    pinged = []
    for request in receiver.requests:
        assert request.path == "/hub"
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        form = parse_qs(request.body.decode())
        assert form["hub.mode"] == ["publish"]
        pinged += form["hub.url"]
    base = "https://news.example"
    assert sorted(pinged) == sorted(
        base + reverse(name, args=args)
        for name, args in [
            ("articles:feed_latest_rss", []),
            ("articles:feed_latest_atom", []),
            ("articles:section_feed_rss", ["world"]),
            ("articles:section_feed_atom", ["world"]),
            ("articles:tag_feed_rss", ["ports"]),
            ("articles:tag_feed_atom", ["ports"]),
            ("articles:author_feed_rss", ["min-ji"]),
            ("articles:author_feed_atom", ["min-ji"]),
        ]
    )


def test_a_draft_saved_pings_nothing(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBSUB_HUB_URL = receiver.url + "/hub"
    draft = make_draft()
    draft.headline = "Not yet"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(draft)
    assert receiver.requests == []


def test_a_hub_that_fails_is_asked_again_later_for_the_feeds_left(
    receiver, settings, transactional_db
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.WEBSUB_HUB_URL = receiver.url + "/hub"
    receiver.answer_with(Answer(status=200), Answer(status=503))
    from webhooks import tasks

    with pytest.raises(Exception, match="HTTP 503"):
        tasks.ping_hub.call(["https://news.example/a", "https://news.example/b"])
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"] == [["https://news.example/b"]]
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    assert retry.run_after > timezone.now()


def test_the_corrections_and_live_feeds_name_the_hub_too(client, settings):
    from tests.live.conftest import make_coverage

    settings.WEBSUB_HUB_URL = "https://hub.example/"
    story = make_article()
    make_coverage(story)
    for url, tag in [
        (reverse("corrections:feed"), "link"),
        (reverse("live:feed", args=[story.pk]), "link"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert links(response, tag)["hub"] == "https://hub.example/", url


def pinged_topics(receiver) -> list[str]:
    topics = []
    for request in receiver.requests:
        topics += parse_qs(request.body.decode())["hub.url"]
    return topics


def test_a_note_pings_the_corrections_feed_and_a_live_update_its_own(
    receiver, settings, django_capture_on_commit_callbacks
):
    from corrections.models import Correction
    from tests.live.conftest import make_coverage, make_update

    settings.WEBSUB_HUB_URL = receiver.url + "/hub"
    story = make_article(section=make_section(slug="world"))
    coverage = make_coverage(story)
    base = "https://news.example"

    with django_capture_on_commit_callbacks(execute=True):
        Correction.objects.create(story=story, text="The bridge is 40 m long.")
    topics = pinged_topics(receiver)
    assert base + reverse("corrections:feed") in topics
    assert base + reverse("articles:feed_latest_atom") in topics
    assert base + reverse("live:feed", args=[story.pk]) not in topics

    receiver.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_update(coverage, "Crews reached the breakwater.")
    topics = pinged_topics(receiver)
    assert base + reverse("live:feed", args=[story.pk]) in topics
    assert base + reverse("articles:section_feed_rss", args=["world"]) in topics
    assert base + reverse("corrections:feed") not in topics
    assert len(topics) == len(set(topics))
