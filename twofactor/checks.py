from django.core import checks

from articles.roles import ROLES as STORY_ROLES
from comments.roles import MODERATOR_GROUP
from twofactor.conf import EVERY_ROLE, MODES
from twofactor.conf import settings as conf

KNOWN_ROLES = (*STORY_ROLES, MODERATOR_GROUP)


def check_settings(app_configs, **kwargs):
    """``STAFF_2FA`` is one of its three values; ``STAFF_2FA_ROLES`` names
    roles that exist (a typo would quietly exempt a role)."""
    found = []
    if conf.STAFF_2FA not in MODES:
        found.append(
            checks.Error(
                f"STAFF_2FA is {conf.STAFF_2FA!r}.",
                hint="Set it to one of: " + ", ".join(MODES) + ".",
                id="twofactor.E001",
            )
        )
    unknown = sorted(
        set(conf.STAFF_2FA_ROLES) - {EVERY_ROLE, *KNOWN_ROLES},
    )
    if unknown:
        found.append(
            checks.Error(
                f"STAFF_2FA_ROLES names no such role: {', '.join(unknown)}.",
                hint="Roles: " + ", ".join(KNOWN_ROLES) + f", or {EVERY_ROLE!r}.",
                id="twofactor.E002",
            )
        )
    return found
