"""What ``corrections`` tells the rest of the site. Sent here, never listened to.

``correction_added``: a note was attached to a story (``correction``, ``by``).
``correction_changed``: a note was edited (``correction``, ``by``) or deleted
(``correction``, ``by`` None, ``deleted`` True).

The page cache hears of notes through ``articles.signals.content_changed``
(``corrections/signal_handlers.py``); these are for the audit log and the like.
"""

from django.dispatch import Signal

correction_added = Signal()
correction_changed = Signal()
