"""What ``live`` tells the rest of the site. Sent here, never listened to.

``update_posted``: a live update was added (``update``, ``by``).
``update_changed``: an update was edited (``update``, ``by``) or deleted
(``update``, ``by`` None, ``deleted`` True).
``coverage_changed``: a story was marked live, its coverage edited or ended
(``coverage``, ``by``, ``created``).

The page cache hears of updates through ``articles.signals.content_changed``
(``live/signal_handlers.py``); these are for the audit log and the like.
"""

from django.dispatch import Signal

update_posted = Signal()
update_changed = Signal()
coverage_changed = Signal()
