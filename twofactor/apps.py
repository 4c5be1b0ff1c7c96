from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    """Two-factor login for the desk: django-otp (authenticator apps,
    recovery codes) and django-otp-webauthn (passkeys). Nothing imports it
    but the wiring (``newsroom.admin``, ``newsroom.urls``)."""

    name = "twofactor"
    verbose_name = _("Two-factor login")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from twofactor import checks as twofactor_checks
        from twofactor import signal_handlers

        checks.register(twofactor_checks.check_settings, checks.Tags.security)
        user_logged_in.connect(
            signal_handlers.password_step_done, dispatch_uid="twofactor_login"
        )
