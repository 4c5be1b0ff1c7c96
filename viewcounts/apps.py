from django.apps import AppConfig
from django.core import checks


class ViewCountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "viewcounts"
    verbose_name = "View counts"

    def ready(self):
        from viewcounts import conf

        def deprecated_settings(app_configs, **kwargs):
            return conf.settings.deprecated_names()

        checks.register(deprecated_settings)
