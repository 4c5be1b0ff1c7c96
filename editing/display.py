"""How the desk names colleagues and times in the editing notices."""

from datetime import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext


def display_name(user) -> str:
    """The colleague's full name, else their username."""
    if user is None:
        return gettext("A colleague")
    return user.get_full_name().strip() or user.get_username()


def when(moment: datetime | None, *, now: datetime | None = None) -> str:
    """A time in the site's format: "14:05" today, else the date as well
    ("1 Dec 2026, 14:05 KST")."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    today = timezone.localtime(now or timezone.now()).date()
    if local.date() == today:
        return formats.time_format(local, "TIME_FORMAT")
    return formats.date_format(local, "DATETIME_FORMAT")
