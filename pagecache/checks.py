"""System checks for the page cache's configuration."""

from django.conf import settings
from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext

from newsroom.sharedcache import is_shared
from pagecache import conf
from pagecache.middleware import unbounded_params


def page_cache_needs_a_shared_cache(app_configs, **kwargs):
    """The page cache's content version lives in the cache: with a cache per
    process (LocMem), a change saved in one worker does not retire the pages
    cached by the others. Redis and the SQLite file cache
    (``newsroom.sqlitecache``, the default without Redis) are shared."""
    if not conf.settings.PAGE_CACHE or settings.DEBUG:
        return []
    if is_shared(conf.settings.PAGE_CACHE_ALIAS):
        return []
    return [
        checks.Warning(
            gettext(
                "PAGE_CACHE is on with a cache that is not shared between "
                "processes: content changes retire cached pages at once only "
                "with a single worker process; the other workers may serve old "
                "pages for up to PAGE_CACHE_TTL seconds."
            ),
            hint=gettext(
                "Set REDIS_URL, or point PAGE_CACHE_ALIAS at a shared cache "
                "(newsroom.sqlitecache.SQLiteCache, the default without Redis), "
                "run one worker process, or set PAGE_CACHE=0."
            ),
            id="newsroom.W001",
        )
    ]


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


@checks.register(checks.Tags.urls)
def reader_pages_read_bounded_params(app_configs, **kwargs):
    """A reader page may read only parameters whose values the cache bounds:
    otherwise visitors could fill it with variants of one address."""
    errors = []
    for pattern in _views(get_resolver().url_patterns):
        params = getattr(pattern.callback, "reader_page_params", None)
        if params is not None and unbounded_params(params):
            errors.append(
                checks.Error(
                    gettext(
                        "The reader page %(page)s reads %(params)s, whose values "
                        "the page cache cannot bound."
                    )
                    % {
                        "page": pattern.name or pattern.pattern,
                        "params": sorted(unbounded_params(params)),
                    },
                    hint=gettext("Add them to pagecache.store.QUERY_PARAMS."),
                    obj=pattern,
                    id="pagecache.E001",
                )
            )
    return errors
