"""The newsletters' background tasks (``newsroom.background``): run at
once by the immediate backend, or queued for ``manage.py db_worker``."""

import logging

from django.core.mail import mailers
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _

from newsletters import conf, mail, sending, tokens, topics
from newsletters.models import Issue, Subscriber, Subscription
from newsroom import background

logger = logging.getLogger(__name__)


@task
def send_confirmation(
    subscriber_id: int, topic_keys: list[str], attempt: int = 1
) -> bool:
    """The double opt-in e-mail: a signed link confirming ``topic_keys``; or,
    when every topic asked for is already on, a note saying so (the page
    answered the same either way). False when the subscriber is gone."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    pending = Subscription.objects.filter(
        subscriber=subscriber,
        topic__in=topic_keys,
        status=Subscription.Status.PENDING,
    ).select_related("section", "tag", "author")
    labels = [topics.for_subscription(row).label for row in pending]
    if labels:
        token = tokens.make(tokens.CONFIRM, subscriber, t=[r.topic for r in pending])
        template = "confirm"
        subject = _("Please confirm your newsletter subscription")
        context = {
            "labels": labels,
            "confirm_url": mail.absolute(reverse("newsletters:confirm", args=[token])),
            "days": max(1, conf.settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
        }
    else:
        template = "already"
        subject = _("You are already subscribed")
        context = {}
    email = mail.message(
        template,
        context,
        to=subscriber.email,
        subject=subject,
        subscriber=subscriber,
        list_name="all",
        connection=mailers[conf.settings.NEWSLETTER_MAILER],
    )
    try:
        email.send()
    except OSError:
        background.retry_later(
            send_confirmation, subscriber_id, topic_keys, attempt=attempt
        )
        raise
    return True


@task
def send_issue_batch(issue_id: int, attempt: int = 1) -> int:
    """One batch of an issue's deliveries (``sending.send_batch``); tried
    again later when the mail server is away."""
    try:
        return sending.send_batch(issue_id)
    except sending.ServerUnavailable:
        background.retry_later(send_issue_batch, issue_id, attempt=attempt)
        raise


def send_issue(issue: Issue) -> int:
    """Send a draft issue to its subscribers, a task per batch after the
    commit; how many recipients (0: none, or already sent)."""
    with transaction.atomic():
        recipients = sending.start(issue)
        for _batch in range(sending.batches(recipients)):
            background.enqueue_on_commit(send_issue_batch, issue.pk)
    issue.refresh_from_db()
    return recipients


def send_daily() -> str:
    """The periodic run (``ops``): the daily digest and topic round-up when
    their time has come, then whatever is left to send."""
    said = [
        f"{issue.kind}: {send_issue(issue)} recipients"
        for issue in sending.daily_issues()
    ]
    leftover = sending.send_pending()
    if leftover:
        said.append(f"{leftover} left-over messages sent")
    return "; ".join(said) or "nothing due"
