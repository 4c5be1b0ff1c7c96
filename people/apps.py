from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    """Colleagues on the desk: invitations with a role, and role groups that
    bring staff status with them (``people.admin``)."""

    name = "people"
    verbose_name = _("People")

    def ready(self):
        # The desk's language, kept in the session at login (people/language.py).
        from django.contrib.auth.signals import user_logged_in

        from people.language import remember_language

        user_logged_in.connect(remember_language, dispatch_uid="people.language")
