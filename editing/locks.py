"""Soft edit locks: who has a story's form open, kept alive by a heartbeat.

Correct across processes and machines: the lock is one database row per
story (``EditLock.story`` is unique), and every change to it is a single
conditional ``UPDATE`` (keep mine; take a free one) or an ``INSERT`` that the
unique index lets only one request win; a takeover reads and writes the row
under ``select_for_update()``. Nothing is kept in process memory.

A lock is *live* while its heartbeat is younger than
``EDITING_LOCK_STALE_SECONDS``; a stale or released lock is free, and the
next colleague to open the form (or the holder's next heartbeat) takes it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from articles import workflow
from editing.conf import settings
from editing.display import display_name, when
from editing.models import EditLock

HELD = "held"  # the user holds the lock
LOCKED = "locked"  # a colleague holds a live lock
TAKEN = "taken"  # a colleague took it over from the user


@dataclass(frozen=True)
class LockState:
    """What the story form is told about its lock."""

    state: str
    lock: EditLock

    @property
    def holder_name(self) -> str:
        return display_name(self.lock.holder)

    def message(self) -> str:
        lock = self.lock
        if self.state == TAKEN:
            return gettext(
                "%(name)s took over editing at %(when)s. Your changes are still "
                "in the form but not saved: copy what you need. Saving now will "
                "show you what changed first."
            ) % {"name": self.holder_name, "when": when(lock.taken_at)}
        if self.state == LOCKED:
            return gettext("%(name)s has been editing since %(when)s.") % {
                "name": self.holder_name,
                "when": when(lock.since),
            }
        if lock.taken_from_id is not None:
            return gettext("You took over editing from %(name)s at %(when)s.") % {
                "name": display_name(lock.taken_from),
                "when": when(lock.taken_at),
            }
        return gettext("You are editing this story (since %(when)s).") % {
            "when": when(lock.since)
        }

    def as_json(self, user) -> dict:
        return {
            "state": self.state,
            "message": self.message(),
            # The script's cue, whatever the language of the message.
            "took_over": self.state == HELD and self.lock.taken_from_id is not None,
            "holder": self.holder_name,
            "since": self.lock.since.isoformat(),
            # Not after a takeover: reopening the form offers it again.
            "can_take_over": self.state == LOCKED and workflow.can_publish(user),
        }


def stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.EDITING_LOCK_STALE_SECONDS)


def live(now: datetime | None = None) -> Q:
    """Locks someone holds now: a heartbeat that is recent enough."""
    return Q(heartbeat_at__gte=stale_before(now or timezone.now()))


def take(story, user, *, now: datetime | None = None) -> LockState:
    """The user opened the story's form: hold its lock unless a colleague
    holds a live one (then say who, and since when)."""
    return _acquire(story.pk, user, now or timezone.now(), heartbeat=False)


def heartbeat(story, user, *, now: datetime | None = None) -> LockState:
    """The form is still open: keep the lock, or take it if it is free.

    After a takeover the previous holder is told who took it, and is not
    given it back by their own heartbeat, even once it is free again.
    """
    return _acquire(story.pk, user, now or timezone.now(), heartbeat=True)


def release(story, user) -> bool:
    """The user left the form: their lock is free at once."""
    return bool(
        EditLock.objects.filter(story_id=story.pk, holder=user)
        .exclude(heartbeat_at=None)
        .update(heartbeat_at=None)
    )


def take_over(story, user, *, now: datetime | None = None) -> LockState:
    """An Editor takes the lock from whoever holds it; the holder's page
    learns it at its next heartbeat. Callers check ``can_take_over()``."""
    now = now or timezone.now()
    with transaction.atomic():
        lock = EditLock.objects.select_for_update().filter(story_id=story.pk).first()
        if lock is None or lock.holder_id == user.pk or not _is_live(lock, now):
            return _acquire(story.pk, user, now, heartbeat=False)
        lock.taken_from_id = lock.holder_id
        lock.holder = user
        lock.since = lock.heartbeat_at = lock.taken_at = now
        lock.save(
            update_fields=["taken_from", "holder", "since", "heartbeat_at", "taken_at"]
        )
    return _state(story.pk, user, now, heartbeat=False)


def can_take_over(user, story) -> bool:
    """Editors (who publish) may take a colleague's lock on a story they edit."""
    return workflow.can_publish(user) and workflow.can_edit(user, story)


def holders(story_ids, *, now: datetime | None = None) -> dict[int, EditLock]:
    """The live locks on these stories, by story id: one query."""
    locks = EditLock.objects.filter(
        live(now), story_id__in=list(story_ids)
    ).select_related("holder")
    return {lock.story_id: lock for lock in locks}


def current(story, *, now: datetime | None = None) -> EditLock | None:
    """The story's live lock, if anyone holds one."""
    return (
        EditLock.objects.filter(live(now), story_id=story.pk)
        .select_related("holder")
        .first()
    )


def _is_live(lock: EditLock, now: datetime) -> bool:
    return lock.heartbeat_at is not None and lock.heartbeat_at >= stale_before(now)


def _acquire(story_id, user, now, *, heartbeat) -> LockState:
    locks = EditLock.objects.filter(story_id=story_id)
    cutoff = stale_before(now)
    for _attempt in range(2):
        # Mine and live: renew it, keeping "since".
        if locks.filter(holder=user, heartbeat_at__gte=cutoff).update(heartbeat_at=now):
            break
        free = locks.filter(Q(heartbeat_at=None) | Q(heartbeat_at__lt=cutoff))
        if heartbeat:
            free = free.exclude(taken_from=user)
        if free.update(
            holder=user, since=now, heartbeat_at=now, taken_from=None, taken_at=None
        ):
            break
        if locks.exists():
            break  # a colleague's live lock, or one taken from this user
        try:
            with transaction.atomic():
                EditLock.objects.create(
                    story_id=story_id, holder=user, since=now, heartbeat_at=now
                )
            break
        except IntegrityError:
            continue  # another request made the row first: look again
    return _state(story_id, user, now, heartbeat=heartbeat)


def _state(story_id, user, now, *, heartbeat) -> LockState:
    lock = EditLock.objects.select_related("holder", "taken_from").get(
        story_id=story_id
    )
    if lock.holder_id == user.pk and _is_live(lock, now):
        return LockState(HELD, lock)
    if heartbeat and lock.taken_from_id == user.pk:
        return LockState(TAKEN, lock)
    return LockState(LOCKED, lock)
