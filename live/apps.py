from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "live"
    verbose_name = _("Live coverage")

    def ready(self):
        from articles import feeds as story_feeds
        from articles import seo
        from live import feeds, jsonld, roles, signal_handlers
        from live.models import LiveCoverage, LiveUpdate

        # LiveBlogPosting in the story's JSON-LD, the newest update in its
        # feed items (hooks in articles).
        seo.register_news_article_contributor(jsonld.add_live_blog)
        story_feeds.register_item_source(feeds.story_item_additions)
        for model, saved, deleted in [
            (LiveUpdate, signal_handlers.update_saved, signal_handlers.update_deleted),
            (
                LiveCoverage,
                signal_handlers.coverage_saved,
                signal_handlers.coverage_deleted,
            ),
        ]:
            name = model._meta.model_name
            post_save.connect(saved, sender=model, dispatch_uid=f"live_{name}_saved")
            post_delete.connect(
                deleted, sender=model, dispatch_uid=f"live_{name}_deleted"
            )
        # Editors start, end and delete; reporters post (live.roles).
        roles.extend_roles()
        post_migrate.connect(
            roles.ensure_roles_after_migrate, sender=self, dispatch_uid="live_roles"
        )
