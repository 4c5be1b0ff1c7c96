"""Counts and threads shown to readers must follow moderation at once."""

from django.db.models.signals import post_delete, post_save

from comments import conf, signals, tasks
from comments.models import Comment, purge_most_commented
from newsroom import background


def purge_comment_caches(sender, instance=None, created=False, signal=None, **kwargs):
    # Pages and Most Commented show approved comments only: a new comment held
    # for review, or the removal of one nobody saw, changes neither. Any other
    # save may (an approval, a rejection, an edit), so both are retired.
    approved = instance is not None and instance.status == Comment.Status.APPROVED
    if (created or signal is post_delete) and not approved:
        return
    purge_most_commented()
    signals.comments_changed.send(sender=Comment, comment=instance)


def queue_changed(
    sender, signal=None, instance=None, created=False, comment=None, **kwargs
):
    """``post_save`` of a comment and ``comments_changed``: the queue may have
    grown (a held comment, reports) or shrunk (moderation). Checked after the
    commit, on what is stored, by a task (``comments.alerts``); with no
    threshold set, nothing is queried or enqueued."""
    if not conf.settings.COMMENTS_QUEUE_ALERT_THRESHOLD:
        return
    if signal is post_save:
        if created and instance.status != Comment.Status.PENDING:
            return  # a comment that went straight out leaves the queue as it was
    elif comment is not None:
        return  # one comment's change: its post_save was heard already
    background.enqueue_on_commit(tasks.check_comment_queue)
