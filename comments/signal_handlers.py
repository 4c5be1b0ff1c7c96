"""Counts and threads shown to readers must follow moderation at once."""

from django.db.models.signals import post_delete

from comments import signals
from comments.models import Comment, purge_most_commented


def purge_comment_caches(sender, instance=None, created=False, signal=None, **kwargs):
    # Pages and Most Commented show approved comments only: a new comment held
    # for review, or the removal of one nobody saw, changes neither. Any other
    # save may (an approval, a rejection, an edit), so both are retired.
    approved = instance is not None and instance.status == Comment.Status.APPROVED
    if (created or signal is post_delete) and not approved:
        return
    purge_most_commented()
    signals.comments_changed.send(sender=Comment, comment=instance)
