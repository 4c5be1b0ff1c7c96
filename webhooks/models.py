"""Webhook subscriptions, their deliveries and each delivery's attempts.

A delivery is one event for one subscription, with its body fixed when the
event happened (a retry sends the same bytes, the same ``webhook-id``). It is
sent by whoever claims it (``Delivery.objects.claim()``: one conditional
UPDATE, so two workers or a worker and the periodic sweep never both send
it), and every attempt leaves a ``DeliveryAttempt`` row with the answer's
status code.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from webhooks import signing
from webhooks.events import Event


def _new_secret() -> str:
    return signing.new_secret()


class Subscription(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Who receives it, for the desk.")
    )
    url = models.URLField(
        _("address"),
        max_length=2000,
        help_text=_("The receiver's HTTPS address. Redirects are not followed."),
    )
    events = models.JSONField(
        _("events"), default=list, help_text=_("What is sent to this address.")
    )
    secret = models.CharField(
        _("signing secret"), max_length=100, default=_new_secret, editable=False
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Switched off automatically after repeated failures; switch it on "
            "again once the receiver is fixed."
        ),
    )
    consecutive_failures = models.PositiveIntegerField(
        _("failures in a row"), default=0, editable=False
    )
    disabled_at = models.DateTimeField(
        _("switched off at"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self):
        return self.name

    def wants(self, event: str) -> bool:
        return event in self.events

    def event_labels(self) -> list[str]:
        return [str(Event(name).label) for name in self.events if name in Event]


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Waiting to be sent, its time come, and held by nobody."""
        now = now or timezone.now()
        return self.filter(
            status__in=(Delivery.Status.PENDING, Delivery.Status.RETRYING),
            next_attempt_at__lte=now,
        ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))

    def claim(self, pk: int, *, seconds: float, now=None) -> str:
        """Take delivery ``pk`` if it is due: a token to record the attempt
        with, or "" (sent already, not due, or held by another worker). One
        UPDATE whose WHERE clause is the check, so of two claimants exactly
        one matches (PostgreSQL re-reads the row it waited for; SQLite
        writers queue)."""
        now = now or timezone.now()
        token = uuid.uuid4().hex
        taken = (
            self.due(now)
            .filter(pk=pk)
            .update(
                claim_token=token,
                claimed_until=now + datetime.timedelta(seconds=seconds),
            )
        )
        return token if taken else ""


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RETRYING = "retrying", _("Failed, will retry")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Given up")
        CANCELLED = "cancelled", _("Not sent (subscription off)")

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.CharField(_("event"), max_length=40)
    # The Standard Webhooks message id: the same on every retry, so a
    # receiver can tell a repeat.
    message_id = models.CharField(_("message id"), max_length=40, unique=True)
    body = models.TextField(_("body"))
    is_test = models.BooleanField(_("test"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=32, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(
        _("last answer"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(
                fields=["subscription", "-created_at"], name="delivery_by_sub"
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription}"

    @property
    def event_label(self) -> str:
        return str(Event(self.event).label) if self.event in Event else self.event


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(
        Delivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response_excerpt = models.TextField(_("answer's beginning"), blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self):
        return f"#{self.number}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class ScheduledStoryQuerySet(models.QuerySet):
    def fallen_due(self, now=None):
        return self.filter(due_at__lte=now or timezone.now())


class ScheduledStory(models.Model):
    """A story marked published with a time still to come. Nothing is saved
    when that time comes, so no signal says it went live: the periodic sweep
    announces it (``webhooks.events.announce_due_stories()``)."""

    story = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    due_at = models.DateTimeField()

    objects = ScheduledStoryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="scheduled_story_due")]

    def __str__(self):
        return f"{self.story_id} at {self.due_at}"


def record_failure(subscription_id: int, *, limit: int, now=None) -> bool:
    """Count one failed attempt; switch the subscription off at ``limit``
    failures in a row. True if this call switched it off."""
    Subscription.objects.filter(pk=subscription_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    if not limit:
        return False
    switched_off = Subscription.objects.filter(
        pk=subscription_id, is_active=True, consecutive_failures__gte=limit
    ).update(is_active=False, disabled_at=now or timezone.now())
    if switched_off:
        # The one worker whose UPDATE switched it off saves it once more, as
        # stored, so that those who listen (the audit log) hear it.
        subscription = Subscription.objects.get(pk=subscription_id)
        subscription.save(update_fields=["is_active", "disabled_at"])
    return bool(switched_off)


def record_success(subscription_id: int) -> None:
    Subscription.objects.filter(pk=subscription_id, consecutive_failures__gt=0).update(
        consecutive_failures=0
    )
