"""Deliveries: written when an event happens, sent by whoever claims them.

``create()`` writes one ``Delivery`` per active subscription that wants the
event, in the transaction of the change (a rollback writes none); the
caller enqueues ``webhooks.tasks.deliver`` for each after the commit.
``attempt()`` claims a delivery (``DeliveryQuerySet.claim()``), sends it,
and records the attempt: delivered; failed with a retry at an exponentially
later time (``next_delay()``); or failed for good after
``WEBHOOKS_ATTEMPTS``. A failed attempt counts towards switching the
subscription off (``WEBHOOKS_DISABLE_AFTER_FAILURES``), a delivered one
resets the count. A retry is sent by the task enqueued for its time (when
the backend can wait) or by the periodic sweep (``due_ids()``), whichever
claims it first.
"""

import datetime
import http.client
import json
import logging
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from webhooks import conf, events, signing, transport
from webhooks.models import (
    Delivery,
    DeliveryAttempt,
    Subscription,
    record_failure,
    record_success,
)

logger = logging.getLogger(__name__)


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def encode(payload: dict) -> str:
    return json.dumps(
        payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    )


def subscribers(event: str) -> list[Subscription]:
    """Active subscriptions that asked for ``event`` (filtered here: a JSON
    list's ``contains`` lookup is not available on SQLite)."""
    return [
        subscription
        for subscription in Subscription.objects.filter(is_active=True).only(
            "pk", "events"
        )
        if subscription.wants(event)
    ]


def create(event: str, data: dict) -> list[int]:
    """Write the deliveries of one event; their ids (none: nobody listens)."""
    return create_many(event, [data])


def create_many(event: str, items: list[dict]) -> list[int]:
    """One event for each of ``items`` (a bulk action's stories), for every
    subscription that wants it: two queries however many."""
    chosen = subscribers(event)
    if not chosen or not items:
        return []
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        [
            Delivery(
                subscription_id=subscription.pk,
                event=event,
                message_id=new_message_id(),
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for body in (encode(events.envelope(event, data)) for data in items)
            for subscription in chosen
        ]
    )
    if rows and rows[0].pk is None:  # a backend that returns no ids
        return list(
            Delivery.objects.filter(
                message_id__in=[row.message_id for row in rows]
            ).values_list("pk", flat=True)
        )
    return [row.pk for row in rows]


def create_test(subscription: Subscription) -> Delivery:
    """The admin's "send test": one delivery, sent once, never retried."""
    return Delivery.objects.create(
        subscription=subscription,
        event=events.Event.TEST,
        message_id=new_message_id(),
        body=encode(events.envelope(events.Event.TEST, events.test_data())),
        is_test=True,
    )


def next_delay(attempt: int) -> float:
    """Seconds before attempt ``attempt + 1``, after ``attempt`` failed:
    1, 2, 4, 8... minutes, capped at ``WEBHOOKS_MAX_RETRY_SECONDS``."""
    first = conf.settings.WEBHOOKS_FIRST_RETRY_SECONDS
    return min(first * 2 ** (attempt - 1), conf.settings.WEBHOOKS_MAX_RETRY_SECONDS)


def due_ids(limit: int, now=None) -> list[int]:
    return list(
        Delivery.objects.due(now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def _excerpt(body: bytes) -> str:
    size = conf.settings.WEBHOOKS_RESPONSE_EXCERPT
    return body[:size].decode("utf-8", "replace")


def _send(delivery: Delivery) -> tuple[int | None, str, str]:
    """One POST: (status code or None, error, the answer's beginning)."""
    body = delivery.body.encode()
    headers = signing.headers(delivery.subscription.secret, delivery.message_id, body)
    try:
        response = transport.post(
            delivery.subscription.url,
            body,
            headers,
            content_type="application/json",
        )
    except transport.Refused as error:
        return None, str(error), ""
    except TimeoutError:
        return None, "Timed out", ""
    except (OSError, http.client.HTTPException) as error:
        return None, f"{type(error).__name__}: {error}"[:500], ""
    error = ""
    if 300 <= response.status < 400:
        error = "Redirects are not followed"
    elif not 200 <= response.status < 300:
        error = f"HTTP {response.status}"
    return response.status, error, _excerpt(response.body)


def attempt(delivery_id: int) -> datetime.datetime | None:
    """Send delivery ``delivery_id`` if it is due and nobody else holds it.

    Returns when the next attempt is due (it failed and will be retried), or
    None (delivered, given up, cancelled, or not ours to send).
    """
    token = Delivery.objects.claim(
        delivery_id, seconds=conf.settings.WEBHOOKS_CLAIM_SECONDS
    )
    if not token:
        return None
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    mine = Delivery.objects.filter(pk=delivery_id, claim_token=token)
    if not subscription.is_active and not delivery.is_test:
        mine.update(status=Delivery.Status.CANCELLED, claimed_until=None)
        return None
    status_code, error, excerpt = _send(delivery)
    now = timezone.now()
    number = delivery.attempts + 1
    succeeded = not error
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery_id=delivery_id,
            number=number,
            at=now,
            status_code=status_code,
            error=error,
            response_excerpt=excerpt,
        )
        update = {
            "attempts": number,
            "last_status_code": status_code,
            "last_error": error,
            "claimed_until": None,
            "claim_token": "",
        }
        retry_at = None
        if succeeded:
            update.update(status=Delivery.Status.SUCCEEDED, delivered_at=now)
        elif delivery.is_test or number >= conf.settings.WEBHOOKS_ATTEMPTS:
            update.update(status=Delivery.Status.FAILED)
        else:
            retry_at = now + datetime.timedelta(seconds=next_delay(number))
            update.update(status=Delivery.Status.RETRYING, next_attempt_at=retry_at)
        mine.update(**update)
        if delivery.is_test:
            return None
        if succeeded:
            record_success(subscription.pk)
        elif record_failure(
            subscription.pk,
            limit=conf.settings.WEBHOOKS_DISABLE_AFTER_FAILURES,
            now=now,
        ):
            logger.warning(
                "Webhook subscription %s switched off after repeated failures",
                subscription.pk,
            )
    return retry_at
