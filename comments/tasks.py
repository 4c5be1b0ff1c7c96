"""Comments' background task: the moderators' queue alert (``comments.alerts``)."""

from django.tasks import task

from comments import alerts
from newsroom import background


@task
def check_comment_queue(attempt: int = 1) -> bool:
    """Mail the moderators if the queue has reached the threshold; True if a
    message went out. Idempotent: one message per crossing (a mark in the
    cache). A mail server down fails this attempt (recorded) and queues the
    next, which re-checks the queue before it sends."""
    try:
        return alerts.check_queue(resend=attempt > 1)
    except alerts.AlertNotSent:
        background.retry_later(check_comment_queue, attempt=attempt)
        raise
