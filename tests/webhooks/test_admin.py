"""The webhooks' admin: the subscription form's checks, the secret, the
"send test" button, the delivery log, and who may open any of it."""

import json

import pytest
from django.urls import reverse

from tests.factories import make_user
from tests.webhooks.conftest import Answer
from webhooks import dispatch
from webhooks.events import Event
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

ADD = reverse("admin:webhooks_subscription_add")


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(superuser=True))
    return client


def form_data(url, **overrides):
    return {
        "name": "Wire partner",
        "url": url,
        "events": [Event.STORY_PUBLISHED, Event.STORY_UPDATED],
        "is_active": "on",
        **overrides,
    }


def test_a_subscription_is_added_with_its_events_and_a_fresh_secret(
    admin_client, receiver
):
    response = admin_client.post(ADD, form_data(receiver.url + "/in"))
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.url == receiver.url + "/in"
    assert subscription.events == ["story.published", "story.updated"]
    assert subscription.secret.startswith("whsec_")
    # The secret is on the subscription's page, behind "Show the secret".
    page = admin_client.get(
        reverse("admin:webhooks_subscription_change", args=[subscription.pk])
    )
    assert subscription.secret in page.content.decode()
    assert "Show the secret" in page.content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1/hooks", "not a public address"),
        ("http://[::ffff:127.0.0.1]/", "not a public address"),
        ("http://localhost:8000/", "not a public address"),
        ("ftp://hooks.example/", "https://"),
        ("https://user:pw@hooks.example/", "user name or password"),
        ("https://nowhere.invalid/", "could not be resolved"),
    ],
)
def test_an_address_that_may_not_be_contacted_is_an_error_beside_the_field(
    admin_client, settings, url, message
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    response = admin_client.post(ADD, form_data(url))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"]
    assert message in errors["url"][0]
    assert not Subscription.objects.exists()


def test_a_subscription_needs_at_least_one_event(admin_client, receiver):
    response = admin_client.post(ADD, form_data(receiver.url, events=[]))
    assert "events" in response.context["adminform"].form.errors
    assert not Subscription.objects.exists()


def test_send_test_delivers_a_signed_test_message_and_says_so(
    admin_client, receiver, subscribe
):
    subscription = subscribe(receiver.url)
    receiver.secret = subscription.secret
    url = reverse("admin:webhooks_subscription_send_test", args=[subscription.pk])

    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, follow=True)

    [request] = receiver.requests
    assert request.verified is True
    assert json.loads(request.body)["type"] == "webhook.test"
    assert "Test message delivered (HTTP 200)." in response.content.decode()
    change = reverse("admin:webhooks_subscription_change", args=[subscription.pk])
    page = admin_client.get(change).content.decode()
    assert url in page and "Send a test message" in page


def test_a_failed_test_says_why_and_does_not_count_against_the_subscription(
    admin_client, receiver, subscribe
):
    subscription = subscribe(receiver.url)
    receiver.default = Answer(status=500)
    url = reverse("admin:webhooks_subscription_send_test", args=[subscription.pk])
    response = admin_client.post(url, follow=True)
    assert "Test message not delivered: HTTP 500" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_the_delivery_log_shows_each_attempt_and_its_answer(
    admin_client, receiver, subscribe
):
    subscribe(receiver.url, [Event.STORY_PUBLISHED])
    receiver.answer_with(Answer(status=502, body=b"bad gateway"))
    [pk] = dispatch.create(Event.STORY_PUBLISHED, {"id": 1})
    dispatch.attempt(pk)

    listing = admin_client.get(reverse("admin:webhooks_delivery_changelist"))
    assert listing.status_code == 200
    assert "502" in listing.content.decode()
    detail = admin_client.get(reverse("admin:webhooks_delivery_change", args=[pk]))
    content = detail.content.decode()
    assert "bad gateway" in content and "HTTP 502" in content


def test_switching_a_subscription_on_again_forgets_its_failures(
    admin_client, subscribe
):
    subscription = subscribe("https://hooks.example/", is_active=False)
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=15)
    response = admin_client.post(
        reverse("admin:webhooks_subscription_changelist"),
        {"action": "switch_on", "_selected_action": [subscription.pk]},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 0


def test_staff_who_are_not_superusers_cannot_open_webhooks(client, subscribe):
    subscription = subscribe("https://hooks.example/")
    client.force_login(make_user(staff=True))
    for url in (
        reverse("admin:webhooks_subscription_changelist"),
        reverse("admin:webhooks_subscription_change", args=[subscription.pk]),
        reverse("admin:webhooks_delivery_changelist"),
    ):
        assert client.get(url).status_code == 403
    send = reverse("admin:webhooks_subscription_send_test", args=[subscription.pk])
    assert client.post(send).status_code == 403
    assert not Delivery.objects.exists()
