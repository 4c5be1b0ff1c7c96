"""Signing up, confirming, unsubscribing, changing topics, export and
erasure: every change to a subscriber goes through here."""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from newsletters import tasks
from newsletters.models import Subscriber, Subscription, normalise_email
from newsletters.topics import Topic
from newsroom import background

logger = logging.getLogger(__name__)


def subscribe(email: str, topics: list[Topic], *, may_mail: bool = True) -> None:
    """Ask ``email`` to confirm ``topics`` (double opt-in): pending rows,
    and one e-mail after the commit. Nothing is sent to the list until the
    reader follows the link. Whether the address was known changes nothing
    the caller can see; a reader already subscribed to every topic gets a
    note saying so instead (``may_mail`` False: no e-mail at all, the
    per-address limit)."""
    now = timezone.now()
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.get_or_create(
            email=normalise_email(email)
        )
        to_confirm = []
        for topic in topics:
            row, created = Subscription.objects.get_or_create(
                subscriber=subscriber,
                topic=topic.key,
                defaults={**topic.fields(), "created_at": now},
            )
            if row.status == Subscription.Status.ACTIVE:
                continue
            if row.status == Subscription.Status.UNSUBSCRIBED:
                Subscription.objects.filter(pk=row.pk).update(
                    status=Subscription.Status.PENDING
                )
            to_confirm.append(topic.key)
        if may_mail:
            background.enqueue_on_commit(
                tasks.send_confirmation, subscriber.pk, to_confirm
            )


def confirm(subscriber: Subscriber, topic_keys: list[str]) -> int:
    """The reader followed the link: the topics it named start; how many."""
    now = timezone.now()
    with transaction.atomic():
        started = Subscription.objects.filter(
            subscriber=subscriber,
            topic__in=topic_keys,
            status=Subscription.Status.PENDING,
        ).update(status=Subscription.Status.ACTIVE, confirmed_at=now)
        # Confirming again is the reader's word that the address takes mail.
        Subscriber.objects.filter(pk=subscriber.pk).update(
            confirmed_at=now, suppressed_at=None, suppressed_reason=""
        )
    return started


def unsubscribe(subscriber: Subscriber, list_name: str) -> int:
    """Stop one list ("digest", "breaking", "topics") or "all"; how many
    subscriptions stopped. Idempotent: a second click changes nothing."""
    rows = Subscription.objects.filter(subscriber=subscriber).exclude(
        status=Subscription.Status.UNSUBSCRIBED
    )
    if list_name != "all":
        rows = rows.in_list(list_name)
    return rows.update(
        status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )


def set_topics(subscriber: Subscriber, topics: list[Topic]) -> None:
    """The manage page: exactly these topics, active at once (the link came
    to the mailbox, so the reader has shown it is theirs)."""
    now = timezone.now()
    keys = [topic.key for topic in topics]
    with transaction.atomic():
        Subscription.objects.filter(subscriber=subscriber).exclude(
            topic__in=keys
        ).exclude(status=Subscription.Status.UNSUBSCRIBED).update(
            status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now
        )
        for topic in topics:
            row, created = Subscription.objects.get_or_create(
                subscriber=subscriber,
                topic=topic.key,
                defaults={
                    **topic.fields(),
                    "status": Subscription.Status.ACTIVE,
                    "confirmed_at": now,
                },
            )
            if not created and row.status != Subscription.Status.ACTIVE:
                Subscription.objects.filter(pk=row.pk).update(
                    status=Subscription.Status.ACTIVE,
                    confirmed_at=now,
                    unsubscribed_at=None,
                )
        Subscriber.objects.filter(pk=subscriber.pk, confirmed_at__isnull=True).update(
            confirmed_at=now
        )


def suppress(email: str, reason: str) -> int:
    """The provider says the address bounced, complained or unsubscribed:
    every list stops, and no more mail goes to it."""
    now = timezone.now()
    with transaction.atomic():
        subscribers = Subscriber.objects.for_email(email)
        count = subscribers.update(suppressed_at=now, suppressed_reason=reason[:100])
        Subscription.objects.filter(
            ~Q(status=Subscription.Status.UNSUBSCRIBED),
            subscriber__in=subscribers,
        ).update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=now)
    if count:
        logger.info("Newsletter address suppressed: %s", reason)
    return count


def _when(value):
    return value.isoformat() if value else None


def export(subscriber: Subscriber) -> dict:
    """Everything kept about one subscriber, for a data request."""
    return {
        "email": subscriber.email,
        "signed_up": _when(subscriber.created_at),
        "confirmed": _when(subscriber.confirmed_at),
        "suppressed": _when(subscriber.suppressed_at),
        "suppressed_reason": subscriber.suppressed_reason,
        "subscriptions": [
            {
                "topic": row.topic,
                "kind": row.kind,
                "name": str(row.target) if row.target else "",
                "status": row.status,
                "since": _when(row.created_at),
                "confirmed": _when(row.confirmed_at),
                "unsubscribed": _when(row.unsubscribed_at),
            }
            for row in subscriber.subscriptions.select_related(
                "section", "tag", "author"
            )
        ],
        "deliveries": [
            {
                "issue": delivery.issue.subject,
                "status": delivery.status,
                "sent": _when(delivery.sent_at),
            }
            for delivery in subscriber.deliveries.select_related("issue").order_by("pk")
        ],
    }


def erase(subscriber: Subscriber) -> None:
    """Delete the subscriber, their subscriptions and their delivery rows
    (the issues themselves stay, without them)."""
    subscriber.delete()
