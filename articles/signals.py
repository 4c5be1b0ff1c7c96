"""What ``articles`` tells the rest of the site. Sent here, never listened to.

Feature apps (the page cache, and later webhooks, search indexes, the API)
connect to these in their ``AppConfig.ready()``; ``articles`` does not know
them.

``content_changed``: something readers may see changed: a story, its bylines
or tags, a section, an author or a tag; also bulk changes, which send no model
signal (``instance`` is then None and ``stories`` the ids, when known).

``story_published``, ``story_unpublished``: a story went live or was taken
down (``story``, ``by``: the user, or None).

``story_saved``: ``save_story()`` saved a story (``story``, ``by``,
``created``, ``changed_fields``), after its revision, redirect and renditions.

``story_deleted``: a story was deleted (``story``, and ``story_id``: the
instance has lost its primary key by the time a listener looks later).
"""

from django.dispatch import Signal

content_changed = Signal()
story_saved = Signal()
story_published = Signal()
story_unpublished = Signal()
story_deleted = Signal()
