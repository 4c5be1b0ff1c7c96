"""Bounces and complaints from the provider stop a subscriber's
newsletters: a real Postmark-shaped payload posted to anymail's own
tracking webhook view, wired in newsroom/urls.py behind
ANYMAIL_WEBHOOK_SECRET."""

import base64
import importlib
import json

import pytest
from django.urls import clear_url_caches

import newsroom.urls
from newsletters.models import Subscriber, Subscription

SECRET = "postmark:s3cret-webhook-password"
URL = "/anymail/postmark/tracking/"


@pytest.fixture
def webhooks(settings):
    settings.ANYMAIL_WEBHOOK_SECRET = SECRET
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    importlib.reload(newsroom.urls)
    clear_url_caches()
    yield
    settings.ANYMAIL_WEBHOOK_SECRET = ""
    settings.ANYMAIL = {}
    importlib.reload(newsroom.urls)
    clear_url_caches()


def auth(secret=SECRET):
    return "Basic " + base64.b64encode(secret.encode()).decode()


def bounce(email, record_type="Bounce", kind="HardBounce"):
    return {
        "RecordType": record_type,
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "Tag": "digest",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 The email account does not exist.",
        "Email": email,
        "From": "news@news.example",
        "BouncedAt": "2026-12-02T10:00:00Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Today's news",
        "Content": "",
    }


@pytest.fixture
def reader(db):
    subscriber = Subscriber.objects.create(email="gone@example.org")
    for topic in ("digest", "breaking"):
        Subscription.objects.create(
            subscriber=subscriber, kind=topic, topic=topic, status="active"
        )
    return subscriber


def test_without_the_secret_there_is_no_webhook(db, client):
    assert client.post(URL, "{}", content_type="application/json").status_code == 404


@pytest.mark.parametrize(
    ("record_type", "kind", "reason"),
    [
        ("Bounce", "HardBounce", "bounced"),
        ("SpamComplaint", "SpamComplaint", "complained"),
    ],
)
def test_a_bounce_or_complaint_unsubscribes_the_address(
    webhooks, reader, client, record_type, kind, reason
):
    payload = bounce("Gone@Example.org", record_type, kind)
    answer = client.post(
        URL,
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=auth(),
    )
    assert answer.status_code == 200
    reader.refresh_from_db()
    assert reader.suppressed_at is not None
    assert reader.suppressed_reason == f"Postmark: {reason}"
    assert set(reader.subscriptions.values_list("status", flat=True)) == {
        "unsubscribed"
    }


def test_a_delivery_event_changes_nothing(webhooks, reader, client):
    payload = {
        "RecordType": "Delivery",
        "MessageStream": "outbound",
        "ServerID": 23,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Recipient": "gone@example.org",
        "Tag": "",
        "DeliveredAt": "2026-12-02T10:00:00Z",
        "Details": "Test delivery webhook details",
        "Metadata": {},
    }
    answer = client.post(
        URL, json.dumps(payload), content_type="application/json",
        HTTP_AUTHORIZATION=auth(),
    )  # fmt: skip
    assert answer.status_code == 200
    reader.refresh_from_db()
    assert reader.suppressed_at is None


@pytest.mark.parametrize("secret", [None, "postmark:wrong"])
def test_a_post_without_the_right_credentials_is_refused(
    webhooks, reader, client, secret
):
    extra = {"HTTP_AUTHORIZATION": auth(secret)} if secret else {}
    answer = client.post(
        URL, json.dumps(bounce("gone@example.org")), content_type="application/json",
        **extra,
    )  # fmt: skip
    assert answer.status_code in (400, 401, 403)
    reader.refresh_from_db()
    assert reader.suppressed_at is None
