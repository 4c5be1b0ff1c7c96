"""Subscribers and what they subscribe to, the issues editors send (or the
daily run does), and one delivery row per recipient and issue."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles.models import Article, Author, Section


def new_key() -> str:
    return secrets.token_hex(16)


class SubscriberQuerySet(models.QuerySet):
    def for_email(self, email: str):
        return self.filter(email=normalise_email(email))


def normalise_email(email: str) -> str:
    """One row per mailbox: addresses are kept trimmed and in lower case."""
    return email.strip().lower()


class Subscriber(models.Model):
    """A reader's e-mail address. ``key`` is in every link sent to them:
    deleting the subscriber (or rotating it) voids every old link."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    key = models.CharField(max_length=32, default=new_key, editable=False)
    created_at = models.DateTimeField(_("signed up"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # Set when the provider reports a bounce or a complaint: no more mail.
    suppressed_at = models.DateTimeField(_("suppressed"), null=True, blank=True)
    suppressed_reason = models.CharField(_("why"), max_length=100, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email


class SubscriptionQuerySet(models.QuerySet):
    def active(self):
        """Confirmed, not unsubscribed, and the address still takes mail."""
        return self.filter(
            status=Subscription.Status.ACTIVE, subscriber__suppressed_at__isnull=True
        )

    def in_list(self, name: str):
        """One mailing list, as ``List-Unsubscribe`` names it: "digest",
        "breaking" or "topics" (every section, tag and author)."""
        if name == "topics":
            return self.filter(kind__in=Subscription.TOPIC_KINDS)
        return self.filter(kind=name)


class Subscription(models.Model):
    class Kind(models.TextChoices):
        DIGEST = "digest", _("Daily digest")
        BREAKING = "breaking", _("Breaking-news alerts")
        SECTION = "section", _("Section")
        TAG = "tag", _("Topic")
        AUTHOR = "author", _("Journalist")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    TOPIC_KINDS = (Kind.SECTION, Kind.TAG, Kind.AUTHOR)

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # "digest", "breaking", "section:3", "tag:12", "author:4": one row per
    # subscriber and topic (the constraint), whatever the kind.
    topic = models.CharField(_("topic"), max_length=40)
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, null=True, blank=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["kind", "topic"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "topic"], name="newsletters_one_per_topic"
            )
        ]
        indexes = [models.Index(fields=["topic", "status"])]

    def __str__(self):
        return f"{self.subscriber}: {self.topic}"

    @property
    def list_name(self) -> str:
        return "topics" if self.kind in self.TOPIC_KINDS else self.kind

    @property
    def target(self):
        return self.section or self.tag or self.author


class Issue(models.Model):
    """One newsletter as sent: a digest, a breaking-news alert, or the day's
    stories for topic subscribers (each recipient sees their topics)."""

    class Kind(models.TextChoices):
        DIGEST = "digest", _("Digest")
        BREAKING = "breaking", _("Breaking-news alert")
        TOPICS = "topics", _("Topic round-up")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.DIGEST)
    subject = models.CharField(_("subject"), max_length=200)
    intro = models.TextField(
        _("introduction"),
        max_length=2000,
        blank=True,
        help_text=_("A few lines of plain text above the stories."),
    )
    stories = models.ManyToManyField(
        Article, through="IssueStory", related_name="+", verbose_name=_("stories")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT
    )
    # Made by the daily run; one of each kind per day (the constraint).
    automatic = models.BooleanField(default=False, editable=False)
    for_date = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-created_at"]
        permissions = [("send_issue", _("Can send newsletter issues"))]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "for_date"],
                condition=Q(automatic=True),
                name="newsletters_one_automatic_issue_a_day",
            )
        ]

    def __str__(self):
        return self.subject

    def ordered_stories(self):
        """The published stories, in the editor's order, ready for a card."""
        return (
            Article.objects.published()
            .filter(newsletter_places__issue=self)
            .select_related("section")
            .order_by("newsletter_places__position", "-published_at")
        )


class IssueStory(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="places")
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="newsletter_places"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "article"], name="newsletters_story_once_per_issue"
            )
        ]

    def __str__(self):
        return f"{self.issue}: {self.article}"


class Delivery(models.Model):
    """One issue to one subscriber. A worker claims a batch of pending rows
    with one conditional UPDATE, so no two workers (nor a retried task) send
    the same row; a claim older than the lease is taken again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Nothing to send this reader after all (suppressed meanwhile, or
        # their topics changed and none of the issue's stories is theirs).
        SKIPPED = "skipped", _("Skipped")

    issue = models.ForeignKey(
        Issue, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletters_one_copy_each"
            )
        ]
        indexes = [models.Index(fields=["status", "issue"])]

    def __str__(self):
        return f"{self.issue} to {self.subscriber}"


class IssueOpens(models.Model):
    """Opens counted per issue and day (the tracking pixel, when on): a
    number, never who opened."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="opens")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("opens")
        verbose_name_plural = _("opens")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "day"], name="newsletters_opens_day"
            )
        ]

    def __str__(self):
        return f"{self.issue} {self.day}: {self.count}"


class SignupCounter(models.Model):
    """The sign-up limiter's window in the database, where the cache is per
    process (``newsletters.ratelimit``)."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.key
