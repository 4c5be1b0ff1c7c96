from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ViewCountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "viewcounts"
    verbose_name = _("View counts")

    def ready(self):
        from articles import fragments
        from viewcounts import conf
        from viewcounts.templatetags import viewcount_tags

        # Counts the page cache stitches into cached pages (articles.fragments).
        fragments.register("view_count", viewcount_tags.render_view_counts)
        fragments.register("most_viewed", viewcount_tags.render_most_viewed)

        def deprecated_settings(app_configs, **kwargs):
            return conf.settings.deprecated_names()

        checks.register(deprecated_settings)
