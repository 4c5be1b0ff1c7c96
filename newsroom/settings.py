"""Newsroom settings: one module, configured from the environment.

Every value a deployment changes comes from an environment variable with a safe
local default; see README.md ("Configuration") for the full list.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from newsroom import headers

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def env_override(name, cast=str, *old_names):
    """Set ``name`` from the environment (``name``, else an old name), if given."""
    for env_name in (name, *old_names):
        value = os.environ.get(env_name)
        if value is not None:
            globals()[name] = env_bool(env_name) if cast is bool else cast(value)
            return


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-local-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Application definition

INSTALLED_APPS = [
    # Django (the admin as the newsroom's desk: newsroom/admin.py, DeskSite)
    "newsroom.apps.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Third party
    "taggit",
    "axes",
    "django_prose_editor",
    # Newsroom: the stories first; the features that listen to them after
    # (viewcounts' admin replaces the story admin, so it comes later).
    "articles",
    "comments",
    "corrections",
    "people",
    "pagecache",
    "viewcounts",
    # Listens to stories, comments and logins; nothing imports it.
    "audit",
    "demo",
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # Cache hits for anonymous readers leave here: inside the header middleware
    # above (so they carry the same headers), before anything below reads
    # cookies or identifies the reader (docs/pagecache.md).
    "pagecache.middleware.PageCacheMiddleware",
    # Responses that set a cookie, carry a CSRF token or belong to the admin are
    # private, no-store: outside everything below that sets cookies.
    "newsroom.middleware.PrivateResponseMiddleware",
    # A NUL in an admin query parameter is a 400, not a database error.
    "newsroom.admin.AdminQueryGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request (user, trusted address) for audit entries written by signals.
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Database: SQLite in a git-ignored folder by default, PostgreSQL in production.

DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATABASE_URL = os.environ.get(
    "DATABASE_URL", f"sqlite:///{DATA_DIR / 'newsroom.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write
        # lock at BEGIN so concurrent writers queue on the busy timeout instead
        # of failing with "database is locked" half-way through a transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the lock before "database is locked" (a
        # 503). Well inside gunicorn's 30 s worker timeout, even for a request
        # that waits twice (its session, then its write).
        "timeout": 10,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
    # Every wait is bounded, well inside gunicorn's 30 s worker timeout, so a
    # silent database is a quick 503 (newsroom.middleware), not a killed
    # worker: connecting 3 s; a statement 5 s on the server; any answer on
    # an open connection 7 s on the client (newsroom/postgres: a server or
    # proxy that holds the connection and says nothing defeats the other
    # two); a dead peer is noticed by TCP keepalives and tcp_user_timeout.
    # DATABASE_STATEMENT_TIMEOUT (seconds; 0: none) is for batch work that
    # runs longer on purpose: a migration of a large table, a bulk import.
    statement_timeout = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5"))
    DATABASES["default"]["ENGINE"] = "newsroom.postgres"
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": 3,
        "client_timeout": statement_timeout + 2 if statement_timeout else None,
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 7000,
        # JIT compilation pays off for long reports, not for web pages: it
        # adds tens of milliseconds to the few costlier queries (counts,
        # search) without making them faster.
        "options": f"-c statement_timeout={statement_timeout * 1000:.0f} -c jit=off",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, an in-process cache otherwise.

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis behind a circuit breaker: a failing or frozen Redis
            # is skipped after a few timeouts, then probed (CACHE_BREAKER_*).
            "BACKEND": "newsroom.rediscache.BreakerRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
            "OPTIONS": {
                # A Redis outage must never become a 500: misses instead.
                "IGNORE_EXCEPTIONS": True,
                # A healthy Redis on the local network answers in well under a
                # millisecond; these bound what a frozen one costs a call.
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.25,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # The breaker's thresholds (defaults in newsroom/circuitbreaker.py).
    env_override("CACHE_BREAKER_FAILURES", int)
    env_override("CACHE_BREAKER_WINDOW", float)
    env_override("CACHE_BREAKER_RESET_AFTER", float)
else:
    # Without Redis: the small things stay in each process (rate limits, view
    # dedup marks and axes then keep their state in the database, exact across
    # workers), and the page cache (pages, the content version, its locks)
    # lives in a SQLite file every worker of this machine shares
    # (newsroom/sqlitecache.py), so it is on by default and exact.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsroom",
        },
        "pagecache": {
            "BACKEND": "newsroom.sqlitecache.SQLiteCache",
            "LOCATION": os.environ.get("CACHE_PATH", str(DATA_DIR / "cache.sqlite3")),
            "TIMEOUT": 300,
            "OPTIONS": {
                "MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "20000")),
                "MAX_BYTES": int(os.environ.get("CACHE_MAX_BYTES", str(512 * 2**20))),
            },
        },
    }
    # pagecache/conf.py picks the "pagecache" cache when there is one.

# Authentication: django-axes locks out repeated failures (state in the database,
# so it survives a Redis outage and holds across processes).

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Proxies in front of the app that append to X-Forwarded-For (0: none).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "newsroom.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Outgoing mail (people: invitations). SMTP from EMAIL_HOST and friends in
# production; the console when DEBUG is on; tests swap in Django's locmem.
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    # A mail server that hangs must not hold a worker for gunicorn's 30 s.
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": os.environ.get("EMAIL_USE_TLS", "") in ("1", "true", "True"),
        "timeout": float(os.environ.get("EMAIL_TIMEOUT", "10")),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@localhost")
# How long an invitation's set-password link works, in seconds (3 days).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600))

# Passwords

_VALIDATORS = "django.contrib.auth.password_validation."
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": _VALIDATORS + "UserAttributeSimilarityValidator"},
    {"NAME": _VALIDATORS + "MinimumLengthValidator"},
    {"NAME": _VALIDATORS + "CommonPasswordValidator"},
    {"NAME": _VALIDATORS + "NumericPasswordValidator"},
]

# Internationalisation: stored in UTC, shown in the newsroom's time zone.

LANGUAGE_CODE = "en-us"
# The languages a story may be written in (Article.language).
LANGUAGES = [("en", "English"), ("ko", "Korean")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True
# How dates are written, per language: newsroom/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["newsroom.formats"]

# Static files (whitenoise) and uploads

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# The app serves MEDIA_ROOT itself (newsroom/media.py: one machine, no other
# web server) unless MEDIA_URL names a media host; MEDIA_SERVE=0 leaves it to
# a proxy in front (manage.py check warns, newsroom.W003, if nothing does).
MEDIA_SERVE = env_bool(
    "MEDIA_SERVE", default=not MEDIA_URL.startswith(("http://", "https://", "//"))
)
# WhiteNoise answers static files before the CSP, X-Frame-Options and extra
# header middleware: it adds the same headers itself (newsroom/headers.py).
WHITENOISE_ADD_HEADERS_FUNCTION = headers.add_static_headers

STORAGES = {
    # Writes to a temporary name, then renames: no partial file (articles/storage.py).
    "default": {"BACKEND": "articles.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Security defaults that hold in every environment; the HTTPS-only ones follow.

ADMIN_URL_PREFIX = "admin/"

# Public pages are cacheable, so they carry no nonce: no inline script or style
# at all. Uploads may come from a separate media host (MEDIA_URL).
_MEDIA_ORIGIN = (
    [MEDIA_URL.split("/", 3)[0] + "//" + MEDIA_URL.split("/", 3)[2]]
    if MEDIA_URL.startswith(("http://", "https://"))
    else []
)
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, *_MEDIA_ORIGIN],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# The admin's scripts carry Django's nonce; its rich-text editor sets inline
# styles, so styles (only) are looser there.
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:", *_MEDIA_ORIGIN],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Behind a TLS-terminating proxy in production, set HTTPS=1 (see README).
if env_bool("HTTPS"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Third-party apps

TAGGIT_CASE_INSENSITIVE = True

# Newsroom

NEWSROOM_NAME = os.environ.get("NEWSROOM_NAME", "Newsroom")
ARTICLES_PER_PAGE = 20
# Search ranks only this many newest matches (articles/search/); a search with
# more shows "1,000+ results" and says that older matches are left out.
SEARCH_MAX_CANDIDATES = int(os.environ.get("SEARCH_MAX_CANDIDATES", "1000"))
# Pages a paginated list will serve; a huge ?page= is a 404, not a deep OFFSET.
MAX_PAGE_NUMBER = 500
# Revisions kept per story (articles/revisions.py); older ones are pruned.
ARTICLE_REVISIONS_KEEP = int(os.environ.get("ARTICLE_REVISIONS_KEEP", "50"))

# Feature apps keep their settings' defaults in their own conf.py; the
# environment overrides them here. The old names (VIEW_*) are still read, for
# one release (manage.py check warns about a setting under an old name).

# Reader comments (comments/conf.py)
env_override("COMMENTS_CLOSE_AFTER_DAYS", int)
env_override("COMMENTS_MODERATION", str)
env_override("COMMENTS_RATE_LIMIT", int)
env_override("COMMENTS_RATE_LIMIT_WINDOW", int)
env_override("COMMENTS_RATE_LIMIT_BACKEND", str)
env_override("COMMENTS_REPORTS_THRESHOLD", int)
env_override("COMMENTS_QUEUE_ALERT_THRESHOLD", int)
URLIZE_ASSUME_HTTPS = True

# View counts (viewcounts/conf.py): one view per reader per story per window.
env_override("VIEWCOUNTS_ENABLED", bool, "VIEW_TRACKING")
env_override("VIEWCOUNTS_DEDUP_SECONDS", int, "VIEW_DEDUP_SECONDS")
env_override("VIEWCOUNTS_DEDUP_STORE", str, "VIEW_DEDUP_STORE")
env_override("VIEWCOUNTS_REDIS_URL", str, "VIEW_REDIS_URL")
env_override("VIEWCOUNTS_REDIS_PREFIX", str, "VIEW_REDIS_PREFIX")
env_override("VIEWCOUNTS_FLUSH_INTERVAL", int, "VIEW_FLUSH_INTERVAL")
env_override("VIEWCOUNTS_DEDUP_CACHE", str)
env_override("VIEWCOUNTS_PER_ADDRESS_LIMIT", int)

# Page cache for anonymous readers (pagecache/conf.py): on by default only with
# a cache every process shares (Redis).
env_override("PAGE_CACHE", bool)
env_override("PAGE_CACHE_TTL", int)
env_override("PAGE_CACHE_MAX_AGE", int)
env_override("PAGE_CACHE_LOCAL_BYTES", int)
# A CDN or proxy in front (pagecache/cdn.py, pagecache/purgers.py); lists are
# comma-separated: PAGE_CACHE_PURGERS=varnish://127.0.0.1:6081
env_override("PAGE_CACHE_SURROGATE_HEADERS", lambda value: value.split(","))
env_override("PAGE_CACHE_S_MAXAGE", int)
env_override("PAGE_CACHE_STALE_WHILE_REVALIDATE", int)
env_override("PAGE_CACHE_STALE_IF_ERROR", int)
env_override("PAGE_CACHE_PURGERS", lambda value: value.split(","))
# The benchmark's bare-Django ceiling endpoint (/bench/ceiling); never in production.
BENCH = env_bool("BENCH")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
