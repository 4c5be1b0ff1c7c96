"""The page cache: whole rendered reader pages for anonymous readers.

Design. One site-wide *content version* lives in the cache (an integer bumped
with an atomic ``incr``). A cached page's key holds that version, the scheme,
host, path and the few query parameters the page reads (``page``,
``comments``), so bumping the version retires every cached page at once; the
old entries simply expire. Anything a reader page shows (a story, its bylines
and tags, a section, an author, an approved comment, the Most Commented list)
changes the version through ``bump()``: from signal handlers
(``articles/signal_handlers.py``, ``comments/signal_handlers.py``) and from
``ArticleQuerySet.update()`` (bulk admin actions send no signals). A site-wide
version is coarser than per-page tags, but exact with one integer: newsrooms
write a few times a minute and read thousands of times a second, and home,
section, tag and author pages all show the same stories anyway.

Scheduled stories. ``published()`` decides at query time, so a story whose
time arrives changes pages without any write. With each version the cache
keeps the next scheduled publication time (one indexed query per version);
the first request after that moment bumps the version, so the story appears
on time without a job.

Who gets cached pages. Only anonymous ``GET``/``HEAD`` requests without a
session or messages cookie and without ``Authorization``: staff (who have a
session) and a reader who has just posted (messages cookie) get a fresh page,
marked ``private``. A response is stored only when it is a 200 that sets no
cookie, asked for no CSRF token, did not touch the session and carries no
message, so no reader ever receives what was rendered for another.

Staleness. Content changes are immediate: the version is bumped when the
change is saved and again when its transaction commits. What is not a content
change (view counts, Most Viewed, comments closing after N days) can lag by up
to ``PAGE_CACHE_TTL`` seconds (default 60). Browsers get ``public, max-age=0,
must-revalidate`` (``PAGE_CACHE_MAX_AGE``) with an ETag, so they ask every
time and usually receive a 304; a reader redirected back after posting a
comment never sees a copy from their own browser cache.

Failure. With Redis down (django-redis ignores errors) the version cannot be
read: pages are rendered as if uncached, still 200.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Min
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags

VERSION_KEY = "pagecache:version"
NEXT_KEY = "pagecache:next"
# Response headers a view sets that the cache keeps (middleware adds the rest).
KEPT_HEADERS = {"content-type", "content-language", "x-robots-tag", "link"}


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


def next_scheduled_publication(now) -> float:
    """Timestamp of the next story due to go live, 0 when none is scheduled."""
    from articles.models import Article

    due = Article.objects.scheduled(now).aggregate(due=Min("published_at"))["due"]
    return due.timestamp() if due else 0.0


def current_version() -> int | None:
    """The content version, after retiring it if a scheduled story went live.

    None when the cache cannot be reached: the caller renders without it.
    """
    cache = page_cache()
    values = cache.get_many([VERSION_KEY, NEXT_KEY])
    version = values.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
        if version is None:
            return None
    now = timezone.now()
    scheduled = values.get(NEXT_KEY)
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


def is_cacheable_request(request) -> bool:
    """Anonymous reads only: no session, no pending message, no credentials."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return "HTTP_AUTHORIZATION" not in request.META


def page_key(request, version: int, query_params) -> str:
    params = "&".join(
        f"{name}={request.GET.get(name)}"
        for name in query_params
        if name in request.GET
    )
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{params}"
    digest = hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()
    return f"pagecache:page:{version}:{digest}"


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


def make_entry(response) -> dict:
    body = response.content
    return {
        "body": body,
        "headers": [
            (name, value)
            for name, value in response.items()
            if name.lower() in KEPT_HEADERS
        ],
        "etag": '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"',
        "stored": time.time(),
    }


def response_from_entry(request, entry, state: str) -> HttpResponse:
    """The cached page, or a 304 when the reader already has it."""
    if entry["etag"] in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
        response = HttpResponseNotModified()
    else:
        body = entry["body"]
        response = HttpResponse(b"" if request.method == "HEAD" else body)
        for name, value in entry["headers"]:
            response[name] = value
        response["Content-Length"] = str(len(body))
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["stored"])
    response["Cache-Control"] = public_cache_control()
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


def cached_page(view_func=None, *, query_params=("page",)):
    """Serve ``view_func`` from the page cache to anonymous readers.

    ``query_params`` are the parameters the page reads; others are ignored
    (so ``?utm_source=`` shares the cached page instead of busting it).
    """

    def decorator(func):
        @wraps(func)
        def wrapper(request, *args, **kwargs):
            if not enabled():
                return func(request, *args, **kwargs)
            if not is_cacheable_request(request):
                response = func(request, *args, **kwargs)
                if request.method in ("GET", "HEAD"):
                    mark_private(response, "bypass")
                return response
            version = current_version()
            if version is None:
                return mark_private(func(request, *args, **kwargs), "unavailable")
            cache = page_cache()
            key = page_key(request, version, query_params)
            entry = cache.get(key)
            if entry is not None:
                return response_from_entry(request, entry, "hit")
            response = func(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
            if not is_storable(request, response):
                if response.status_code == 200:
                    mark_private(response, "uncacheable")
                return response
            entry = make_entry(response)
            cache.set(key, entry, getattr(settings, "PAGE_CACHE_TTL", 60))
            return response_from_entry(request, entry, "miss")

        return wrapper

    return decorator(view_func) if view_func is not None else decorator
