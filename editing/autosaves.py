"""Autosaves: the story form's fields as the user last typed them.

One per user and story (and one per user for a story not saved yet), never
the story's row and never a revision. The form's script sends them every few
seconds while the user types and when the page is hidden; reopening the form
offers one that is newer than the story's last save; saving the story drops
it (``editing.signal_handlers``).
"""

import json
import re

from django.utils import timezone
from django.utils.translation import gettext

from editing.conf import settings
from editing.models import Autosave

# Form field names as Django's forms and formsets write them.
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")
# Never kept: the CSRF token, the submit buttons and the formsets' counters
# (restoring those would not add or remove the rows they count).
SKIPPED = re.compile(
    r"csrfmiddlewaretoken|_.*|.*-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS"
)
MAX_FIELDS = 500
MAX_CHOICES = 200
MAX_LABEL = 300


class BadAutosave(ValueError):
    """The autosave sent cannot be kept; ``str()`` says why (for a 400)."""


class AutosaveTooLarge(BadAutosave):
    """Over ``EDITING_AUTOSAVE_MAX_BYTES`` (a 413)."""


def parse(raw: bytes) -> tuple[dict, dict]:
    """``{"fields": {...}, "labels": {...}}`` as JSON, checked: the fields and
    labels to keep. Raises ``BadAutosave`` for anything else."""
    if len(raw) > settings.EDITING_AUTOSAVE_MAX_BYTES:
        raise AutosaveTooLarge(
            gettext("An autosave has at most %(limit)s bytes.")
            % {"limit": settings.EDITING_AUTOSAVE_MAX_BYTES}
        )
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise BadAutosave(gettext("The autosave is not valid JSON.")) from error
    if not isinstance(data, dict) or set(data) - {"fields", "labels"}:
        raise BadAutosave(
            gettext('Send an object with "fields" and, optionally, "labels".')
        )
    fields, labels = data.get("fields"), data.get("labels", {})
    if not isinstance(fields, dict) or not isinstance(labels, dict):
        raise BadAutosave(gettext('"fields" and "labels" are objects.'))
    if len(fields) > MAX_FIELDS:
        raise BadAutosave(
            gettext("An autosave has at most %(count)s fields.") % {"count": MAX_FIELDS}
        )
    kept = {}
    for name, value in fields.items():
        _check_name(name)
        if SKIPPED.fullmatch(name):
            continue
        kept[name] = _checked_value(name, value)
    kept_labels = {}
    for name, label in labels.items():
        if name not in kept:
            raise BadAutosave(
                gettext("A label for %(name)s, which is not a field sent.")
                % {"name": repr(name)}
            )
        if not isinstance(label, str) or len(label) > MAX_LABEL:
            raise BadAutosave(
                gettext("The label of %(name)s is text of at most %(count)s.")
                % {"name": repr(name), "count": MAX_LABEL}
            )
        _check_text(name, label)
        kept_labels[name] = label
    return kept, kept_labels


def store(user, story, fields: dict, labels: dict, *, now=None) -> Autosave:
    """Keep the user's autosave of ``story`` (None: the story not saved yet)."""
    autosave, _created = Autosave.objects.update_or_create(
        user=user,
        story=story,
        defaults={
            "fields": fields,
            "labels": labels,
            "saved_at": now or timezone.now(),
        },
    )
    return autosave


def pending(user, story) -> Autosave | None:
    """The user's autosave worth offering on opening the form.

    Any that is left: the user's own save drops it (``signal_handlers``), so
    one still here holds work they never saved, even if a colleague saved
    the story since. It carries the version it was typed on (``version``),
    which the restore puts back in the form: saving it over a newer version
    meets the conflict screen, never a silent overwrite.
    """
    return Autosave.objects.filter(user=user, story=story).first()


def base_version(autosave: Autosave) -> int | None:
    """The story version the autosave was typed on, if the form said."""
    value = autosave.fields.get("version")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def discard(user, story) -> int:
    """Drop the user's autosave of ``story`` (None: of the new story)."""
    deleted, _ = Autosave.objects.filter(user=user, story=story).delete()
    return deleted


def _check_name(name) -> None:
    if not isinstance(name, str) or not FIELD_NAME.fullmatch(name):
        raise BadAutosave(
            gettext("Field names are letters, digits, - and _ (100 at most).")
        )


def _checked_value(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        _check_text(name, value)
        return value
    if isinstance(value, list):
        if len(value) > MAX_CHOICES or not all(isinstance(v, str) for v in value):
            raise BadAutosave(
                gettext("%(name)s: a list of at most %(count)s text values.")
                % {"name": repr(name), "count": MAX_CHOICES}
            )
        for item in value:
            _check_text(name, item)
        return value
    raise BadAutosave(
        gettext("%(name)s: a value is text, a list of text or true/false.")
        % {"name": repr(name)}
    )


def _check_text(name, text: str) -> None:
    # Neither a NUL nor a lone surrogate can be stored (PostgreSQL's jsonb
    # refuses both); a form never sends them.
    if "\x00" in text:
        raise BadAutosave(
            gettext("%(name)s contains a NUL character.") % {"name": repr(name)}
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadAutosave(
            gettext("%(name)s is not valid Unicode text.") % {"name": repr(name)}
        ) from error
