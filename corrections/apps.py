from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CorrectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "corrections"
    verbose_name = _("Corrections")

    def ready(self):
        from articles import feeds as story_feeds
        from articles import seo
        from corrections import feeds, jsonld, roles, signal_handlers
        from corrections.models import Correction

        # The notes in the story's JSON-LD and feed items (hooks in articles).
        seo.register_news_article_contributor(jsonld.add_corrections)
        story_feeds.register_item_source(feeds.story_item_additions)
        post_save.connect(
            signal_handlers.correction_saved,
            sender=Correction,
            dispatch_uid="corrections_saved",
        )
        post_delete.connect(
            signal_handlers.correction_deleted,
            sender=Correction,
            dispatch_uid="corrections_deleted",
        )
        # Editors write and delete notes, reporters read them (corrections.roles).
        roles.extend_roles()
        post_migrate.connect(
            roles.ensure_roles_after_migrate,
            sender=self,
            dispatch_uid="corrections_roles",
        )
