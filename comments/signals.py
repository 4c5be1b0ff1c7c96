"""What ``comments`` tells the rest of the site. Sent here, never listened to.

``comments_changed``: what readers see of comments changed (a comment was
approved, or a visible one edited, rejected or deleted, or a bulk moderation
ran): the pages that show counts and threads, and Most Commented, are out of
date. ``comment`` is the comment, or None after a bulk change.
"""

from django.dispatch import Signal

comments_changed = Signal()
