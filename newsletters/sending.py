"""Sending an issue: who gets it, one delivery row each, batches claimed
atomically and sent through Django's mailers, throttled per worker.

``start()`` turns a draft into deliveries and enqueues one task per batch
(``tasks.send_issue_batch``). A task claims up to ``NEWSLETTER_BATCH_SIZE``
pending rows with one conditional UPDATE (``claim()``): two workers, or a
retried task, never get the same row. A row is marked sent as soon as its
message is handed to the mail server; a claim whose worker died is taken
again after ``NEWSLETTER_CLAIM_LEASE``, and the periodic run sends whatever
is left (``send_pending()``).
"""

import datetime
import logging
import smtplib
import time
import uuid
from collections import defaultdict

from django.core.mail import mailers
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from articles.models import Article, Byline, TaggedArticle
from newsletters import conf, mail, topics
from newsletters.models import Delivery, Issue, IssueStory, Subscriber, Subscription

logger = logging.getLogger(__name__)

LIST_OF_KIND = {
    Issue.Kind.DIGEST: "digest",
    Issue.Kind.BREAKING: "breaking",
    Issue.Kind.TOPICS: "topics",
}


class ServerUnavailable(Exception):
    """The mail server could not be reached: the batch goes back to wait."""


def _topic_q(stories) -> Q:
    """Topic subscriptions matching any of ``stories`` (ids)."""
    sections = Article.objects.filter(pk__in=stories).values("section_id")
    tags = TaggedArticle.objects.filter(content_object__in=stories).values("tag_id")
    authors = Byline.objects.filter(article__in=stories).values("author_id")
    return (
        Q(kind=Subscription.Kind.SECTION, section_id__in=sections)
        | Q(kind=Subscription.Kind.TAG, tag_id__in=tags)
        | Q(kind=Subscription.Kind.AUTHOR, author_id__in=authors)
    )


def audience(issue: Issue):
    """The subscribers ``issue`` goes to, as a queryset of ids."""
    rows = Subscription.objects.active()
    if issue.kind == Issue.Kind.TOPICS:
        stories = list(issue.ordered_stories().values_list("pk", flat=True))
        rows = rows.filter(_topic_q(stories))
    else:
        rows = rows.filter(kind=LIST_OF_KIND[issue.kind])
    return rows.values_list("subscriber_id", flat=True).distinct()


def batches(recipients: int) -> int:
    size = max(1, conf.settings.NEWSLETTER_BATCH_SIZE)
    return (recipients + size - 1) // size


def start(issue: Issue) -> int:
    """A draft becomes ``sending`` (once: a second click finds it taken),
    with one delivery row per recipient; how many (``tasks.send_issue``
    enqueues their batches). Call inside a transaction."""
    with transaction.atomic():
        taken = Issue.objects.filter(pk=issue.pk, status=Issue.Status.DRAFT).update(
            status=Issue.Status.SENDING, started_at=timezone.now()
        )
        if not taken:
            return 0
        ids = list(audience(issue))
        Delivery.objects.bulk_create(
            [Delivery(issue=issue, subscriber_id=pk) for pk in ids],
            ignore_conflicts=True,
            batch_size=1000,
        )
        if not ids:
            Issue.objects.filter(pk=issue.pk).update(
                status=Issue.Status.SENT, sent_at=timezone.now()
            )
    return len(ids)


def claim(issue_id: int, *, now=None) -> tuple[str, list[Delivery]]:
    """Take up to a batch of this issue's waiting rows (and stale claims)."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=conf.settings.NEWSLETTER_CLAIM_LEASE)
    claimable = Q(status=Delivery.Status.PENDING) | Q(
        status=Delivery.Status.SENDING, claimed_at__lt=now - lease
    )
    size = max(1, conf.settings.NEWSLETTER_BATCH_SIZE)
    ids = list(
        Delivery.objects.filter(claimable, issue_id=issue_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    if not ids:
        return "", []
    token = uuid.uuid4().hex
    # The condition is evaluated again under each row's lock: a row another
    # worker claimed meanwhile is no longer claimable and stays theirs.
    Delivery.objects.filter(claimable, pk__in=ids).update(
        status=Delivery.Status.SENDING,
        claim=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
    )
    rows = list(
        Delivery.objects.filter(claim=token, status=Delivery.Status.SENDING)
        .select_related("subscriber")
        .order_by("pk")
    )
    return token, rows


class Edition:
    """What one batch needs to write each recipient's copy, read once."""

    def __init__(self, issue: Issue, subscriber_ids):
        self.issue = issue
        self.stories = list(issue.ordered_stories())
        self.entries = {story.pk: mail.story_entry(story) for story in self.stories}
        self.pixel_url = mail.pixel_url(issue)
        self.topics_of = defaultdict(list)
        if issue.kind == Issue.Kind.TOPICS:
            self._read_topics(subscriber_ids)

    def _read_topics(self, subscriber_ids) -> None:
        ids = [story.pk for story in self.stories]
        self.story_sections = {story.pk: story.section_id for story in self.stories}
        self.story_tags = defaultdict(set)
        for story_id, tag_id in TaggedArticle.objects.filter(
            content_object__in=ids
        ).values_list("content_object_id", "tag_id"):
            self.story_tags[story_id].add(tag_id)
        self.story_authors = defaultdict(set)
        for story_id, author_id in Byline.objects.filter(article__in=ids).values_list(
            "article_id", "author_id"
        ):
            self.story_authors[story_id].add(author_id)
        for row in (
            Subscription.objects.active()
            .filter(subscriber_id__in=subscriber_ids, kind__in=Subscription.TOPIC_KINDS)
            .select_related("section", "tag", "author")
        ):
            self.topics_of[row.subscriber_id].append(row)

    def _matches(self, row: Subscription, story: Article) -> bool:
        if row.kind == Subscription.Kind.SECTION:
            return self.story_sections[story.pk] == row.section_id
        if row.kind == Subscription.Kind.TAG:
            return row.tag_id in self.story_tags[story.pk]
        return row.author_id in self.story_authors[story.pk]

    def has_something_for(self, subscriber: Subscriber) -> bool:
        if self.issue.kind != Issue.Kind.TOPICS:
            return True
        return any(
            self._matches(row, story)
            for row in self.topics_of.get(subscriber.pk, [])
            for story in self.stories
        )

    def context(self, subscriber: Subscriber | None) -> dict:
        context = {
            "issue": self.issue,
            "intro": self.issue.intro,
            "pixel_url": self.pixel_url,
        }
        if self.issue.kind != Issue.Kind.TOPICS:
            context["stories"] = [self.entries[story.pk] for story in self.stories]
            return context
        groups = []
        rows = self.topics_of.get(subscriber.pk, []) if subscriber else []
        for row in rows:
            matched = [
                self.entries[story.pk]
                for story in self.stories
                if self._matches(row, story)
            ]
            if matched:
                groups.append(
                    {"label": topics.for_subscription(row).label, "stories": matched}
                )
        if subscriber is None:  # a test or a preview: every story, one group
            groups = [
                {
                    "label": _("Your topics"),
                    "stories": [self.entries[s.pk] for s in self.stories],
                }
            ]
        context["groups"] = groups
        return context

    def message(self, subscriber: Subscriber | None, to: str, connection=None):
        return mail.message(
            "issue",
            self.context(subscriber),
            to=to,
            subject=self.issue.subject,
            subscriber=subscriber,
            list_name=LIST_OF_KIND[self.issue.kind],
            connection=connection,
        )


def _recipient_refused(error: Exception) -> bool:
    """A refusal of this one address (not of the server as a whole)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    return type(error).__name__ == "AnymailRecipientsRefused"


def send_batch(issue_id: int) -> int:
    """Claim one batch of ``issue_id`` and send it; how many were sent.

    Raises ``ServerUnavailable`` (after putting the unsent rows back) when
    the mail server cannot be reached, for the task to try again later.
    """
    token, rows = claim(issue_id)
    issue = Issue.objects.filter(pk=issue_id).first()
    if not rows or issue is None:
        if issue is not None:
            finish_if_done(issue)
        return 0
    edition = Edition(issue, [row.subscriber_id for row in rows])
    rate = conf.settings.NEWSLETTER_MESSAGES_PER_MINUTE
    pause = 60.0 / rate if rate > 0 else 0.0
    connection = mailers[conf.settings.NEWSLETTER_MAILER]
    sent = 0
    try:
        connection.open()
        for index, row in enumerate(rows):
            if index and pause:
                time.sleep(pause)  # the throttle: this worker's pace
            subscriber = row.subscriber
            if subscriber.suppressed_at is not None:
                _mark(row, token, Delivery.Status.SKIPPED, "suppressed")
                continue
            if not edition.has_something_for(subscriber):
                _mark(row, token, Delivery.Status.SKIPPED, "no stories for them")
                continue
            email = edition.message(subscriber, subscriber.email, connection)
            try:
                email.send()
            except Exception as error:
                if not _recipient_refused(error):
                    raise ServerUnavailable(str(error)) from error
                _mark(row, token, Delivery.Status.FAILED, repr(error))
                continue
            _mark(row, token, Delivery.Status.SENT)
            sent += 1
    except (OSError, smtplib.SMTPException, ServerUnavailable) as error:
        # Whatever this batch has not sent waits again, for the retry.
        Delivery.objects.filter(claim=token, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, claim="", error=str(error)[:300]
        )
        raise ServerUnavailable(str(error)) from error
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            logger.debug("Closing the mail connection failed", exc_info=True)
    finish_if_done(issue)
    return sent


def _mark(row: Delivery, token: str, status: str, error: str = "") -> None:
    Delivery.objects.filter(pk=row.pk, claim=token).update(
        status=status,
        sent_at=timezone.now() if status == Delivery.Status.SENT else None,
        error=error[:300],
    )


def finish_if_done(issue: Issue) -> None:
    """``sent`` once no row waits or is being sent."""
    busy = Delivery.objects.filter(
        issue=issue, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    )
    if not busy.exists():
        Issue.objects.filter(pk=issue.pk, status=Issue.Status.SENDING).update(
            status=Issue.Status.SENT, sent_at=timezone.now()
        )


def send_test(issue: Issue, to: str) -> None:
    """A copy of ``issue`` to ``to`` (the editor), recorded nowhere."""
    edition = Edition(issue, [])
    edition.message(None, to).send()


def preview(issue: Issue) -> tuple[str, str]:
    """The plain text and HTML of ``issue`` as a test copy."""
    edition = Edition(issue, [])
    email = edition.message(None, "preview@example.invalid")
    return email.body, email.alternatives[0].content


def send_pending(now=None) -> int:
    """The periodic run: an issue still sending a lease after it started
    gets one more batch (rows a dead worker left, or a retry the queue
    lost); how many were sent."""
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=conf.settings.NEWSLETTER_CLAIM_LEASE)
    sent = 0
    stalled = Issue.objects.filter(
        status=Issue.Status.SENDING, started_at__lt=now - lease
    )
    for issue_id in stalled.values_list("pk", flat=True):
        sent += send_batch(issue_id)
    return sent


def day_start(now=None) -> datetime.datetime:
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def due_time(now=None) -> datetime.datetime | None:
    """Today's send time (``NEWSLETTER_DAILY_DIGEST_AT``), None when off."""
    at = conf.settings.NEWSLETTER_DAILY_DIGEST_AT
    if not at:
        return None
    hours, _sep, minutes = str(at).partition(":")
    return day_start(now).replace(hour=int(hours), minute=int(minutes or 0))


def make_issue(kind: str, stories, *, subject: str, automatic=False, day=None, by=None):
    issue = Issue.objects.create(
        kind=kind,
        subject=subject,
        automatic=automatic,
        for_date=day,
        created_by=by,
    )
    IssueStory.objects.bulk_create(
        [
            IssueStory(issue=issue, article=story, position=position)
            for position, story in enumerate(stories)
        ]
    )
    return issue


def daily_issues(now=None) -> list[Issue]:
    """At the set time, once a day: the digest of the day's top stories,
    and the topic round-up of the day's new stories, as drafts for
    ``tasks.send_issue``. The constraint allows one automatic issue of each
    kind a day, so two machines at once make one."""
    now = now or timezone.now()
    due = due_time(now)
    if due is None or now < due:
        return []
    day = timezone.localdate(now)
    todays = Article.objects.published(now).filter(
        published_at__gte=now - datetime.timedelta(days=1)
    )
    choices = {
        Issue.Kind.DIGEST: todays.order_by("-is_top_story", "-published_at")[
            : conf.settings.NEWSLETTER_DIGEST_STORIES
        ],
        Issue.Kind.TOPICS: todays.order_by("-published_at")[:200],
    }
    made = []
    subject = _("%(date)s: the day's news") % {"date": date_format(day)}
    for kind, stories in choices.items():
        if Issue.objects.filter(kind=kind, automatic=True, for_date=day).exists():
            continue
        stories = list(stories)
        try:
            with transaction.atomic():
                issue = make_issue(
                    kind, stories, subject=subject, automatic=True, day=day
                )
        except IntegrityError:  # another machine made it a moment ago
            continue
        if stories:
            made.append(issue)
        else:
            Issue.objects.filter(pk=issue.pk).update(
                status=Issue.Status.SENT, sent_at=now
            )
    return made
