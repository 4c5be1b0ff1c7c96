"""Uploads that survive a validation error.

A browser never sends a file twice: when the story form comes back with an
error (a missing alt text, a headline too long), the picture chosen with it
would be lost. So the form keeps every picture that passed its own checks
(``keep()``, already re-encoded by ``articles.images``), shows "kept:
photo.jpg" with a hidden token, and a later submit of the same editor takes
the kept picture back (``take()``) as if it had been uploaded again, through
the same field and ``services.save_story()``. A token is good only for the
editor who sent the file, and for ``KEEP_FOR``; older kept files are deleted
as new ones are kept (``prune()``).
"""

import unicodedata
import uuid
from datetime import timedelta
from pathlib import PurePath

from django.utils import timezone

from articles.images import CleanImage
from articles.models import KeptUpload

KEEP_FOR = timedelta(days=1)
NAME_LIMIT = KeptUpload._meta.get_field("original_name").max_length


def display_name(client_name: str | None) -> str:
    """The client's file name, for showing only: no folders, no control
    characters, capped."""
    name = PurePath((client_name or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name.strip()[:NAME_LIMIT]


def keep(picture: CleanImage, *, owner, client_name: str | None) -> KeptUpload:
    """Store a checked picture for ``owner``; returns the row with its token."""
    prune()
    kept = KeptUpload(
        width=picture.width,
        height=picture.height,
        original_name=display_name(client_name),
        owner=owner,
    )
    picture.seek(0)
    kept.file.save(picture.name, picture, save=False)
    kept.save()
    return kept


def find(token, *, owner) -> KeptUpload | None:
    """``owner``'s kept upload with ``token``, if it is still kept."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    if owner is None or owner.pk is None:
        return None
    return KeptUpload.objects.filter(
        token=token, owner=owner, created_at__gte=timezone.now() - KEEP_FOR
    ).first()


def take(kept: KeptUpload) -> CleanImage:
    """The kept picture as a fresh upload. The kept copy stays until the
    story that uses it is saved (the admin then ``discard()``s it on commit):
    the form may fail again."""
    with kept.file.open("rb") as file:
        content = file.read()
    extension = PurePath(kept.file.name).suffix.lstrip(".") or "jpg"
    return CleanImage(
        content, extension=extension, width=kept.width, height=kept.height
    )


def discard(kept: KeptUpload) -> None:
    storage, name = kept.file.storage, kept.file.name
    KeptUpload.objects.filter(pk=kept.pk).delete()
    if name:
        storage.delete(name)


def prune(now=None) -> int:
    """Delete kept uploads older than ``KEEP_FOR`` (a few at a time)."""
    cutoff = (now or timezone.now()) - KEEP_FOR
    old = list(KeptUpload.objects.filter(created_at__lt=cutoff)[:50])
    for kept in old:
        discard(kept)
    return len(old)
