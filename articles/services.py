"""What saving a story sets off, in one place: every writer calls these.

``save_story()`` is the one way to save a story: the admin's change form and
its revision restore, the demo loader, the shell, and later imports, the
editors' desk and the API. It records the revision, the redirect from an old
address, makes the picture's renditions, forgets a replaced picture and tells
the rest of the site (``articles.signals``). The admin's bulk actions use
``publish_stories()``, ``schedule_stories()`` and ``unpublish_stories()``: the
same work for a batch, in the same number of queries for 2 stories as for 200.

Every one of them bumps the story's ``version``. A writer that knows which
version it started from (the admin's change form) passes it to
``save_story(expected_version=...)``: the UPDATE that bumps the version
checks it too, so a story saved by someone else in between is refused with
``StoryChanged`` instead of being silently overwritten.
"""

import errno
import uuid
from collections.abc import Callable

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext

from articles import bodyimages, images, redirects, revisions, signals, tasks
from articles.models import Article, ArticleRevision


class StoryChanged(Exception):
    """The story was saved by someone else since ``expected_version``.

    Nothing was stored (the save's transaction rolled back). ``current`` is
    the story as stored now (None: it was deleted meanwhile), ``version`` its
    version number, ``revision`` its latest revision (``created_by`` fetched
    with it; None if it has none): who saved in between, and when.
    """

    def __init__(self, *, expected_version: int, current: Article | None, revision):
        self.expected_version = expected_version
        self.current = current
        self.revision = revision
        if current is None:
            message = gettext("This story was deleted since it was opened.")
        else:
            message = gettext(
                "This story was saved by someone else since it was opened "
                "(version %(expected)s, now %(current)s)."
            ) % {"expected": expected_version, "current": current.version}
        super().__init__(message)

    @property
    def version(self) -> int | None:
        return None if self.current is None else self.current.version


class MediaUnavailable(Exception):
    """The media storage refused the story's picture: full, read-only, or not
    ours to write. Nothing was saved (the transaction rolled back, and the
    storage leaves no partial file); ``str()`` is the message for the editor."""


def media_message(error: OSError) -> str:
    if error.errno in {errno.ENOSPC, errno.EDQUOT}:
        reason = gettext("the media storage is full")
    elif error.errno in {errno.EROFS, errno.EACCES, errno.EPERM}:
        reason = gettext("the media storage does not accept new files")
    else:
        reason = gettext("the media storage failed")
    return gettext(
        "The picture could not be stored: %(reason)s. Nothing was saved; "
        "try again, or tell the site's administrators if it keeps happening."
    ) % {"reason": reason}


def save_story(
    story: Article,
    *,
    by=None,
    related: Callable[[], object] | None = None,
    summary: str = "",
    renditions: bool = True,
    expected_version: int | None = None,
) -> Article:
    """Save ``story`` and everything a save sets off, all or nothing.

    In one transaction: the row; ``related()``, for what hangs off the row and
    belongs in the revision (the admin saves its bylines inline and tags
    there); the revision (credited to ``by``, with ``summary`` if given); and
    the redirect from the old address of a live story whose address changed.
    After the commit: the renditions of a lead image this save stored
    (``renditions=False`` leaves them to ``manage.py make_renditions``), the
    files of a replaced picture no story uses any more, then ``story_saved``
    and, if the story went live or stopped being live, ``story_published`` or
    ``story_unpublished``.

    Raises ``MediaUnavailable`` when storing a new picture fails (a full or
    read-only media folder): the database is then left as it was.

    The story's ``version`` goes up by one. With ``expected_version`` (the
    version the editor's form was opened at), a story stored at any other
    version is not written: ``StoryChanged``, nothing stored. The check is
    the UPDATE's own WHERE clause, so two saves racing from the same version
    have one winner; ``None`` (the shell, the demo, imports) saves whatever
    is stored.

    A service function rather than an ``Article.save()`` override: side
    effects in ``save()`` would surprise everything else that writes rows
    (fixtures, data migrations, bulk edits, tests that want a bare row), and
    ``save()`` runs before the bylines and tags, which the revision records,
    are saved.
    """
    _save(
        story,
        by=by,
        related=related,
        summary=summary,
        renditions=renditions,
        expected_version=expected_version,
    )
    return story


def restore_revision(
    story: Article, revision: ArticleRevision, *, by=None
) -> ArticleRevision:
    """Bring back a revision's text, section, bylines and tags, through
    ``save_story()``; returns the new revision.

    The story is read afresh and locked: unsaved changes on ``story`` are not
    carried along. Publication state and slug stay as they are
    (``revisions.RESTORED_FIELDS``). A revision is kept even when nothing
    changed, to note who restored which version.
    """
    if revision.article_id != story.pk:
        raise ValueError("This revision belongs to another story.")
    when = formats.date_format(
        timezone.localtime(revision.created_at), "DATETIME_FORMAT"
    )
    summary = gettext("Restored the version of %(when)s.") % {"when": when}
    with transaction.atomic():
        story.refresh_from_db(from_queryset=Article.objects.select_for_update())
        revisions.restore_fields(story, revision.data)
        new = _save(
            story,
            by=by,
            related=lambda: revisions.restore_bylines_and_tags(story, revision.data),
            summary=summary,
            renditions=True,
        )
        if new is None:
            new = revisions.record_unchanged(
                story,
                by,
                gettext("Restored the version of %(when)s (no changes).")
                % {"when": when},
            )
        transaction.on_commit(
            lambda: signals.story_restored.send(
                sender=Article, story=story, revision=revision, new_revision=new, by=by
            )
        )
    return new


def publish_stories(queryset: QuerySet, *, by=None, now=None) -> int:
    """Publish a batch in one UPDATE; returns how many stories were written.

    Stories that have a publication time keep it (one still to come makes
    them scheduled); the others are dated now. Stories missing alt text are
    left as they are.
    """
    now = now or timezone.now()
    return _change_many(
        queryset.ready_to_publish(),
        by=by,
        now=now,
        status=Article.Status.PUBLISHED,
        published_at=Coalesce(F("published_at"), Value(now)),
    )


def schedule_stories(queryset: QuerySet, *, by=None, now=None) -> int:
    """Mark published the stories whose publication time is still to come."""
    now = now or timezone.now()
    return _change_many(
        queryset.ready_to_publish().filter(published_at__gt=now),
        by=by,
        now=now,
        status=Article.Status.PUBLISHED,
    )


def unpublish_stories(queryset: QuerySet, *, by=None, now=None) -> int:
    """Send a batch back to draft; their publication times are kept."""
    return _change_many(
        queryset, by=by, now=now or timezone.now(), status=Article.Status.DRAFT
    )


@transaction.atomic
def _save(
    story, *, by, related, summary, renditions, expected_version=None
) -> ArticleRevision | None:
    """``save_story()``, returning the new revision (None: nothing changed)."""
    _claim_version(story, expected_version)
    stored = _stored(story)
    if stored is not None:
        # The row's own save below writes the bumped number back.
        story.version = stored.version
    old_url = redirects.public_url(stored)
    was_live = stored is not None and stored.is_published
    was_scheduled = stored is not None and stored.is_scheduled
    try:
        # A new picture is written here, by the field's pre_save().
        story.save()
    except OSError as error:
        raise MediaUnavailable(media_message(error)) from error
    if related is not None:
        related()
    # The pictures placed in the body (uploaded from the editor) become the
    # story's: what a sweep of unused body pictures asks.
    bodyimages.link_to_story(story)
    revision, changed = revisions.record_changes(story, by, summary)
    redirects.record_url_change(story, old_url)

    picture = story.lead_image
    # Only for a picture this save stored: an unchanged one has its
    # renditions, and asking the storage again costs requests on each save.
    new_picture = stored is None or stored.lead_image.name != picture.name
    if renditions and picture and new_picture:
        # A task after the commit (articles.tasks); make_renditions backfills.
        tasks.renditions_after_commit(story)
    if stored is not None and stored.lead_image.name != picture.name:
        images.forget_unused(
            picture.field, stored.lead_image.name, stored.lead_image_width
        )
    _announce(
        story,
        by=by,
        created=stored is None,
        changed_fields=changed,
        was_live=was_live,
        is_live=story.is_published,
        was_scheduled=was_scheduled,
    )
    return revision


def _claim_version(story: Article, expected_version: int | None) -> None:
    """Bump the stored story's version, if it is still ``expected_version``.

    One UPDATE whose WHERE clause is the check: it locks the row until the
    save commits, so a concurrent save waits here, then finds the version
    moved on (PostgreSQL re-reads the row it waited for; SQLite's writers
    queue at BEGIN IMMEDIATE) and raises ``StoryChanged``. No read-then-write.
    """
    if story.pk is None:
        return
    rows = Article.objects.filter(pk=story.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    # QuerySet.update() itself, not ArticleQuerySet's: that one announces a
    # bulk change (every page retired); this save announces exactly its own.
    if QuerySet.update(rows, version=F("version") + 1):
        return
    if expected_version is None:
        # No row: a story deleted under a shell's feet. The save goes on as
        # it always has (Django inserts the row again).
        return
    current = Article.objects.select_related("section").filter(pk=story.pk).first()
    revision = None
    if current is not None:
        revision = (
            ArticleRevision.objects.filter(article=current)
            .select_related("created_by")
            .defer("data")
            .order_by("-created_at", "-pk")
            .first()
        )
    raise StoryChanged(
        expected_version=expected_version, current=current, revision=revision
    )


def _stored(story: Article) -> Article | None:
    """The story as the database has it before this save (None: a new one).

    One query, for what a save compares: the address and state (redirect,
    signals) and the picture (clean-up); and the version just claimed.
    Read after ``_claim_version()``, under its row lock.
    """
    if story.pk is None:
        return None
    return (
        Article.objects.filter(pk=story.pk)
        .only(
            "slug",
            "status",
            "published_at",
            "created_at",
            "lead_image",
            "lead_image_width",
            "version",
        )
        .first()
    )


def _change_many(queryset: QuerySet, *, by, now, **values) -> int:
    """One UPDATE, the revisions in one batch, then the signals per story."""
    with transaction.atomic():
        # Each story's state before, to tell what changed and what went live.
        before = {
            pk: Article(status=status, published_at=published_at)
            for pk, status, published_at in queryset.values_list(
                "pk", "status", "published_at"
            )
        }
        pks = list(before)
        count = Article.objects.filter(pk__in=pks).update(
            updated_at=now, version=F("version") + 1, **values
        )
        revisions.record_many(pks, by)
        changes = []
        for story in Article.objects.filter(pk__in=pks):
            old = before[story.pk]
            events = _announce(
                story,
                by=by,
                created=False,
                changed_fields=[
                    field
                    for field in ("status", "published_at")
                    if getattr(old, field) != getattr(story, field)
                ],
                was_live=old.is_published,
                is_live=story.is_published,
                was_scheduled=old.is_scheduled,
                bulk=True,
            )
            changes += [(story, event) for event in events]
        transaction.on_commit(
            lambda: signals.stories_changed_in_bulk.send(
                sender=Article, changes=changes, by=by
            )
        )
    return count


def _announce(
    story,
    *,
    by,
    created,
    changed_fields,
    was_live,
    is_live,
    was_scheduled=False,
    bulk=False,
) -> list[str]:
    """Once the save is committed, tell whoever listens (``articles.signals``).

    Listeners (a search index, webhooks) then read what readers will see,
    and nothing is sent for a save that was rolled back. Returns the story's
    events ("published", "unpublished", "scheduled") for the bulk signal.
    """
    events = []
    if is_live and not was_live:
        events.append("published")
    elif was_live and not is_live:
        events.append("unpublished")
    if story.is_scheduled and not was_scheduled:
        events.append("scheduled")
    sent = {
        "published": signals.story_published,
        "unpublished": signals.story_unpublished,
        "scheduled": signals.story_scheduled,
    }
    # Only the bulk actions say so: a single save's signals stay as they were.
    extra = {"bulk": True} if bulk else {}

    def send():
        signals.story_saved.send(
            sender=Article,
            story=story,
            by=by,
            created=created,
            changed_fields=changed_fields,
            **extra,
        )
        for event in events:
            sent[event].send(sender=Article, story=story, by=by, **extra)

    transaction.on_commit(send)
    return events


def link_translation(story: Article, original: Article | None, *, by=None) -> None:
    """Make ``story`` a translation of ``original`` (None: of nothing), before
    ``save_story(story)`` stores it.

    Translations share a key (``Article.translation_key``): ``story`` takes
    ``original``'s, and an original without one gets a new one here, with a
    revision that says so (its text and "updated" time stay as they were).
    Linking to a story of the same group changes nothing. Once the change
    commits, every story whose page linked, or now links, to ``story`` is announced
    (``content_changed``): their pages name each other (hreflang, "Read this
    story in ..."), so the page cache retires them all. Call it inside the
    transaction that saves ``story``.
    """
    if original is not None and original.pk == story.pk:
        raise ValueError("A story cannot be a translation of itself.")
    before = story.translation_key
    if original is None:
        after = None
    else:
        # Read whole and locked: a form's instance may have deferred fields.
        # (A savepoint inside the caller's transaction; its own when called alone.)
        with transaction.atomic():
            original = Article.objects.select_for_update().get(pk=original.pk)
            if original.translation_key is None:
                # Only the key and the version: the original's text did not
                # change, so it keeps its "updated" time (readers would see
                # "Updated"); the version moves, so a form open on it meanwhile
                # gets the conflict screen instead of unlinking it again.
                original.translation_key = uuid.uuid4()
                QuerySet.update(
                    Article.objects.filter(pk=original.pk),
                    translation_key=original.translation_key,
                    version=F("version") + 1,
                )
                original.version += 1
                revisions.record_changes(
                    original,
                    by,
                    gettext("Linked to its translation “%(headline)s”.")
                    % {"headline": story.headline},
                )
        after = original.translation_key
    if after == before:
        return
    story.translation_key = after
    keys = {key for key in (before, after) if key is not None}
    transaction.on_commit(lambda: _announce_translations(story.pk, keys))


def _announce_translations(story_pk, keys) -> None:
    """The other stories of the groups ``story_pk`` left or joined."""
    for other in Article.objects.filter(translation_key__in=keys).exclude(pk=story_pk):
        signals.content_changed.send(sender=Article, instance=other, stories=None)
