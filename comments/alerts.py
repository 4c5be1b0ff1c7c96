"""The queue alert: an e-mail to the moderators when comments pile up.

When the number of pending comments reaches ``COMMENTS_QUEUE_ALERT_THRESHOLD``
the people who may moderate (the ``comments.moderate_comment`` permission,
with an e-mail address) get one message through Django's e-mail backend. It
is sent once per crossing: a mark in the cache says it went out, and the queue
falling below the threshold clears it, so the next rise alerts again. With a
shared cache (Redis) one message goes out however many processes there are;
with a per-process cache each process may send its own. The check runs as a
task after the commit (``comments.tasks``), enqueued by
``signal_handlers.queue_changed``.
"""

import smtplib

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from comments import conf, roles
from comments.models import Comment

SENT_KEY = "comments:queue-alert-sent"


class AlertNotSent(Exception):
    """The mail server refused or did not answer: the task tries again later
    (``comments.tasks.check_comment_queue``)."""


def check_queue(*, resend: bool = False) -> bool:
    """Alert if the queue has reached the threshold and no alert is out;
    re-arm once it is below. True if a message was sent. ``resend``: a retry
    of this crossing's alert, whose mark is already set.

    Raises ``AlertNotSent`` when the mail could not go out; the mark stays,
    so the comments that follow do not each wait on a mail server that is down.
    """
    threshold = conf.settings.COMMENTS_QUEUE_ALERT_THRESHOLD
    if not threshold:
        return False
    waiting = Comment.objects.pending().count()
    if waiting < threshold:
        cache.delete(SENT_KEY)
        return False
    if not resend and not cache.add(SENT_KEY, waiting, timeout=None):
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
            subject=ngettext(
                "%(name)s: %(count)d comment is waiting for review",
                "%(name)s: %(count)d comments are waiting for review",
                waiting,
            )
            % {"name": name, "count": waiting},
            message=ngettext(
                "%(count)d reader comment is waiting for a moderator.",
                "%(count)d reader comments are waiting for a moderator.",
                waiting,
            )
            % {"count": waiting}
            + "\n\n"
            + gettext("The queue: %(path)s on the desk.") % {"path": path}
            + "\n",
            from_email=None,
            recipient_list=recipients,
        )
    except (OSError, smtplib.SMTPException) as error:
        # A task: a mail server down never fails a reader's comment or a
        # moderation; the task logs it and tries again later.
        raise AlertNotSent(
            f"The comment queue alert could not be sent: {error}"
        ) from error
    return True
