"""Changes pending on a live story: Wagtail's draft revision over a live page.

Editing a published story can be saved as pending changes (``PendingChange``)
instead of going straight to readers: the story's row is not touched, so every
public surface (the page, its JSON-LD, feeds, search, the page cache) keeps
showing the live version. The admin's preview and share links show the
pending one (``apply_in_memory()``).

A reporter stages changes to their own published story and submits them for
review; an editor publishes them (``publish()``), now or at a time
(``schedule()``, then ``publish_due()`` from ``manage.py
publish_due_changes``). Publishing goes through ``services.save_story()``, the
one way to save a story: a revision, redirects, renditions, the signals, and
the page cache retiring exactly what the change touches. When the live story
changed since the pending changes were made, publishing stops with
``LiveChanged`` (and its diff) rather than overwrite it silently; the editor
may then publish anyway (``force=True``).

``data`` has the shape of a revision's snapshot (``articles.revisions``) for
the fields a pending change carries (``STAGED_FIELDS``): the text fields, the
section, the bylines and the tags. Pictures, the address and the publishing
fields are not staged: they stay an editor's decision on the live story.
"""

from datetime import datetime
from types import SimpleNamespace

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from taggit.models import Tag
from taggit.utils import edit_string_for_tags

from articles import revisions, services, signals
from articles.models import Article, Author, Byline, PendingChange, Section

# What pending changes carry: a restore's text fields, section, bylines, tags.
STAGED_FIELDS = revisions.RESTORABLE

# The change form's buttons for pending changes (their ``name`` in the POST).
STAGE = "_stage"
SUBMIT_CHANGES = "_submit_changes"
PUBLISH_CHANGES = "_publish_changes"
BUTTONS = (STAGE, SUBMIT_CHANGES, PUBLISH_CHANGES)


class StagingError(Exception):
    """A step that cannot be taken with the pending changes as they are."""


class LiveChanged(Exception):
    """The live story changed since the pending changes were made on it.

    ``changes``: ``revisions.diff()`` from the version they were made on to
    the live story as stored now.
    """

    def __init__(self, pending: PendingChange, changes: list[dict]):
        super().__init__(
            gettext("The live story changed since these changes were made.")
        )
        self.pending = pending
        self.changes = changes


def requested_step(post) -> str | None:
    """Which pending-changes button of the change form was pressed, if any."""
    for name in BUTTONS:
        if name in post:
            return name
    return None


def stages(story: Article | None) -> bool:
    """Whether saving ``story`` (as stored) may go to pending changes: it is
    published (live, or scheduled)."""
    return story is not None and story.status == Article.Status.PUBLISHED


def pending_for(story: Article) -> PendingChange | None:
    """The story's pending changes; read from ``select_related`` when the
    queryset joined them (the story list, the change form)."""
    try:
        return story.pending_change
    except ObjectDoesNotExist:
        return None


def data_from_form(form, formsets) -> dict:
    """The pending changes a valid change form and its byline formset hold,
    in the shape of a revision's snapshot."""
    cleaned = form.cleaned_data
    data = {
        field: cleaned[field]
        for field in revisions.RESTORED_FIELDS
        if field in cleaned and field in form.fields
    }
    section = cleaned.get("section")
    if section is not None:
        data["section"] = {"id": section.pk, "name": section.name}
    if "tags" in cleaned:
        data["tags"] = sorted({str(name) for name in cleaned["tags"]}, key=str.casefold)
    for formset in formsets:
        if formset.model is not Byline:
            continue
        rows = [
            form.cleaned_data
            for form in formset.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("author")
        ]
        rows.sort(key=lambda row: row.get("order") or 0)
        data["bylines"] = [
            [row["author"].pk, row["author"].name, row["role"], position]
            for position, row in enumerate(rows)
        ]
    return data


def merged(live: dict, data: dict) -> dict:
    """The story as it will be once the pending changes are published."""
    return {**live, **{key: value for key, value in data.items() if key in live}}


def _version(story: Article) -> int | None:
    """The story's version (``services.save_story(expected_version=...)``)."""
    return story.version


@transaction.atomic
def stage(story: Article, data: dict, *, by=None, submit=False, now=None):
    """Save ``data`` as the story's pending changes (made, or replaced).

    The story's row is not written. New pending changes remember the live
    story they were made on (``base``), to tell later whether it moved on.
    ``submit`` puts them up for review. Scheduled changes edited by someone
    who may not publish go back to review: what goes out at the set time is
    what an editor saw.
    """
    if not stages(story):
        raise StagingError(gettext("Only a published story can have pending changes."))
    now = now or timezone.now()
    by = by if by is not None and by.pk else None
    data = {key: value for key, value in data.items() if key in STAGED_FIELDS}
    pending = PendingChange.objects.select_for_update().filter(article=story).first()
    if pending is None:
        pending = PendingChange(
            article=story,
            base=revisions.snapshot(story),
            base_version=_version(story),
            created_by=by,
            created_at=now,
        )
    pending.data = data
    pending.updated_by = by
    pending.updated_at = now
    may_publish = by is not None and by.has_perm("articles.publish_article")
    if pending.state == PendingChange.State.SCHEDULED and not may_publish:
        pending.state, pending.publish_at = PendingChange.State.REVIEW, None
    if submit and pending.state == PendingChange.State.DRAFT:
        pending.state = PendingChange.State.REVIEW
    pending.save()
    return pending


def submit(pending: PendingChange, *, by=None) -> PendingChange:
    """Up for an editor's review."""
    if pending.state != PendingChange.State.DRAFT:
        raise StagingError(
            gettext("These changes are already up for review or scheduled.")
        )
    pending.state = PendingChange.State.REVIEW
    pending.updated_by = by if by is not None and by.pk else None
    pending.updated_at = timezone.now()
    pending.save(update_fields=["state", "updated_by", "updated_at"])
    return pending


def schedule(pending: PendingChange, when: datetime, *, by=None, now=None):
    """Publish the changes at ``when`` (an embargoed update)."""
    now = now or timezone.now()
    if when is None or when <= now:
        raise StagingError(
            gettext("Choose a time in the future to publish the changes.")
        )
    pending.state = PendingChange.State.SCHEDULED
    pending.publish_at = when
    pending.updated_by = by if by is not None and by.pk else None
    pending.updated_at = now
    pending.save(update_fields=["state", "publish_at", "updated_by", "updated_at"])
    return pending


def unschedule(pending: PendingChange, *, by=None) -> PendingChange:
    """Back to review, with no time set."""
    pending.state, pending.publish_at = PendingChange.State.REVIEW, None
    pending.updated_by = by if by is not None and by.pk else None
    pending.updated_at = timezone.now()
    pending.save(update_fields=["state", "publish_at", "updated_by", "updated_at"])
    return pending


def discard(pending: PendingChange) -> None:
    """Throw the pending changes away; the live story stays as it is."""
    PendingChange.objects.filter(pk=pending.pk).delete()


def live_changes(pending: PendingChange, story: Article | None = None) -> list[dict]:
    """What changed on the live story since the pending changes were made on
    it (``revisions.diff()``; empty: nothing)."""
    story = story or pending.article
    return revisions.diff(pending.base, revisions.snapshot(story))


def pending_diff(pending: PendingChange, story: Article | None = None) -> list[dict]:
    """What publishing would change: the live story against the pending one."""
    story = story or pending.article
    live = revisions.snapshot(story)
    return revisions.diff(live, merged(live, pending.data))


def publish(
    pending: PendingChange, *, by=None, force=False, scheduled=False
) -> Article:
    """Apply the pending changes to the live story through ``save_story()``.

    In one transaction, with the pending changes and the story locked: a
    story whose live version moved on since the changes were made raises
    ``LiveChanged`` (nothing written) unless ``force``; otherwise the fields,
    section, bylines and tags are applied, saved with a revision, and the
    pending changes deleted. ``pending_changes_published`` goes out after the
    commit. Raises ``PendingChange.DoesNotExist`` when someone else published
    or discarded them meanwhile.
    """
    with transaction.atomic():
        pending = PendingChange.objects.select_for_update().get(pk=pending.pk)
        return _publish_locked(pending, by=by, force=force, scheduled=scheduled)


def _publish_locked(pending, *, by, force, scheduled) -> Article:
    story = (
        Article.objects.select_for_update()
        .select_related("section")
        .get(pk=pending.article_id)
    )
    if not force and pending.base_version is None:
        # No version to check the save against: compare what readers see.
        moved = live_changes(pending, story)
        if moved:
            raise LiveChanged(pending, moved)
    expected = pending.base_version if not force else _version(story)
    data = pending.data
    revisions.restore_fields(story, data)
    by = by if by is not None and by.pk else None
    who = pending.updated_by or pending.created_by
    summary = (
        gettext("Published the pending changes of %(user)s.")
        % {"user": who.get_username()}
        if who
        else gettext("Published the pending changes.")
    )
    extra = {} if expected is None else {"expected_version": expected}
    before = story.revisions.values_list("pk", flat=True).first()
    try:
        with transaction.atomic():
            services.save_story(
                story,
                by=by,
                related=lambda: apply_bylines_and_tags(story, data),
                summary=summary,
                **extra,
            )
    except services.StoryChanged as error:
        if error.current is None:
            raise PendingChange.DoesNotExist("The story was deleted.") from error
        raise LiveChanged(pending, live_changes(pending, error.current)) from error
    revision = story.revisions.order_by("-created_at", "-pk").first()
    if revision is not None and revision.pk == before:
        revision = None
    PendingChange.objects.filter(pk=pending.pk).delete()
    transaction.on_commit(
        lambda: signals.pending_changes_published.send(
            sender=Article, story=story, by=by, revision=revision, scheduled=scheduled
        )
    )
    return story


def apply_bylines_and_tags(story: Article, data: dict) -> None:
    """Give the saved story the pending bylines and tags, touching only what
    differs (so the page cache retires only what changed)."""
    if "bylines" in data:
        wanted = []
        seen = set()
        known = set(
            Author.objects.filter(
                pk__in=[row[0] for row in data["bylines"]]
            ).values_list("pk", flat=True)
        )
        for author_id, _name, role, order in data["bylines"]:
            if author_id in known and (author_id, role) not in seen:
                seen.add((author_id, role))
                wanted.append((author_id, role, order))
        current = list(
            Byline.objects.filter(article=story)
            .order_by("order", "pk")
            .values_list("author_id", "role", "order")
        )
        if current != wanted:
            revisions.restore_bylines_and_tags(
                story, {"bylines": data["bylines"], "tags": story.tags.names()}
            )
    if "tags" in data:
        names = sorted(data["tags"], key=str.casefold)
        if sorted(story.tags.names(), key=str.casefold) != names:
            story.tags.set(names)


def publish_due(now=None) -> int:
    """Publish the scheduled pending changes whose time has come; returns how
    many. For cron, every minute, on several machines at once: each set is
    taken under a row lock that the others skip (``SKIP LOCKED``), and
    published and deleted in the same transaction, so each goes out once.
    Changes whose live story moved on meanwhile are not published: they go
    back to review, for an editor to look at.
    """
    now = now or timezone.now()
    published = 0
    while True:
        with transaction.atomic():
            pending = (
                PendingChange.objects.due(now)
                .select_for_update(skip_locked=True)
                .order_by("publish_at", "pk")
                .first()
            )
            if pending is None:
                return published
            try:
                with transaction.atomic():
                    _publish_locked(pending, by=None, force=False, scheduled=True)
            except LiveChanged:
                unschedule(pending)
            else:
                published += 1


def due_count(now=None) -> int:
    """How many scheduled pending changes are due (``--dry-run``)."""
    return PendingChange.objects.due(now).count()


def apply_in_memory(story: Article, pending: PendingChange) -> Article:
    """Show ``story`` (not saved, nothing written) as the pending changes
    will make it: for the admin's preview and share links. The bylines and
    tags replace the story's prefetched ones."""
    data = pending.data
    for field in revisions.RESTORED_FIELDS:
        if field in data:
            setattr(story, field, data[field])
    section_id = (data.get("section") or {}).get("id")
    if section_id and section_id != story.section_id:
        section = Section.objects.filter(pk=section_id).first()
        if section is not None:
            story.section = section
    cache = story.__dict__.setdefault("_prefetched_objects_cache", {})
    if "bylines" in data:
        authors = Author.objects.in_bulk([row[0] for row in data["bylines"]])
        rows = [
            Byline(article=story, author=authors[author_id], role=role, order=order)
            for author_id, _name, role, order in data["bylines"]
            if author_id in authors
        ]
        cache["bylines"] = _cached(Byline.objects.none(), rows)
    if "tags" in data:
        names = data["tags"]
        known = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
        tags = [known.get(name) or Tag(name=name, slug=slugify(name)) for name in names]
        cache["tags"] = _cached(Tag.objects.none(), tags)
    return story


def _cached(queryset, rows):
    """A queryset that answers with ``rows`` (a prefetch cache's shape)."""
    queryset._result_cache = rows
    queryset._prefetch_done = True
    return queryset


def form_initial(pending: PendingChange) -> dict:
    """The change form's initial values for the pending changes."""
    data = pending.data
    initial = {
        field: data[field] for field in revisions.RESTORED_FIELDS if field in data
    }
    section_id = (data.get("section") or {}).get("id")
    if section_id:
        initial["section"] = section_id
    if "tags" in data:
        initial["tags"] = edit_string_for_tags(
            [SimpleNamespace(name=name) for name in data["tags"]]
        )
    return initial


def list_label(story: Article) -> str:
    """The story list's note on pending changes ("" when there are none)."""
    pending = pending_for(story)
    if pending is None:
        return ""
    if pending.state == PendingChange.State.SCHEDULED:
        when = formats.date_format(
            timezone.localtime(pending.publish_at), "DATETIME_FORMAT"
        )
        return gettext("Update scheduled for %(when)s") % {"when": when}
    return pending.get_state_display()
