from django.apps import AppConfig
from django.core import checks


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from articles import memo
        from articles import signals as article_signals
        from comments import signals as comment_signals
        from pagecache import checks as pagecache_checks
        from pagecache import signal_handlers, versions

        checks.register(pagecache_checks.page_cache_needs_a_shared_cache)
        article_signals.content_changed.connect(
            signal_handlers.content_changed, dispatch_uid="pagecache_articles"
        )
        comment_signals.comments_changed.connect(
            signal_handlers.content_changed, dispatch_uid="pagecache_comments"
        )
        # The section menu and list counts are kept per content version.
        memo.register_version_source(
            memo.VersionSource(
                version=versions.shared_version,
                store=versions.page_cache,
                ttl=versions.ttl,
            )
        )
