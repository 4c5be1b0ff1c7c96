"""What ``comments`` tells the rest of the site. Sent here, never listened to.

``comments_changed``: what readers see of comments changed (a comment was
approved, or a visible one edited, rejected or deleted, or a bulk moderation
ran): the pages that show counts and threads, and Most Commented, are out of
date. ``comment`` is the comment, or None after a bulk change.

``comment_moderated``: a moderator set comments to a status, one from the
queue (``moderation.moderate()``) or many at once (``set_status()``), after
the commit: ``comment_ids`` (those that changed), ``status``, ``by`` (the
user when the caller passes one, else None).
"""

from django.dispatch import Signal

comments_changed = Signal()
comment_moderated = Signal()
