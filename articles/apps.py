from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Stories"

    def ready(self):
        from django.core import checks
        from taggit.models import Tag

        from articles import images, roles, signal_handlers
        from articles.models import Article, Author, Byline, Section, TaggedArticle
        from articles.search import (
            ensure_sqlite_search_triggers,
            register_sqlite_functions,
        )
        from newsroom.checks import page_cache_needs_a_shared_cache

        checks.register(page_cache_needs_a_shared_cache)

        connection_created.connect(register_sqlite_functions)
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

        # The page cache (articles/cache.py) follows every change readers see.
        for model in (Article, Byline, Section, Author, TaggedArticle, Tag):
            for signal in (post_save, post_delete):
                signal.connect(
                    signal_handlers.content_changed,
                    sender=model,
                    dispatch_uid=f"pagecache_{signal is post_save}_{model.__name__}",
                )
        post_delete.connect(
            images.lead_image_deleted,
            sender=Article,
            dispatch_uid="articles_lead_image_deleted",
        )
        m2m_changed.connect(
            signal_handlers.tags_changed,
            sender=TaggedArticle,
            dispatch_uid="pagecache_tags_changed",
        )
