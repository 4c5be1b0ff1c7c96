"""Keep the names in SQLite's search index: tags and bylines added, changed or
removed, tags and authors renamed.

PostgreSQL's triggers do this in the database (``articles.search.postgres``);
SQLite's cannot (see ``articles.search.sqlite``), so the model signals do, in
the writer's transaction. Writes that send no signal (``bulk_create()`` and
``update()`` of bylines, tags or authors) leave SQLite's names as they were
until the story's next tag or byline change. Connected by ``connect()``, from
``ArticlesConfig.ready()``.
"""

from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_save

from articles.search import sqlite

THROUGH = "articles.TaggedArticle"


def connect() -> None:
    """Connect the handlers below (models named, not imported: this runs
    while the app registry is being readied)."""
    m2m_changed.connect(
        tags_changed, sender=THROUGH, dispatch_uid="articles_search_tags_changed"
    )
    for signal in (post_save, post_delete):
        kind = "saved" if signal is post_save else "deleted"
        signal.connect(
            tagging_changed,
            sender=THROUGH,
            dispatch_uid=f"articles_search_tagging_{kind}",
        )
        signal.connect(
            byline_changed,
            sender="articles.Byline",
            dispatch_uid=f"articles_search_byline_{kind}",
        )
    post_save.connect(
        tag_saved, sender="taggit.Tag", dispatch_uid="articles_search_tag_saved"
    )
    post_save.connect(
        author_saved,
        sender="articles.Author",
        dispatch_uid="articles_search_author_saved",
    )


def _sqlite(using):
    connection = connections[using]
    return connection if connection.vendor == "sqlite" else None


def _refresh_stories(using, story_ids) -> None:
    connection = _sqlite(using)
    ids = [int(pk) for pk in story_ids if pk is not None]
    if connection is None or not ids:
        return
    placeholders = ", ".join(["%s"] * len(ids))
    sqlite.refresh_names(connection, placeholders, ids)


def tags_changed(sender, instance, action, reverse, pk_set, using, **kwargs):
    """``story.tags.add()``, ``remove()``, ``set()``, ``clear()`` (taggit)."""
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:
        _refresh_stories(using, [instance.pk])
    elif pk_set:
        _refresh_stories(using, pk_set)


def tagging_changed(sender, instance, using, **kwargs):
    """A ``TaggedArticle`` row saved or deleted by itself (a tag's deletion
    deletes them one by one)."""
    _refresh_stories(using, [instance.content_object_id])


def byline_changed(sender, instance, using, **kwargs):
    _refresh_stories(using, [instance.article_id])


def tag_saved(sender, instance, created, using, **kwargs):
    """A tag renamed: every story that has it (unchanged ones are not written)."""
    connection = _sqlite(using)
    if connection is None or created:
        return
    sqlite.refresh_names(
        connection,
        "SELECT content_object_id FROM articles_taggedarticle WHERE tag_id = %s",
        [instance.pk],
    )


def author_saved(sender, instance, created, using, **kwargs):
    """An author renamed: every story they have a byline on."""
    connection = _sqlite(using)
    if connection is None or created:
        return
    sqlite.refresh_names(
        connection,
        "SELECT article_id FROM articles_byline WHERE author_id = %s",
        [instance.pk],
    )
