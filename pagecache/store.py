"""The store: cached pages, their keys, and this process's copies of them.

An entry records the content version it was rendered for and is served only
while that is the current version (``pagecache.versions``); see
``docs/pagecache.md`` for the whole design.
"""

import hashlib
import threading
import time
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from articles.http import PAGE_NUMBER
from pagecache import conf, versions
from pagecache.versions import NEXT_KEY, VERSION_KEY

# Entries are not versioned by key: each records the version it was rendered for.
# A new entry format needs a new prefix (old and new processes share Redis).
ENTRY_PREFIX = "pagecache:page:"
# Response headers a view sets that the cache keeps (middleware adds the rest).
KEPT_HEADERS = {"content-type", "content-language", "x-robots-tag", "link"}
# Response attributes the outer middleware reads (CSP, X-Frame-Options).
KEPT_ATTRIBUTES = ("_csp_config", "_csp_ro_config", "xframe_options_exempt")

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
            version = versions.settle_version(
                versions.page_cache(),
                self.values.get(VERSION_KEY),
                self.values.get(NEXT_KEY),
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
    cache = versions.page_cache()
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
        return conf.settings.PAGE_CACHE_LOCAL_BYTES

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
        "expires": stored + versions.ttl(),
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
    max_age = conf.settings.PAGE_CACHE_MAX_AGE
    if max_age:
        return f"public, max-age={max_age}"
    return "public, max-age=0, must-revalidate"


def mark_private(response, state: str):
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Page-Cache"] = state
    return response


def store(key: str, entry: dict) -> None:
    versions.page_cache().set(key, entry, versions.ttl())
    local_pages.put(key, entry)


def uncacheable(response):
    """A page rendered for an anonymous reader and not stored: private."""
    if response.status_code == 200:
        mark_private(response, "uncacheable")
    return response
