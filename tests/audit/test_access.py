"""Partners' access in the audit log: API keys and webhook subscriptions made,
changed, revoked, switched off and on, given new secrets and deleted; never a
secret, and never the bookkeeping of their use."""

import json

import pytest
from django.urls import reverse

from api.models import ApiKey
from audit.models import AuditEntry
from tests.api.conftest import make_key
from tests.audit.conftest import CLIENT_ADDRESS, PROXIED
from tests.factories import make_article, make_user
from webhooks.models import Subscription, record_failure

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


@pytest.fixture
def admin_client(client):
    admin = make_user(superuser=True, staff=True)
    client.defaults.update(PROXIED)
    client.force_login(admin)
    client.admin = admin
    return client


def mark() -> int:
    """Where the log ends now (it is append-only): entries after it are new."""
    last = AuditEntry.objects.order_by("pk").last()
    return last.pk if last else 0


def access_entries(after=0):
    return list(
        AuditEntry.objects.filter(action=Action.ACCESS_CHANGED, pk__gt=after).order_by(
            "pk"
        )
    )


def as_text(entry) -> str:
    return json.dumps(entry.details) + entry.object_repr


def test_a_new_api_key_is_recorded_without_its_secret(admin_client):
    response = admin_client.post(
        reverse("admin:api_apikey_add"),
        {"name": "Wire partner", "contact": "", "rate_limit": 100, "is_active": "on"},
        follow=True,
    )
    [message] = [m for m in map(str, response.context["messages"]) if "nrk_" in m]
    whole = next(word for word in message.split() if word.startswith("nrk_"))
    key = ApiKey.objects.get()
    [entry] = access_entries()
    assert entry.actor == admin_client.admin
    assert entry.address == CLIENT_ADDRESS
    assert entry.content_type.model_class() is ApiKey
    assert entry.object_id == str(key.pk)
    assert entry.details["change"] == "added"
    assert entry.details["secret"] == "new"
    assert entry.details["name"] == "Wire partner"
    assert entry.details["is_active"] == "True"
    assert "secret_hash" not in entry.details
    assert key.secret_hash not in as_text(entry)
    assert whole.rsplit("_", 1)[-1] not in as_text(entry)


def test_revoking_and_reissuing_keys_are_recorded(admin_client):
    key, whole = make_key(name="Partner A")
    other, _ = make_key(name="Partner B")
    start = mark()
    changelist = reverse("admin:api_apikey_changelist")
    admin_client.post(
        changelist, {"action": "revoke", "_selected_action": [key.pk, other.pk]}
    )
    revoked = access_entries(start)
    assert sorted(e.object_id for e in revoked) == sorted([str(key.pk), str(other.pk)])
    assert all(e.details["is_active"] == "False" for e in revoked)
    assert all("secret" not in e.details for e in revoked)
    assert all(e.actor == admin_client.admin for e in revoked)

    start = mark()
    admin_client.post(changelist, {"action": "reissue", "_selected_action": [key.pk]})
    [reissued] = access_entries(start)
    key.refresh_from_db()
    assert reissued.details["secret"] == "new"
    assert reissued.details["prefix"] == key.prefix
    assert key.secret_hash not in as_text(reissued)


def test_using_a_key_is_not_a_change_of_access(client):
    make_article()
    key, whole = make_key()
    start = mark()
    assert client.get("/api/v1/stories", headers={"x-api-key": whole}).status_code == (
        200
    )
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert access_entries(start) == []


def test_a_deleted_key_is_recorded(admin_client):
    key, _ = make_key(name="Gone partner")
    start = mark()
    admin_client.post(
        reverse("admin:api_apikey_delete", args=[key.pk]), {"post": "yes"}
    )
    [entry] = access_entries(start)
    assert entry.details["change"] == "deleted"
    assert entry.object_repr == str(key)
    assert key.secret_hash not in as_text(entry)


@pytest.fixture
def receiver_url(settings):
    """A receiver's address the form accepts (loopback, allowed as in the
    webhooks' own tests); nothing is sent to it here."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    return "http://127.0.0.1:8629/in"


def subscription_form(url, **overrides):
    return {
        "name": "Wire partner",
        "url": url,
        "events": ["story.published"],
        "is_active": "on",
        **overrides,
    }


def test_a_subscription_and_its_new_secret_are_recorded_without_the_secret(
    admin_client, receiver_url
):
    response = admin_client.post(
        reverse("admin:webhooks_subscription_add"), subscription_form(receiver_url)
    )
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    [added] = access_entries()
    assert added.details["change"] == "added"
    assert added.details["url"] == receiver_url
    assert added.details["secret"] == "new"
    assert subscription.secret not in as_text(added)

    admin_client.post(
        reverse("admin:webhooks_subscription_changelist"),
        {"action": "new_secret", "_selected_action": [subscription.pk]},
    )
    old_secret = subscription.secret
    subscription.refresh_from_db()
    assert subscription.secret != old_secret
    [_, renewed] = access_entries()
    assert renewed.details["secret"] == "new"
    assert subscription.secret not in as_text(renewed)
    assert old_secret not in as_text(renewed)


def test_switching_off_after_failures_and_on_again_are_recorded(
    admin_client, receiver_url
):
    subscription = Subscription.objects.create(
        name="Flaky partner", url=receiver_url, events=["story.published"]
    )
    start = mark()
    # Failures below the limit are bookkeeping; the one that switches it off
    # is a change, made by no one (the delivery task).
    assert not record_failure(subscription.pk, limit=3)
    assert not record_failure(subscription.pk, limit=3)
    assert access_entries(start) == []
    assert record_failure(subscription.pk, limit=3)
    assert not record_failure(subscription.pk, limit=3)
    [switched_off] = access_entries(start)
    assert switched_off.actor is None
    assert switched_off.details["is_active"] == "False"
    assert switched_off.details["disabled_at"]

    admin_client.post(
        reverse("admin:webhooks_subscription_changelist"),
        {"action": "switch_on", "_selected_action": [subscription.pk]},
    )
    [_, switched_on] = access_entries(start)
    assert switched_on.actor == admin_client.admin
    assert switched_on.details["is_active"] == "True"
    assert switched_on.details["disabled_at"] == ""
