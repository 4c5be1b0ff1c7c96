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
``created``, ``changed_fields``; ``bulk=True`` from a bulk action), after its
revision, redirect and renditions.

``story_deleted``: a story was deleted (``story``, and ``story_id``: the
instance has lost its primary key by the time a listener looks later).

``story_scheduled``: a story was marked published with a publication time
still to come (``story``, ``by``), by ``save_story()`` or a bulk action.

``story_restored``: ``restore_revision()`` put a revision back (``story``,
``revision``: the one restored, ``new_revision``, ``by``), after the commit.

From the bulk actions (``publish_stories()`` and the like), the per-story
``story_published``, ``story_unpublished`` and ``story_scheduled`` also carry
``bulk=True``, and then ``stories_changed_in_bulk`` names the whole batch once
(``changes``: (story, "published" | "unpublished" | "scheduled") pairs, ``by``),
for listeners that write one row per story and would rather write them at once.

``pending_changes_published``: an editor (or ``manage.py publish_due_changes``)
published a story's pending changes (``articles.staging``) through
``save_story()``: ``story``, ``by`` (None from the command), ``revision`` (the
new one, or None if nothing differed), ``scheduled`` (True when it was a
scheduled update falling due), after the commit.
"""

from django.dispatch import Signal

content_changed = Signal()
story_saved = Signal()
story_published = Signal()
story_unpublished = Signal()
story_deleted = Signal()
story_scheduled = Signal()
story_restored = Signal()
stories_changed_in_bulk = Signal()
pending_changes_published = Signal()
