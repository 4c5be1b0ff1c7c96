"""The queue alert: an e-mail to the moderators when comments pile up.

When the number of pending comments reaches ``COMMENTS_QUEUE_ALERT_THRESHOLD``
the people who may moderate (the ``comments.moderate_comment`` permission,
with an e-mail address) get one message through Django's e-mail backend. It
is sent once per crossing: a mark in the cache says it went out, and the queue
falling below the threshold clears it, so the next rise alerts again. With a
shared cache (Redis) one message goes out however many processes there are;
with a per-process cache each process may send its own.
"""

import logging
import smtplib

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse

from comments import conf, roles
from comments.models import Comment

SENT_KEY = "comments:queue-alert-sent"

logger = logging.getLogger(__name__)


def queue_changed(
    sender, signal=None, instance=None, created=False, comment=None, **kwargs
):
    """``post_save`` of a comment and ``comments_changed``: the queue may have
    grown (a held comment, reports) or shrunk (moderation). Checked after the
    commit, on what is stored; with no threshold set, nothing is queried."""
    if not conf.settings.COMMENTS_QUEUE_ALERT_THRESHOLD:
        return
    if signal is post_save:
        if created and instance.status != Comment.Status.PENDING:
            return  # a comment that went straight out leaves the queue as it was
    elif comment is not None:
        return  # one comment's change: its post_save was heard already
    transaction.on_commit(check_queue)


def check_queue() -> bool:
    """Alert if the queue has reached the threshold and no alert is out;
    re-arm once it is below. True if a message was sent."""
    threshold = conf.settings.COMMENTS_QUEUE_ALERT_THRESHOLD
    if not threshold:
        return False
    waiting = Comment.objects.pending().count()
    if waiting < threshold:
        cache.delete(SENT_KEY)
        return False
    if not cache.add(SENT_KEY, waiting, timeout=None):
        return False
    return send_alert(waiting)


def moderator_addresses() -> list[str]:
    users = get_user_model().objects.with_perm(
        roles.MODERATE_PERMISSION,
        include_superusers=False,
        backend="django.contrib.auth.backends.ModelBackend",
    )
    return sorted(
        set(
            users.filter(is_staff=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def send_alert(waiting: int) -> bool:
    recipients = moderator_addresses()
    if not recipients:
        return False
    name = django_settings.NEWSROOM_NAME
    path = reverse("admin:comments_comment_changelist") + "?status=pending"
    try:
        send_mail(
            subject=f"{name}: {waiting} comments are waiting for review",
            message=(
                f"{waiting} reader comments are waiting for a moderator.\n\n"
                f"The queue: {path} on the desk.\n"
            ),
            from_email=None,
            recipient_list=recipients,
        )
    except (OSError, smtplib.SMTPException):
        # A mail server down never fails a reader's comment or a moderation.
        logger.exception("The comment queue alert could not be sent.")
        return False
    return True
