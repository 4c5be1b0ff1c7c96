from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import pre_delete, pre_save
from django.utils.translation import gettext_lazy as _


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = _("Page cache")

    def ready(self):
        from articles import memo
        from articles import signals as article_signals
        from articles.models import Article, Byline
        from comments import signals as comment_signals
        from pagecache import checks as pagecache_checks
        from pagecache import signal_handlers, versions
        from pagecache.signals import pages_retired

        checks.register(pagecache_checks.page_cache_needs_a_shared_cache)
        article_signals.content_changed.connect(
            signal_handlers.content_changed, dispatch_uid="pagecache_articles"
        )
        comment_signals.comments_changed.connect(
            signal_handlers.comments_changed, dispatch_uid="pagecache_comments"
        )
        # A story's lists before a change (pagecache.dependencies).
        pre_save.connect(
            signal_handlers.story_pre_save,
            sender=Article,
            dispatch_uid="pagecache_story_pre_save",
        )
        pre_delete.connect(
            signal_handlers.story_pre_delete,
            sender=Article,
            dispatch_uid="pagecache_story_pre_delete",
        )
        pre_save.connect(
            signal_handlers.byline_pre_save,
            sender=Byline,
            dispatch_uid="pagecache_byline_pre_save",
        )
        # Retired pages are purged from a CDN or proxy too, outside the request.
        pages_retired.connect(
            signal_handlers.pages_retired, dispatch_uid="pagecache_purgers"
        )
        # The section menu is kept per content version, list counts per the
        # versions of their lists.
        memo.register_version_source(
            memo.VersionSource(
                version=versions.shared_version,
                store=versions.page_cache,
                ttl=versions.ttl,
                versions=versions.shared_versions,
            )
        )
