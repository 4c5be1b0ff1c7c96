"""The signed links: confirm (expiring), unsubscribe (one click, RFC 8058),
manage (topics, export, delete everything)."""

import json
import time
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from newsletters import tokens
from newsletters.models import Delivery, Issue, Subscriber, Subscription
from tests.factories import make_section


@pytest.fixture
def reader(db):
    subscriber = Subscriber.objects.create(email="reader@example.org")
    for topic in ("digest", "breaking"):
        Subscription.objects.create(
            subscriber=subscriber, kind=topic, topic=topic, status="active"
        )
    return subscriber


def confirm_url(subscriber, topics=("digest",)):
    token = tokens.make(tokens.CONFIRM, subscriber, t=list(topics))
    return reverse("newsletters:confirm", args=[token])


def unsubscribe_url(subscriber, list_name="digest"):
    token = tokens.make(tokens.UNSUBSCRIBE, subscriber, l=list_name)
    return reverse("newsletters:unsubscribe", args=[token])


def manage_url(subscriber):
    return reverse("newsletters:manage", args=[tokens.make(tokens.MANAGE, subscriber)])


def statuses(subscriber):
    return dict(subscriber.subscriptions.values_list("topic", "status"))


def test_an_expired_confirmation_link_confirms_nothing(db, client, settings):
    settings.NEWSLETTER_CONFIRM_MAX_AGE = 3600
    subscriber = Subscriber.objects.create(email="late@example.org")
    Subscription.objects.create(subscriber=subscriber, kind="digest", topic="digest")
    with mock.patch("time.time", return_value=time.time() - 7200):
        url = confirm_url(subscriber)
    assert client.get(url).status_code == 400
    assert client.post(url).status_code == 400
    assert statuses(subscriber) == {"digest": "pending"}


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token[:20],
        lambda token: "x" * 1000,
        lambda token: "not-a-token",
    ],
    ids=["tampered", "cut-short", "huge", "garbage"],
)
def test_a_damaged_link_is_a_400_and_changes_nothing(reader, client, mangle):
    for purpose, name, data in (
        (tokens.UNSUBSCRIBE, "unsubscribe", {"l": "digest"}),
        (tokens.MANAGE, "manage", {}),
        (tokens.CONFIRM, "confirm", {"t": ["digest"]}),
    ):
        token = mangle(tokens.make(purpose, reader, **data))
        url = reverse(f"newsletters:{name}", args=[token])
        assert client.get(url).status_code == 400
        assert client.post(url, {"action": "delete"}).status_code == 400
    assert statuses(reader) == {"digest": "active", "breaking": "active"}
    assert Subscriber.objects.filter(pk=reader.pk).exists()


def test_one_kind_of_link_never_works_as_another(reader, client):
    manage_token = tokens.make(tokens.MANAGE, reader)
    url = reverse("newsletters:unsubscribe", args=[manage_token])
    assert client.post(url).status_code == 400
    assert statuses(reader)["digest"] == "active"


def test_links_die_with_the_subscriber(reader, client):
    url = unsubscribe_url(reader)
    reader.delete()
    Subscriber.objects.create(pk=reader.pk, email="someone-else@example.org")
    assert client.post(url).status_code == 400


def test_unsubscribe_get_asks_and_post_stops_one_list(reader):
    client = Client(enforce_csrf_checks=True)
    url = unsubscribe_url(reader, "digest")
    page = client.get(url)
    assert page.status_code == 200
    assert b'method="post"' in page.content
    assert statuses(reader)["digest"] == "active"
    # The button posts back here, with no CSRF token, no cookie.
    assert client.post(url).status_code == 200
    assert statuses(reader) == {"digest": "unsubscribed", "breaking": "active"}
    # A second click is harmless.
    assert client.post(url).status_code == 200


def test_a_list_name_the_token_does_not_know_is_refused(reader, client):
    token = tokens.make(tokens.UNSUBSCRIBE, reader, l="everything")
    url = reverse("newsletters:unsubscribe", args=[token])
    assert client.post(url).status_code == 400
    assert statuses(reader)["digest"] == "active"


def test_manage_changes_topics_and_keeps_the_page_private(reader):
    section = make_section(name="Sport")
    client = Client(enforce_csrf_checks=True)
    url = manage_url(reader)
    page = client.get(url)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    answer = client.post(
        url,
        {
            "csrfmiddlewaretoken": page.context["csrf_token"],
            "action": "save",
            "topics": ["breaking", f"section:{section.pk}"],
        },
    )
    assert answer.status_code == 200
    assert statuses(reader) == {
        "digest": "unsubscribed",
        "breaking": "active",
        f"section:{section.pk}": "active",
    }


def test_manage_needs_its_csrf_token(reader):
    client = Client(enforce_csrf_checks=True)
    answer = client.post(manage_url(reader), {"action": "delete"})
    assert answer.status_code == 403
    assert Subscriber.objects.filter(pk=reader.pk).exists()


def test_a_reader_downloads_everything_kept_about_them(reader, client):
    issue = Issue.objects.create(subject="Monday", status="sent")
    Delivery.objects.create(issue=issue, subscriber=reader, status="sent")
    token = tokens.make(tokens.MANAGE, reader)
    answer = client.get(reverse("newsletters:export", args=[token]))
    assert answer.status_code == 200
    assert "attachment" in answer["Content-Disposition"]
    data = json.loads(answer.content)
    assert data["email"] == "reader@example.org"
    assert {row["topic"] for row in data["subscriptions"]} == {"digest", "breaking"}
    assert data["deliveries"] == [{"issue": "Monday", "status": "sent", "sent": None}]


def test_delete_everything_removes_the_address_and_its_records(reader, client):
    issue = Issue.objects.create(subject="Monday", status="sent")
    Delivery.objects.create(issue=issue, subscriber=reader, status="sent")
    url = manage_url(reader)
    answer = client.post(url, {"action": "delete"})
    assert answer.status_code == 200
    assert not Subscriber.objects.filter(email="reader@example.org").exists()
    assert not Subscription.objects.exists()
    assert not Delivery.objects.exists()
    assert Issue.objects.filter(pk=issue.pk).exists()
    # The old link is dead now.
    assert client.get(url).status_code == 400


JUNK = ["x", "%00", "a" * 2000, "..%2F..%2Fetc", "eyJzIjoxfQ:1abc:zzz", "' OR 1=1 --"]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("name", ["confirm", "unsubscribe", "manage", "export"])
def test_junk_in_a_link_is_a_4xx_with_the_site_headers(db, client, name, junk):
    url = (
        f"/newsletters/{name}/{junk}/"
        if name != "export"
        else (f"/newsletters/manage/{junk}/data.json")
    )
    for answer in (client.get(url), client.post(url, {"action": "delete"})):
        assert 400 <= answer.status_code < 500 or answer.status_code == 405
        assert "Content-Security-Policy" in answer
        assert answer["X-Content-Type-Options"] == "nosniff"


def test_the_pixel_with_junk_is_a_404(db, client, settings):
    settings.NEWSLETTER_TRACKING_PIXEL = True
    for junk in JUNK[:4]:
        assert client.get(f"/newsletters/opened/{junk}.gif").status_code == 404
