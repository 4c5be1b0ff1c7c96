"""Newsroom settings: one module, configured from the environment.

Every value a deployment changes comes from an environment variable with a safe
local default; see README.md ("Configuration") for the full list.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from newsroom import errors, headers, storages
from newsroom.redisclient import sentinel_addresses

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
    # Staff two-factor login (twofactor): authenticator apps and recovery
    # codes (django-otp), passkeys (django-otp-webauthn).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    # django.tasks' database backend: its table exists whichever backend runs
    # the tasks, so TASKS_BACKEND=database needs no migration of its own.
    "django_tasks_db",
    # django-ninja, for its Swagger page's own scripts and styles (served
    # from here, not from its CDN): the API's docs at /api/v1/docs.
    "ninja",
    "corsheaders",
    # Newsroom: the stories first; the features that listen to them after
    # (viewcounts' admin replaces the story admin, so it comes later).
    "articles",
    # Autosaves and edit locks on the story form (the form's template
    # includes its panel; articles never imports it).
    "editing",
    "comments",
    "corrections",
    "live",
    # Signed webhooks and WebSub pings on publish (webhooks), oEmbed (embeds):
    # they listen to the stories; nothing imports them.
    "webhooks",
    "embeds",
    # The read-only JSON API, /api/v1/ (api): reads the stories and the
    # features; nothing imports it.
    "api",
    "people",
    # After django-otp's apps: its admin leaves their device admins out.
    "twofactor",
    "pagecache",
    "viewcounts",
    # Listens to stories, comments and logins; nothing imports it.
    "audit",
    "demo",
    "ops",
    # Newsletters with double opt-in (docs/newsletters.md); anymail for
    # providers' backends and their bounce and complaint webhooks.
    "anymail",
    "newsletters",
]

MIDDLEWARE = [
    # Outermost: every response carries X-Request-ID and is counted and timed
    # (page-cache hits, static files, redirects and 503s included).
    "newsroom.requestid.RequestIdMiddleware",
    "newsroom.metrics.MetricsMiddleware",
    # Every request in the site's language (the page cache's key, error pages,
    # the 503 included); the desk switches below (newsroom/locale.py).
    "newsroom.locale.SiteLanguageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "newsroom.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The API readable from other sites' pages (CORS_* below): preflights are
    # answered here, and the API's refusals below carry the headers too.
    "corsheaders.middleware.CorsMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # Which reads may go to a read replica (DATABASE_REPLICA_URLS).
    "newsroom.replicas.ReplicaReadsMiddleware",
    # The API's keys, anonymous switch and rate limits: outside the page
    # cache, so answers it serves are refused and counted too (api).
    "api.middleware.ApiAccessMiddleware",
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
    # The desk in the colleague's own language (the session keeps it).
    "newsroom.locale.DeskLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # user.is_verified(): was the second factor given (django-otp)? Outside
    # the desk, a session still owing it is anonymous (twofactor).
    "django_otp.middleware.OTPMiddleware",
    "twofactor.middleware.SecondFactorMiddleware",
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
            # i18n: the JavaScript catalogue's address (newsroom/locale.py).
            "libraries": {"newsroom_i18n": "newsroom.i18n_tags"},
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
    # Behind PgBouncer in transaction pooling (DATABASE_POOLER=pgbouncer) a
    # connection is shared between clients transaction by transaction: the
    # session settings above cannot be sent at connection time (PgBouncer
    # refuses the startup parameter) and belong to the role instead
    # (docs/deploy.md: ALTER ROLE ... SET statement_timeout / jit), and a
    # server-side cursor (QuerySet.iterator()) cannot outlive its
    # transaction. Prepared statements are off already (Django's default).
    DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
    if DATABASE_POOLER not in ("", "pgbouncer"):
        raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")
    if DATABASE_POOLER == "pgbouncer":
        del DATABASES["default"]["OPTIONS"]["options"]
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
            "DISABLE_SERVER_SIDE_CURSORS"
        )
    # PostgreSQL itself, not the pooler, for backup_db and restore_db:
    # pg_dump and pg_restore set session settings (search_path among them)
    # that a transaction pooler would hand on to the site's next query.
    DATABASE_DIRECT_URL = os.environ.get("DATABASE_DIRECT_URL", "")
    # Read replicas (newsroom/replicas.py): DATABASE_REPLICA_URLS, comma
    # separated, each connected with the primary's options. Reads go there
    # only where a lagging copy cannot be kept or acted on.
    for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), 1):
        replica = dj_database_url.parse(url, conn_health_checks=True)
        replica.update(
            ENGINE=DATABASES["default"]["ENGINE"],
            CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
            OPTIONS=dict(DATABASES["default"]["OPTIONS"]),
            DISABLE_SERVER_SIDE_CURSORS=DATABASES["default"].get(
                "DISABLE_SERVER_SIDE_CURSORS", False
            ),
            # The suite's replicas are the test database itself.
            TEST={"MIRROR": "default"},
        )
        DATABASES[f"replica{number}"] = replica

DATABASE_ROUTERS = ["newsroom.replicas.ReplicaRouter"]
# Seconds a client that wrote keeps reading the primary (its own writes).
DATABASE_REPLICA_STICKY_SECONDS = int(
    os.environ.get("DATABASE_REPLICA_STICKY_SECONDS", "10")
)

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
    # Redis Sentinel (REDIS_SENTINELS=host:port,host:port): REDIS_URL then
    # names the service, redis://<service>/<db>, and every client follows
    # its current master (newsroom/redisclient.py for the view buffer).
    REDIS_SENTINELS = sentinel_addresses(os.environ.get("REDIS_SENTINELS", ""))
    if REDIS_SENTINELS:
        CACHES["default"]["OPTIONS"].update(
            CONNECTION_FACTORY="django_redis.pool.SentinelConnectionFactory",
            SENTINELS=REDIS_SENTINELS,
            SENTINEL_KWARGS={"socket_timeout": 0.25, "socket_connect_timeout": 0.2},
        )
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
# A sign-in clears the failures once it is complete: after the second factor
# when one is due (twofactor/throttle.py), so signing in again with the
# password cannot wipe the count of wrong codes.
AXES_RESET_ON_SUCCESS = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "newsroom.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background tasks (django.tasks; docs/deploy.md). By default each task runs at
# once, in the process that enqueued it (after the commit), as one machine
# always did. TASKS_BACKEND=database queues them in the database for
# ``manage.py db_worker`` (django-tasks-db).
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}."
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# Staff two-factor login (twofactor/conf.py; docs/two-factor.md): "required"
# (the default with DEBUG off), "optional" (the default with DEBUG on) or
# "off"; whom "required" applies to: role names, or "*" for all staff
# (superusers always).
env_override("STAFF_2FA", str)
env_override(
    "STAFF_2FA_ROLES",
    lambda value: [role.strip() for role in value.split(",") if role.strip()],
)
# Authenticator apps show the newsroom's name beside the account.
OTP_TOTP_ISSUER = os.environ.get("NEWSROOM_NAME", "Newsroom")
# Passkeys are bound to the site's domain (the relying party) and checked
# against the origins it is served at; WebAuthn needs HTTPS, or localhost.
OTP_WEBAUTHN_RP_ID = os.environ.get("OTP_WEBAUTHN_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = os.environ.get("NEWSROOM_NAME", "Newsroom")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS", "http://localhost:8000"
)
# A passkey is a second factor after the password, never a login alone.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

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

# Newsletters (newsletters/conf.py has every NEWSLETTER_* default;
# docs/newsletters.md). Links in e-mails need the site's public address.
env_override("NEWSLETTER_BASE_URL", str)
env_override("NEWSLETTER_FROM_EMAIL", str)
env_override("NEWSLETTER_UNSUBSCRIBE_MAILTO", str)
env_override("NEWSLETTER_DAILY_DIGEST_AT", str)
env_override("NEWSLETTER_MESSAGES_PER_MINUTE", int)
env_override("NEWSLETTER_BATCH_SIZE", int)
env_override("NEWSLETTER_TRACKING_PIXEL", bool)
# The provider's tracking webhooks (bounces, complaints) are served at
# /anymail/<provider>/tracking/ only when this basic-auth "user:password" is
# set; ANYMAIL_* settings (the provider's API key) come from the environment.
ANYMAIL_WEBHOOK_SECRET = os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")
ANYMAIL = {"WEBHOOK_SECRET": ANYMAIL_WEBHOOK_SECRET} if ANYMAIL_WEBHOOK_SECRET else {}
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
# (i18n-site: the site's language, the desk's, newsroom/locale.py.)

# The reader site's one language (no prefixes, no Accept-Language switching:
# one cached page serves every reader); staff pick their own desk language
# (people: the preference; newsroom.locale.DeskLanguageMiddleware).
# The languages a story may be written in (Article.language), and the desk's.
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en").strip().lower() or "en"
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(
        f"LANGUAGE_CODE must be one of {', '.join(dict(LANGUAGES))}, "
        f"not {LANGUAGE_CODE!r}."
    )
# Headlines romanised into Latin slugs (articles/slugs.py) instead of Hangul.
SLUG_ROMANIZE = env_bool("SLUG_ROMANIZE")
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True
# The project's catalogues (locale/<language>/LC_MESSAGES): templates are at
# project level, so every app's strings are translated here too.
LOCALE_PATHS = [BASE_DIR / "locale"]
# How dates are written, per language: newsroom/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["newsroom.formats"]

# Static files (whitenoise) and uploads

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads on this machine's disk (the default), or MEDIA_STORAGE=s3: in an
# S3-compatible bucket, from django-storages' own AWS_* variables
# (newsroom/storages.py, docs/deploy.md). MEDIA_URL then is the bucket's public
# address (AWS_S3_CUSTOM_DOMAIN, else the endpoint and bucket).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local").strip().lower() or "local"
if MEDIA_STORAGE not in {"local", "s3"}:
    raise ImproperlyConfigured("MEDIA_STORAGE must be local or s3.")
_MEDIA_STORAGES = {
    # Writes to a temporary name, then renames: no partial file (articles/storage.py).
    "default": {"BACKEND": "articles.storage.AtomicFileSystemStorage"},
}
if MEDIA_STORAGE == "s3":
    MEDIA_URL, _s3_default, _s3_kept = storages.s3_storages(os.environ)
    _MEDIA_STORAGES = {"default": _s3_default, "kept_uploads": _s3_kept}
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
    **_MEDIA_STORAGES,
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
# at all. Uploads may come from a separate media host (MEDIA_URL), and only
# then is that host allowed: the newsroom's own media domain (with
# MEDIA_STORAGE=s3, AWS_S3_CUSTOM_DOMAIN or the bucket's endpoint).
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

# The API's Swagger page (django-ninja's, /api/v1/docs): its own scripts;
# its stylesheet draws icons as data: pictures and its script sets styles.
API_DOCS_CSP = {
    **SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
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

# The JSON API (api/conf.py, docs/api.md): API_ANONYMOUS=0 refuses requests
# without a partner's key (401); rate limits per address and per key.
env_override("API_ANONYMOUS", bool)
env_override("API_ANONYMOUS_RATE", int)
env_override("API_RATE_WINDOW", int)
env_override("API_KEY_DEFAULT_RATE", int)
env_override("API_PAGE_SIZE", int)
env_override("API_MAX_AGE", int)
env_override("API_RANKING_MAX_AGE", int)
env_override("API_RATE_LIMIT_BACKEND", str)
# Other sites' pages may read the API (django-cors-headers), never with
# cookies: any origin by default, as for a public read-only API, or only
# those listed in API_CORS_ORIGINS ("https://partner.example,..."). The site's
# own pages and the desk send no CORS headers.
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOWED_ORIGINS = env_list("API_CORS_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = not CORS_ALLOWED_ORIGINS
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "authorization", "if-none-match", "x-api-key"]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
]
CORS_PREFLIGHT_MAX_AGE = 86400

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
# Webhooks, WebSub and oEmbed (webhooks/conf.py; docs/webhooks.md). SITE_URL:
# the address readers use, for absolute links in payloads, WebSub topics and
# oEmbed. WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 1 allows private and loopback
# targets (development), or a comma-separated list of networks.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
env_override(
    "WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
    lambda value: (
        True
        if value.strip().lower() in {"1", "true", "yes", "on"}
        else [
            part.strip()
            for part in value.split(",")
            if part.strip().lower() not in {"", "0", "false", "no", "off"}
        ]
    ),
)
env_override("WEBHOOKS_ATTEMPTS", int)
env_override("WEBHOOKS_DISABLE_AFTER_FAILURES", int)
env_override("WEBHOOKS_TIMEOUT", float)
env_override("WEBSUB_HUB_URL", str)

# The benchmark's bare-Django ceiling endpoint (/bench/ceiling); never in production.
BENCH = env_bool("BENCH")

# Operations (docs/deploy.md, "Logs, metrics and health").
# Logs: one JSON object per line (LOG_FORMAT=json, the default with DEBUG off)
# or plain text (the default with DEBUG on, make dev); each names its request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
# Keep a valid X-Request-ID from the proxy in front (else one is made here).
REQUEST_ID_TRUST_HEADER = env_bool("REQUEST_ID_TRUST_HEADER", default=True)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsroom.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# /metrics (Prometheus): answered to a bearer METRICS_TOKEN or to addresses in
# METRICS_ALLOWED_NETWORKS (comma-separated CIDRs), a 404 to anyone else and
# when neither is set. Under gunicorn, PROMETHEUS_MULTIPROC_DIR
# (deploy/gunicorn.conf.py) sums the workers.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")
for _network in METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_NETWORKS: {_network!r} is not an address or network."
        ) from None
# /readyz: checks reported but not failing readiness (e.g. "cache": a shared
# Redis down would otherwise take every app server out of the balancer at once).
READYZ_OPTIONAL = env_list("READYZ_OPTIONAL")
# Error reports to a Sentry-compatible server (Sentry, GlitchTip): off unless
# SENTRY_DSN is set; no personal data, no traces unless asked.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    # Imported only when asked for: sentry_sdk takes a fifth of a second.
    from newsroom import errors

    errors.init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
