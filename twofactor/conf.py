"""Two-factor login settings (``STAFF_2FA*``) and their defaults."""

from django.conf import settings as django_settings

from newsroom.appsettings import AppSettings

REQUIRED, OPTIONAL, OFF = "required", "optional", "off"
MODES = (REQUIRED, OPTIONAL, OFF)
# In STAFF_2FA_ROLES: every staff account, whatever its role.
EVERY_ROLE = "*"

settings = AppSettings(
    {
        # "required": the staff it applies to (STAFF_2FA_ROLES) enrol at their
        # first login and give a second factor at every login after;
        # "optional": only those who have enrolled are asked; "off": nobody.
        # Required in production: optional only with DEBUG on.
        "STAFF_2FA": lambda: OPTIONAL if django_settings.DEBUG else REQUIRED,
        # Whom "required" applies to: role (group) names, or "*" for every
        # staff account. Superusers are always asked.
        "STAFF_2FA_ROLES": (EVERY_ROLE,),
    },
)
