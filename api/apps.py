from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self):
        from api import signal_handlers
        from articles import signals

        signals.content_changed.connect(
            signal_handlers.retire_translations,
            dispatch_uid="api.retire_translations",
        )
