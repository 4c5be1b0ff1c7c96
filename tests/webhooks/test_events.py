"""Which changes set off which webhook, delivered to a real receiver that
verifies every signature."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import services, staging
from articles.models import Article
from comments import moderation
from comments.models import Comment
from corrections.models import Correction
from live import services as live_services
from ops import periodic
from tests.factories import make_article, make_author, make_draft
from webhooks.events import Event
from webhooks.models import Delivery, ScheduledStory

pytestmark = pytest.mark.django_db


def bodies(receiver):
    return [json.loads(request.body) for request in receiver.requests]


def types(receiver):
    return [body["type"] for body in bodies(receiver)]


def publish(story, on_commit):
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() - timedelta(seconds=5)
    with on_commit():
        services.save_story(story)


def test_a_published_story_is_delivered_signed_with_what_readers_see(
    receiver, subscribe, on_commit
):
    subscription = subscribe(receiver.url + "/hooks?source=newsroom")
    receiver.secret = subscription.secret
    story = make_draft(
        headline="Harbour reopens", authors=[make_author(name="Min Ji")], tags=["Port"]
    )

    publish(story, on_commit)

    [request] = receiver.requests
    assert request.path == "/hooks?source=newsroom"
    assert request.verified is True
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"].startswith("msg_")
    assert request.headers["webhook-signature"].startswith("v1,")
    body = json.loads(request.body)
    assert body["type"] == "story.published"
    data = body["data"]
    assert data["id"] == story.pk
    assert data["headline"] == "Harbour reopens"
    assert data["url"] == "https://news.example" + story.get_absolute_url()
    assert data["bylines"][0]["name"] == "Min Ji"
    assert data["tags"] == ["Port"]
    assert data["section"]["slug"] == story.section.slug
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.last_status_code == 200
    assert delivery.attempts == 1
    assert delivery.message_id == request.headers["webhook-id"]


def test_a_signature_made_with_another_secret_does_not_verify(
    receiver, subscribe, on_commit
):
    subscribe(receiver.url)
    receiver.secret = "whsec_" + "A" * 44
    publish(make_draft(), on_commit)
    assert [request.verified for request in receiver.requests] == [False]


def test_only_subscriptions_that_asked_for_the_event_and_are_on_receive_it(
    start_receiver, subscribe, on_commit
):
    wants, other, off = start_receiver(), start_receiver(), start_receiver()
    subscribe(wants.url, [Event.STORY_PUBLISHED])
    subscribe(other.url, [Event.STORY_UNPUBLISHED])
    subscribe(off.url, [Event.STORY_PUBLISHED], is_active=False)

    publish(make_draft(), on_commit)

    assert types(wants) == ["story.published"]
    assert other.requests == [] and off.requests == []


def test_editing_a_live_story_is_an_update_and_publishing_a_draft_is_not(
    receiver, subscribe, on_commit
):
    subscribe(receiver.url)
    story = make_draft()
    publish(story, on_commit)
    story.headline = "A better headline"
    with on_commit():
        services.save_story(story)
    # A draft's edits are nobody's business.
    draft = make_draft()
    draft.headline = "Still a draft"
    with on_commit():
        services.save_story(draft)

    assert types(receiver) == ["story.published", "story.updated"]
    assert bodies(receiver)[1]["data"]["headline"] == "A better headline"


def test_unpublishing_and_deleting_a_live_story_are_announced(
    receiver, subscribe, on_commit
):
    subscribe(receiver.url)
    story = make_article()
    story.status = Article.Status.DRAFT
    with on_commit():
        services.save_story(story)
    gone = make_article()
    with on_commit():
        gone.delete()

    assert types(receiver) == ["story.unpublished", "story.unpublished"]
    assert set(bodies(receiver)[0]["data"]) == {"id", "url", "headline"}


def test_published_pending_changes_are_one_update(receiver, subscribe, on_commit):
    subscribe(receiver.url)
    story = make_article(headline="Before")
    with on_commit():
        pending = staging.stage(story, {"headline": "After"})
        staging.publish(pending)

    assert types(receiver) == ["story.updated"]
    assert bodies(receiver)[0]["data"]["headline"] == "After"


def test_a_correction_on_a_live_story_is_announced_and_one_on_a_draft_is_not(
    receiver, subscribe, on_commit
):
    subscribe(receiver.url, [Event.CORRECTION_ADDED])
    live, draft = make_article(), make_draft()
    with on_commit():
        note = Correction.objects.create(story=live, text="The bridge is 40 m long.")
        Correction.objects.create(story=draft, text="Not shown to anyone.")

    [body] = bodies(receiver)
    assert body["type"] == "correction.added"
    assert body["data"]["story"]["id"] == live.pk
    assert body["data"]["correction"]["text"] == "The bridge is 40 m long."
    assert body["data"]["correction"]["url"].endswith(f"#correction-{note.pk}")


def test_a_live_update_is_announced(receiver, subscribe, on_commit):
    subscribe(receiver.url, [Event.LIVE_UPDATE_ADDED])
    story = make_article()
    with on_commit():
        coverage = live_services.start_coverage(story)
        live_services.post_update(coverage, "The ferry has docked.")

    [body] = bodies(receiver)
    assert body["type"] == "live_update.added"
    assert body["data"]["update"]["text"] == "The ferry has docked."


def test_approved_comments_go_only_to_subscriptions_that_asked(
    start_receiver, subscribe, on_commit
):
    wants, stories_only = start_receiver(), start_receiver()
    subscribe(wants.url, [Event.COMMENT_APPROVED])
    subscribe(stories_only.url)
    story = make_article()
    held = Comment.objects.create(
        article=story, name="Reader", email="r@example.org", body="First!"
    )
    with on_commit():
        moderation.moderate(held, Comment.Status.APPROVED)
        Comment.objects.create(
            article=story, name="Other", body="Agreed.", status="approved"
        )

    assert types(wants) == ["comment.approved", "comment.approved"]
    sent = {body["data"]["comment"]["body"]: body["data"] for body in bodies(wants)}
    assert set(sent) == {"First!", "Agreed."}
    assert "email" not in sent["First!"]["comment"]
    assert stories_only.requests == []


def test_a_scheduled_story_is_announced_once_when_its_time_comes(
    receiver, subscribe, on_commit
):
    subscribe(receiver.url)
    story = make_draft()
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() + timedelta(hours=1)
    with on_commit():
        services.save_story(story)
    assert receiver.requests == []
    assert ScheduledStory.objects.filter(story=story).exists()

    # The hour passes: the row and the story are dated an hour earlier.
    earlier = timezone.now() - timedelta(seconds=1)
    QuerySet.update(Article.objects.filter(pk=story.pk), published_at=earlier)
    ScheduledStory.objects.filter(story=story).update(due_at=earlier)
    with on_commit():
        periodic.run_due(["send_webhooks"])
    with on_commit():
        periodic.run_due(["send_webhooks"])

    assert types(receiver) == ["story.published"]
    assert not ScheduledStory.objects.exists()


def test_a_save_after_a_scheduled_story_went_live_announces_it_as_published(
    receiver, subscribe, on_commit
):
    subscribe(receiver.url)
    story = make_draft()
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() + timedelta(hours=1)
    with on_commit():
        services.save_story(story)
    earlier = timezone.now() - timedelta(seconds=1)
    QuerySet.update(Article.objects.filter(pk=story.pk), published_at=earlier)
    ScheduledStory.objects.filter(story=story).update(due_at=earlier)
    story.refresh_from_db()
    story.dek = "Edited just after it went out."
    with on_commit():
        services.save_story(story)
    with on_commit():
        periodic.run_due(["send_webhooks"])

    assert types(receiver) == ["story.published"]


def test_a_rescheduled_story_waits_for_its_new_time(receiver, subscribe, on_commit):
    subscribe(receiver.url)
    story = make_draft()
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() + timedelta(hours=1)
    with on_commit():
        services.save_story(story)
    later = timezone.now() + timedelta(days=1)
    story.published_at = later
    with on_commit():
        services.save_story(story)
    assert ScheduledStory.objects.get(story=story).due_at == later
    with on_commit():
        periodic.run_due(["send_webhooks"])
    assert receiver.requests == []


def test_a_bulk_publish_enqueues_its_deliveries_in_constant_queries(
    receiver, subscribe, queued
):
    subscribe(receiver.url)

    def run(count):
        pks = [make_draft(authors=[make_author()], tags=["a"]).pk for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            services.publish_stories(Article.objects.filter(pk__in=pks))
        return len(queries)

    run(1)  # what is looked up once per process (content types)
    assert run(2) == run(7)
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == 10
    # One task per bulk action, run by a real worker.
    assert queued.waiting("webhooks.tasks.deliver") == 3
    assert queued.work() == 3
    assert types(receiver) == ["story.published"] * 10
    assert Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).count() == 10
