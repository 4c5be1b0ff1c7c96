from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class NewslettersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "newsletters"
    verbose_name = _("Newsletters")

    def ready(self):
        from anymail.signals import tracking

        from newsletters import roles, signal_handlers

        # Bounces, complaints and unsubscribes from the provider's webhooks.
        tracking.connect(
            signal_handlers.tracking_event, dispatch_uid="newsletters_tracking"
        )
        # Editors compose and send (newsletters.roles).
        roles.extend_roles()
        post_migrate.connect(
            roles.ensure_roles_after_migrate,
            sender=self,
            dispatch_uid="newsletters_roles",
        )
