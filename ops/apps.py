from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Project-wide commands: backups, restores, the local admin account."""

    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        from django.core import checks

        from newsroom import media

        # Project-wide: uploads under a local MEDIA_URL that nothing serves.
        checks.register(media.media_is_served)
