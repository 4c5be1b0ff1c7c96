from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Stories")

    def ready(self):
        from taggit.models import Tag

        from articles import images, roles, signal_handlers
        from articles.models import Article, Author, Byline, Section, TaggedArticle
        from articles.search import signal_handlers as search_signal_handlers
        from articles.search.sqlite import (
            ensure_sqlite_search_triggers,
            register_sqlite_functions,
        )

        connection_created.connect(register_sqlite_functions)
        # SQLite's search index keeps tag and author names through signals.
        search_signal_handlers.connect()
        # The data migration creates the Reporter and Editor groups; this puts
        # them back after a database flush (which keeps permissions, not groups).
        post_migrate.connect(
            roles.ensure_roles_after_migrate,
            sender=self,
            dispatch_uid="articles_roles",
        )
        post_migrate.connect(
            ensure_sqlite_search_triggers,
            sender=self,
            dispatch_uid="articles_sqlite_search_triggers",
        )

        # Every change readers may see is told to whoever listens (articles.signals).
        for model in (Article, Byline, Section, Author, TaggedArticle, Tag):
            for signal in (post_save, post_delete):
                signal.connect(
                    signal_handlers.content_changed,
                    sender=model,
                    dispatch_uid=f"articles_{signal is post_save}_{model.__name__}",
                )
        post_delete.connect(
            signal_handlers.story_deleted,
            sender=Article,
            dispatch_uid="articles_story_deleted",
        )
        post_delete.connect(
            images.lead_image_deleted,
            sender=Article,
            dispatch_uid="articles_lead_image_deleted",
        )
        m2m_changed.connect(
            signal_handlers.tags_changed,
            sender=TaggedArticle,
            dispatch_uid="articles_tags_changed",
        )
