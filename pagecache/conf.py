"""Page cache settings (``PAGE_CACHE`` and ``PAGE_CACHE_*``) and their defaults."""

from django.conf import settings as django_settings

from newsroom import sharedcache
from newsroom.appsettings import AppSettings


def _default_alias() -> str:
    # Without Redis, settings.py configures a "pagecache" cache: a SQLite file
    # every worker shares (newsroom/sqlitecache.py).
    return "pagecache" if "pagecache" in django_settings.CACHES else "default"


def _alias() -> str:
    return getattr(django_settings, "PAGE_CACHE_ALIAS", None) or _default_alias()


settings = AppSettings(
    {
        # On by default only with a cache every process shares (Redis, the
        # SQLite file): with the in-process cache each worker would keep its
        # own content version.
        "PAGE_CACHE": lambda: sharedcache.is_shared(_alias()),
        "PAGE_CACHE_ALIAS": _default_alias,
        # Seconds a page is kept (6 hours; the cache's own eviction bounds the
        # memory). Counts are stitched in at hit time (PAGE_CACHE_FRAGMENT_SECONDS),
        # so only what is no content change (comments closing, a story leaving
        # the news sitemap) may lag by this much.
        "PAGE_CACHE_TTL": 6 * 3600,
        # Browser/CDN lifetime; 0 sends "max-age=0, must-revalidate".
        "PAGE_CACHE_MAX_AGE": 0,
        # Bytes of pages each process keeps a copy of (0: none); 16 MiB with a
        # shared cache.
        "PAGE_CACHE_LOCAL_BYTES": lambda: (
            16 * 2**20 if sharedcache.is_shared(_alias()) else 0
        ),
        # Seconds a volatile fragment (view and comment counts, Most Viewed,
        # Most Commented) is stitched into pages before it is rendered again.
        "PAGE_CACHE_FRAGMENT_SECONDS": 60,
        # Bytes of pages each process keeps with their fragments stitched in
        # and compressed, so that a hit compresses nothing.
        "PAGE_CACHE_ASSEMBLED_BYTES": 16 * 2**20,
        # Pages smaller than this are sent as they are (pagecache.compression).
        "PAGE_CACHE_COMPRESS_MIN_BYTES": 1024,
        # 6: about a twentieth of the HTML in a few milliseconds, once per
        # stored page; 11 takes a second for the front page.
        "PAGE_CACHE_BROTLI_QUALITY": 6,
        # One render per page per version (pagecache.locks): the lock lapses
        # after this many seconds if its holder died...
        "PAGE_CACHE_LOCK_SECONDS": 10,
        # ...and a reader waits at most this long for another's render before
        # rendering the page itself.
        "PAGE_CACHE_LOCK_WAIT": 2.0,
        # CDN and reverse proxy (pagecache.cdn, pagecache.purgers).
        # Which headers name a page's dependencies: Surrogate-Key (Fastly,
        # Varnish), Cache-Tag (Cloudflare), xkey (varnish-modules).
        "PAGE_CACHE_SURROGATE_HEADERS": ("Surrogate-Key", "Cache-Tag", "xkey"),
        # Cache-Control for shared caches; None leaves the directive out.
        "PAGE_CACHE_S_MAXAGE": None,
        "PAGE_CACHE_STALE_WHILE_REVALIDATE": None,
        "PAGE_CACHE_STALE_IF_ERROR": None,
        # Where retired names are purged: URLs ("varnish://host:port",
        # "purge://host:port", "fastly://SERVICE", "cloudflare://ZONE") or
        # dicts; tokens come from the environment (pagecache/purgers.py).
        "PAGE_CACHE_PURGERS": [],
        # The outbox: requests per drain, attempts before giving up, the first
        # retry's delay (doubling up to an hour), seconds per HTTP request.
        "PAGE_CACHE_PURGE_BATCH": 100,
        "PAGE_CACHE_PURGE_ATTEMPTS": 10,
        "PAGE_CACHE_PURGE_BACKOFF": 2.0,
        "PAGE_CACHE_PURGE_TIMEOUT": 10.0,
        # Drain in a background thread of the process that retired the pages.
        "PAGE_CACHE_PURGE_IN_BACKGROUND": True,
        # Page addresses remembered per name, for purgers without tags.
        "PAGE_CACHE_PURGE_ADDRESSES": 500,
    },
)
