"""Retries with exponential backoff, giving up, switching a subscription
off, and claims: on the immediate backend (retries by the periodic sweep)
and the database backend with a real worker (retries by a deferred task)."""

import datetime
import json

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import services
from articles.models import Article
from ops import periodic
from tests.factories import make_draft
from tests.tasks.conftest import BACKENDS, Tasks
from tests.webhooks.conftest import Answer
from webhooks import dispatch, signing
from webhooks.events import Event
from webhooks.models import Delivery, Subscription


@pytest.fixture(params=sorted(BACKENDS))
def tasks(request, settings, transactional_db):
    settings.TASKS = {"default": {"BACKEND": BACKENDS[request.param]}}
    return Tasks(request.param)


def publish_new_story():
    story = make_draft()
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now() - datetime.timedelta(seconds=5)
    services.save_story(story)
    return story


def time_passes(tasks):
    """As if every retry's time had come (rows and deferred tasks)."""
    Delivery.objects.filter(next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    if tasks.queued:
        tasks.make_retries_due()


def test_a_failed_delivery_is_retried_later_with_the_same_message(
    receiver, subscribe, tasks
):
    subscription = subscribe(receiver.url)
    receiver.secret = subscription.secret
    receiver.answer_with(Answer(status=500, body=b"busy"), Answer(status=204, body=b""))

    publish_new_story()
    tasks.work()

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.attempts == 1 and delivery.last_status_code == 500
    [first] = delivery.attempt_log.all()
    assert first.response_excerpt == "busy"
    assert delivery.next_attempt_at == first.at + datetime.timedelta(seconds=60)
    if tasks.queued:
        # The retry waits in the queue for its time.
        retry = DBTaskResult.objects.get(
            status="READY", task_path__endswith="webhooks.tasks.deliver"
        )
        assert retry.run_after == delivery.next_attempt_at
        assert tasks.work() == 0  # not yet
    assert len(receiver.requests) == 1

    time_passes(tasks)
    tasks.work()
    with_sweep = periodic.run_due(["send_webhooks"], force=True)
    assert with_sweep[0].succeeded

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 204]
    # Sent twice in all (the deferred task or the sweep, never both), the
    # same id each time, each signed.
    assert len(receiver.requests) == 2
    ids = {request.headers["webhook-id"] for request in receiver.requests}
    assert ids == {delivery.message_id}
    assert all(request.verified for request in receiver.requests)
    assert Subscription.objects.get().consecutive_failures == 0


def test_retries_back_off_exponentially_up_to_a_cap(settings):
    settings.WEBHOOKS_FIRST_RETRY_SECONDS = 60
    settings.WEBHOOKS_MAX_RETRY_SECONDS = 3600
    assert [dispatch.next_delay(n) for n in range(1, 8)] == [
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


def test_a_delivery_is_given_up_after_its_attempts(
    receiver, subscribe, settings, tasks
):
    settings.WEBHOOKS_ATTEMPTS = 2
    receiver.default = Answer(status=503)
    subscribe(receiver.url)

    publish_new_story()
    tasks.work()
    time_passes(tasks)
    tasks.work()
    periodic.run_due(["send_webhooks"], force=True)
    time_passes(tasks)
    tasks.work()
    periodic.run_due(["send_webhooks"], force=True)

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 2


def test_a_subscription_failing_again_and_again_is_switched_off(
    receiver, subscribe, settings, tasks
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 2
    receiver.default = Answer(status=500)
    subscription = subscribe(receiver.url)

    publish_new_story()
    publish_new_story()
    tasks.work()

    subscription.refresh_from_db()
    assert not subscription.is_active
    assert subscription.disabled_at is not None
    assert subscription.consecutive_failures == 2
    # Its waiting retries are not sent, and new events write nothing for it.
    time_passes(tasks)
    tasks.work()
    periodic.run_due(["send_webhooks"], force=True)
    publish_new_story()
    tasks.work()
    assert len(receiver.requests) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {
        Delivery.Status.CANCELLED
    }


def test_a_delivered_message_resets_the_failure_count(receiver, subscribe, tasks):
    receiver.answer_with(Answer(status=500))
    subscription = subscribe(receiver.url)
    publish_new_story()
    tasks.work()
    assert Subscription.objects.get().consecutive_failures == 1
    publish_new_story()
    tasks.work()
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.is_active


def test_a_delivery_is_claimed_by_one_sender_at_a_time(db, subscribe):
    subscription = subscribe("https://hooks.example/", [Event.STORY_PUBLISHED])
    [pk] = dispatch.create(Event.STORY_PUBLISHED, {"id": 1})

    token = Delivery.objects.claim(pk, seconds=60)
    assert token
    assert Delivery.objects.claim(pk, seconds=60) == ""
    assert pk not in dispatch.due_ids(10)
    # A sender that died: its lease runs out, and another may take it.
    Delivery.objects.filter(pk=pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert Delivery.objects.claim(pk, seconds=60) not in ("", token)
    Delivery.objects.filter(pk=pk).update(
        status=Delivery.Status.SUCCEEDED, claimed_until=None
    )
    assert Delivery.objects.claim(pk, seconds=60) == ""
    assert subscription.deliveries.count() == 1


def test_the_body_is_the_standard_webhooks_envelope(db, subscribe):
    subscribe("https://hooks.example/", [Event.STORY_PUBLISHED])
    [pk] = dispatch.create(Event.STORY_PUBLISHED, {"id": 7, "headline": "서울"})
    body = json.loads(Delivery.objects.get(pk=pk).body)
    assert body["type"] == "story.published"
    assert body["timestamp"].endswith("Z")
    assert body["data"] == {"id": 7, "headline": "서울"}


def test_the_signature_matches_the_standard_webhooks_example():
    # The example in the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = signing.sign(
        secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verification_refuses_a_changed_body_an_old_time_and_a_missing_header():
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    body = b'{"type":"story.published"}'
    headers = signing.headers(secret, "msg_1", body, now=1_000_000)
    signing.verify(secret, headers, body, now=1_000_100)
    with pytest.raises(signing.InvalidSignature):
        signing.verify(secret, headers, body + b" ", now=1_000_100)
    with pytest.raises(signing.InvalidSignature):
        signing.verify(secret, headers, body, now=1_000_000 + 3600)
    with pytest.raises(signing.InvalidSignature):
        signing.verify(secret, {"webhook-id": "msg_1"}, body, now=1_000_000)
    # Several signatures (a secret being rotated): one match is enough.
    rotated = {
        **headers,
        "webhook-signature": "v1,bm9wZQ== " + headers["webhook-signature"],
    }
    signing.verify(secret, rotated, body, now=1_000_000)
