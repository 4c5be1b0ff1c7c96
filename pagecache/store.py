"""The page cache: whole rendered reader pages for anonymous readers.

Design. One site-wide *content version* lives in the cache (an integer bumped
with an atomic ``incr``). A cached page is stored under a key made of the
scheme, host, path and the few query parameters the page reads (``page``,
``comments``, a sitemap's ``p``), and the entry records the version it was
rendered for: it is served only while that is still the current version, so
bumping the version retires every cached page at once (the next reader renders
and overwrites it; untouched entries expire). Anything a reader page shows (a
story, its bylines and tags, a section, an author, an approved comment, the
Most Commented list) changes the version through ``bump()``: from signal
handlers (``articles/signal_handlers.py``, ``comments/signal_handlers.py``) and
from ``ArticleQuerySet.update()`` (bulk admin actions send no signals). A
site-wide version is coarser than per-page tags, but exact with one integer:
newsrooms write a few times a minute and read thousands of times a second, and
home, section, tag and author pages, feeds and sitemaps all show the same
stories anyway.

Scheduled stories. ``published()`` decides at query time, so a story whose
time arrives changes pages without any write. With each version the cache
keeps the next scheduled publication time (one indexed query per version);
the first request after that moment bumps the version, so the story appears
on time without a job.

The hit path. A hit is one cache round trip: ``get_many`` of the version, the
next scheduled publication and the page's entry; when the process still holds
its own copy of the page for that version (``LocalPages``,
``PAGE_CACHE_LOCAL_BYTES``), of the first two only. ``PageCacheMiddleware`` sits
right inside the response-header middleware (security headers, CSP,
``Permissions-Policy``, ``X-Frame-Options``), so those still wrap every hit, and
answers before the session, CSRF, auth, messages and Axes middleware and before
the view runs. It serves only addresses that resolve to a ``cached_page`` view
and that have an entry for the current version, so the entry itself proves the
page was stored for anonymous readers by that view. Whatever the middleware
cannot settle without the database (no version yet, a new version's next
publication time, a scheduled story falling due) it leaves to the view's
decorator, which also works on its own, without the middleware.

One entry per page. Visitors cannot grow the cache with variants of an
address: the key holds each parameter in one form (``QUERY_PARAMS``:
``comments`` only as "newest", page numbers only as plain digits) and the
``Host`` only without a port or with the server's own; other forms are
rendered but not stored.

Conditional requests. Entries carry an ETag (a hash of the page) and a
Last-Modified: when the cache first stored that page, kept across versions
while the page is unchanged (a feed's own date can go back in time, so it is
not used). A page that replaced a different one within the same second gets no
Last-Modified: a date cannot tell the two apart. ``If-None-Match`` (weak or
strong, ``*``) and ``If-Modified-Since`` are answered as Django's
``get_conditional_response`` does, on hits and on misses alike: a browser
revalidating after a version bump gets a 304 and the page is stored.

Who gets cached pages. Only anonymous ``GET``/``HEAD`` requests without a
session or messages cookie and without ``Authorization``: staff (who have a
session) and a reader who has just posted (messages cookie) get a fresh page,
marked ``private``. A response is stored only when it is a 200 that sets no
cookie, asked for no CSRF token, did not touch the session and carries no
message, and (checked again by the middleware, after the session, CSRF and
messages middleware have had their say) leaves with no cookie and no ``Vary``,
so no reader ever receives what was rendered for another.

Staleness. Content changes are immediate: the version is bumped when the
change is saved and again when its transaction commits. That takes a cache
shared by every process (Redis): with the in-process cache each worker has its
own version, so ``PAGE_CACHE`` is off by default there and ``manage.py check``
warns when it is on with DEBUG off (``newsroom/checks.py``). What is not a
content change (view counts, Most Viewed, comments closing after N days, a
story leaving the news sitemap's 48 hours) can lag by up to ``PAGE_CACHE_TTL``
seconds (default 60). Browsers get ``public, max-age=0, must-revalidate``
(``PAGE_CACHE_MAX_AGE``) with an ETag, so they ask every time and usually
receive a 304; a reader redirected back after posting a comment never sees a
copy from their own browser cache.

Failure. With Redis down (django-redis ignores errors) the version cannot be
read: pages are rendered as if uncached, still 200.
"""

import functools
import hashlib
import re
import threading
import time
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Min
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from newsroom import sharedcache

VERSION_KEY = "pagecache:version"
NEXT_KEY = "pagecache:next"
# Entries are not versioned by key: each records the version it was rendered for.
# A new entry format needs a new prefix (old and new processes share Redis).
ENTRY_PREFIX = "pagecache:page:"
# Response headers a view sets that the cache keeps (middleware adds the rest).
KEPT_HEADERS = {"content-type", "content-language", "x-robots-tag", "link"}
# Response attributes the outer middleware reads (CSP, X-Frame-Options).
KEPT_ATTRIBUTES = ("_csp_config", "_csp_ro_config", "xframe_options_exempt")

PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
NOT_STORED = object()


def _page_number(value: str):
    return value if PAGE_NUMBER.fullmatch(value) else NOT_STORED


# The query parameters a cached page may read, each with the one form it is
# stored under: the value, None (the same page as without it) or NOT_STORED
# (rendered, not stored). Values are bounded, so visitors cannot grow the cache.
QUERY_PARAMS = {
    # A page of a list, a sitemap's page: Django also takes 01, +1, " 1"...
    "page": _page_number,
    "p": _page_number,
    # The story's comment order: "newest", or the default for any other value
    # (comments/templatetags/comment_tags.py).
    "comments": lambda value: value if value == "newest" else None,
}


def page_cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", True)


def bump() -> None:
    """Retire every cached page now, and again when the transaction commits.

    The second bump closes the window in which a reader could cache the old
    content between the save and its commit.
    """
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    cache = page_cache()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        # No version yet (or evicted): any fresh value retires the old pages.
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not fail a save
        pass


def shared_version():
    """The content version, when every process shares the cache; else None.

    For what is kept per content version outside the page cache (the section
    menu, list counts): exact only when every process reads the same version.
    """
    if not sharedcache.is_shared(getattr(settings, "PAGE_CACHE_ALIAS", "default")):
        return None
    store = page_cache()
    return _version_or_new(store, store.get(VERSION_KEY))


def _version_or_new(cache, version):
    """``version`` as read from the cache or, when there was none (a first
    request, an eviction, a flush), a fresh one: any new value retires the
    old pages. None when the cache cannot be reached."""
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def next_scheduled_publication(now) -> float:
    """Timestamp of the next story due to go live, 0 when none is scheduled."""
    from articles.models import Article

    due = Article.objects.scheduled(now).aggregate(due=Min("published_at"))["due"]
    return due.timestamp() if due else 0.0


def _settle_version(cache, version, scheduled) -> int | None:
    """The content version, after retiring it if a scheduled story went live.

    ``version`` and ``scheduled`` are what the cache held a moment ago. None
    when the cache cannot be reached: the caller renders without it.
    """
    version = _version_or_new(cache, version)
    if version is None:
        return None
    now = timezone.now()
    if scheduled is None or scheduled[0] != version:
        due = next_scheduled_publication(now)
        cache.set(NEXT_KEY, (version, due), timeout=None)
    else:
        due = scheduled[1]
    if due and now.timestamp() >= due:
        # The story's time has come: one request retires the pages (the add
        # makes it one), and everyone reads the new version.
        if cache.add(f"{NEXT_KEY}:fired:{version}:{due}", 1, timeout=300):
            _bump()
        version = cache.get(VERSION_KEY)
        if version is None:
            return None
        cache.set(NEXT_KEY, (version, next_scheduled_publication(now)), timeout=None)
    return version


class Lookup(NamedTuple):
    """What one round trip returned for a page: the version and the next
    scheduled publication (``values``, under their keys) and the page's entry
    (from the cache, or this process's copy), whatever version it is for."""

    key: str
    values: dict
    entry: dict | None

    def settled_version(self) -> int | None:
        """The version, if it needs no settling: it exists, its next scheduled
        publication time is known and has not come. None otherwise."""
        version = self.values.get(VERSION_KEY)
        scheduled = self.values.get(NEXT_KEY)
        if version is None or scheduled is None or scheduled[0] != version:
            return None
        due = scheduled[1]
        if due and timezone.now().timestamp() >= due:
            return None
        return version

    def fresh_entry(self) -> dict | None:
        """The entry, if it is for the version and that version needs no
        settling (no database, no write): the hit path."""
        return _for_version(self.entry, self.settled_version())

    def settle(self) -> tuple[int | None, dict | None]:
        """The current version (None: the cache is unreachable) and the entry
        if it is one for that version; may query the database (in the view)."""
        version = self.settled_version()
        if version is None:
            version = _settle_version(
                page_cache(), self.values.get(VERSION_KEY), self.values.get(NEXT_KEY)
            )
        return version, _for_version(self.entry, version)


def _for_version(entry, version):
    if version is None or entry is None or entry.get("version") != version:
        return None
    return entry


def lookup(key: str) -> Lookup:
    """The version, the next publication time and the page: one round trip.

    When this process holds a copy of the page (``local_pages``) only the two
    small values are fetched; the page itself only if the copy is outdated.
    """
    cache = page_cache()
    entry = local_pages.get(key)
    if entry is None:
        values = cache.get_many([VERSION_KEY, NEXT_KEY, key])
        entry = values.get(key)
        if entry is not None and entry.get("version") == values.get(VERSION_KEY):
            local_pages.put(key, entry)
        return Lookup(key, values, entry)
    values = cache.get_many([VERSION_KEY, NEXT_KEY])
    version = values.get(VERSION_KEY)
    if version is not None and entry["version"] != version:
        # Outdated here; another process may have stored the current page.
        local_pages.discard(key)
        entry = cache.get(key)
        if entry is not None and entry.get("version") == version:
            local_pages.put(key, entry)
    return Lookup(key, values, entry)


class LocalPages:
    """This process's copies of the pages it served last, so that a hit needs
    only the version from the shared cache, not the page.

    A copy is used only while the shared cache's version is the one it was
    rendered for, and never past the moment its shared entry expires, so it
    is exactly as fresh as the shared cache. Least recently used copies go
    first once ``PAGE_CACHE_LOCAL_BYTES`` of pages are held (0: none).
    """

    def __init__(self):
        self._entries = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def limit(self) -> int:
        return getattr(settings, "PAGE_CACHE_LOCAL_BYTES", 0)

    def get(self, key):
        if not self._entries:
            return None
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return None
            if entry["expires"] <= time.time() or not self.limit():
                self._bytes -= len(entry["body"])
                return None
            self._entries[key] = entry  # now the most recently used
            return entry

    def put(self, key, entry) -> None:
        limit = self.limit()
        size = len(entry["body"])
        if not limit or size > limit:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old["body"])
            while self._entries and self._bytes + size > limit:
                oldest = next(iter(self._entries))
                self._bytes -= len(self._entries.pop(oldest)["body"])
            self._entries[key] = entry
            self._bytes += size

    def discard(self, key) -> None:
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._bytes -= len(entry["body"])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


local_pages = LocalPages()


def is_cacheable_request(request) -> bool:
    """Anonymous reads only: no session, no pending message, no credentials."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def page_key(request, query_params) -> str | None:
    """The page's key: scheme, host, path and the parameters it reads, each in
    the one form it is stored under. None when this address is not stored (a
    form of the page's address other than that one)."""
    host = request.get_host()
    domain, port = split_domain_port(host)
    if port and port != request.get_port():
        return None  # Django checks the host's name only, not its port
    if host != (f"{domain}:{port}" if port else domain):
        return None  # capitals, a trailing dot
    params = []
    for name in query_params:
        value = request.GET.get(name)
        if value is not None and name in QUERY_PARAMS:
            value = QUERY_PARAMS[name](value)
            if value is NOT_STORED:
                return None
        if value is not None:
            params.append((name, value))
    raw = f"{request.scheme}://{host}{request.path}?{urlencode(params)}"
    return ENTRY_PREFIX + hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def is_storable(request, response) -> bool:
    """Nothing personal may reach the cache: no cookie, token, session or message."""
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    if "Vary" in response or response.has_header("Cache-Control"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    storage = getattr(request, "_messages", None)
    return storage is None or len(storage) == 0


def make_entry(response, version: int, previous: dict | None = None) -> dict:
    """The entry for a rendered page; ``previous`` is the one the cache held for
    the same address (for an older version), if any."""
    body = response.content
    stored = time.time()
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    if previous is not None and previous["etag"] == etag:
        # The same page: revalidating with its date still gets a 304.
        changed, last_modified = previous["changed"], previous["last_modified"]
    elif previous is not None and int(previous["changed"]) >= int(stored):
        # Another page in the same second: a date cannot tell them apart.
        changed, last_modified = stored, None
    else:
        changed, last_modified = stored, http_date(stored)
    return {
        "version": version,
        "expires": stored + ttl(),
        "body": body,
        "headers": [
            (name, value)
            for name, value in response.items()
            if name.lower() in KEPT_HEADERS
        ],
        "attributes": {
            name: getattr(response, name)
            for name in KEPT_ATTRIBUTES
            if hasattr(response, name)
        },
        "etag": etag,
        # When the cache first stored this page (not a feed's own date, which
        # goes back when its newest story is deleted).
        "changed": changed,
        "last_modified": last_modified,
    }


def response_from_entry(request, entry, state: str) -> HttpResponse:
    """The cached page, or a 304 when the reader already has it (and a 412 when
    an ``If-Match`` or ``If-Unmodified-Since`` fails)."""
    body = entry["body"]
    response = HttpResponse(b"" if request.method == "HEAD" else body)
    for name, value in entry["headers"]:
        response[name] = value
    response["ETag"] = entry["etag"]
    modified = None
    if entry["last_modified"]:
        response["Last-Modified"] = entry["last_modified"]
        modified = int(entry["changed"])
    response["Cache-Control"] = public_cache_control()
    response = get_conditional_response(request, entry["etag"], modified, response)
    if response.status_code in (200, 304):
        # A 304 too: the page's length (RFC 9110 8.6), not 0, which is what
        # CommonMiddleware would add to the 304 of a miss.
        response["Content-Length"] = str(len(body))
    for name, value in entry["attributes"].items():
        setattr(response, name, value)
    response["X-Page-Cache"] = state
    return response


def public_cache_control() -> str:
    max_age = getattr(settings, "PAGE_CACHE_MAX_AGE", 0)
    if max_age:
        return f"public, max-age={max_age}"
    return "public, max-age=0, must-revalidate"


def mark_private(response, state: str):
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Page-Cache"] = state
    return response


def ttl() -> int:
    return getattr(settings, "PAGE_CACHE_TTL", 60)


def store(key: str, entry: dict) -> None:
    page_cache().set(key, entry, ttl())
    local_pages.put(key, entry)


def cached_page(view_func=None, *, query_params=("page",)):
    """Serve ``view_func`` from the page cache to anonymous readers.

    ``query_params`` are the parameters the page reads (names in
    ``QUERY_PARAMS``); others are ignored (so ``?utm_source=`` shares the cached
    page instead of busting it).
    """
    query_params = tuple(query_params)
    unbounded = set(query_params) - QUERY_PARAMS.keys()
    if unbounded:
        raise ImproperlyConfigured(
            f"The page cache cannot bound the values of {sorted(unbounded)}: "
            "add them to articles.cache.QUERY_PARAMS."
        )

    def decorator(func):
        @functools.wraps(func)
        def wrapper(request, *args, **kwargs):
            if not enabled():
                return func(request, *args, **kwargs)
            if not is_cacheable_request(request):
                response = func(request, *args, **kwargs)
                if request.method in ("GET", "HEAD"):
                    mark_private(response, "bypass")
                return response
            key = page_key(request, query_params)
            if key is None:
                return uncacheable(func(request, *args, **kwargs))
            # The middleware's look-up, when it made one for this same page.
            found = request.__dict__.pop("_page_cache_lookup", None)
            if found is None or found.key != key:
                found = lookup(key)
            version, entry = found.settle()
            if version is None:
                return mark_private(func(request, *args, **kwargs), "unavailable")
            if entry is not None:
                return response_from_entry(request, entry, "hit")
            response = func(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
            if not is_storable(request, response):
                return uncacheable(response)
            entry = make_entry(response, version, found.entry)
            response = response_from_entry(request, entry, "miss")
            if getattr(request, "_page_cache_middleware", False):
                # Stored by the middleware once the inner middleware is done.
                request._page_cache_pending = (key, entry, response)
            else:
                store(key, entry)
            return response

        wrapper.page_cache_query_params = query_params
        return wrapper

    return decorator(view_func) if view_func is not None else decorator


def uncacheable(response):
    """A page rendered for an anonymous reader and not stored: private."""
    if response.status_code == 200:
        mark_private(response, "uncacheable")
    return response


def cached_page_params(request):
    """The query parameters of the ``cached_page`` view at this address, or None."""
    return _params_at(get_resolver(get_urlconf()), request.path_info)


@functools.lru_cache(maxsize=4096)
def _params_at(resolver, path):
    """Remembered per URLconf and address (the least recently used go first),
    so a hit does not walk the URL patterns."""
    try:
        func = resolver.resolve(path).func
    except Resolver404:
        return None
    return getattr(func, "page_cache_query_params", None)


class PageCacheMiddleware:
    """Answer cache hits before the session, CSRF, auth, messages and Axes
    middleware and the view; store what the view rendered once the inner
    middleware has finished with it.

    Belongs right inside the middleware that sets response headers for every
    page (``SecurityMiddleware``, ``ContentSecurityPolicyMiddleware``,
    ``SecurityHeadersMiddleware``, ``XFrameOptionsMiddleware``) so that hits
    carry exactly their headers, and outside everything that reads cookies or
    identifies the reader.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or not is_cacheable_request(request):
            return self.get_response(request)
        query_params = cached_page_params(request)
        if query_params is None:
            return self.get_response(request)
        key = page_key(request, query_params)
        if key is None:
            return self.get_response(request)
        found = lookup(key)
        entry = found.fresh_entry()
        if entry is not None:
            return response_from_entry(request, entry, "hit")
        # A miss, or a version to settle: the view's decorator takes it from here.
        request._page_cache_lookup = found
        request._page_cache_middleware = True
        response = self.get_response(request)
        pending = request.__dict__.pop("_page_cache_pending", None)
        if pending is not None:
            key, entry, built = pending
            if response is not built or response.cookies or "Vary" in response:
                # Something inside replaced it or made it personal after the view.
                mark_private(response, "uncacheable")
            else:
                store(key, entry)
        return response
