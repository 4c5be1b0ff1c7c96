"""The store: cached pages, their keys, and this process's copies of them.

An entry records the content version it was rendered for and is served only
while that is the current version (``pagecache.versions``); see
``docs/pagecache.md`` for the whole design.
"""

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils import timezone, translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date

from articles import shown
from articles.http import PAGE_NUMBER
from pagecache import cdn, compression, conf, dependencies, fragments, versions
from pagecache.versions import NEXT_KEY, VERSION_KEY

# Entries are not versioned by key: each records the version it was rendered for.
# A new entry format needs a new prefix (old and new processes share Redis).
ENTRY_PREFIX = "pagecache:page:"
# Response headers a view sets that the cache keeps (middleware adds the rest).
KEPT_HEADERS = {"content-type", "content-language", "x-robots-tag", "link"}
# Response attributes the outer middleware reads (CSP, X-Frame-Options).
KEPT_ATTRIBUTES = ("_csp_config", "_csp_ro_config", "xframe_options_exempt")
# A view may give its page a browser and CDN lifetime of its own: a
# ``page_max_age`` attribute (seconds) with the same ``Cache-Control`` header
# (live coverage's polling endpoint, live/views.py). Its entry keeps it.
PAGE_MAX_AGE = "page_max_age"

NOT_STORED = object()


# The forms of the API's ``cursor`` (api/cursors.py) and ``limit``.
API_CURSOR = re.compile(r"(?=.{3,600}$)[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
API_LIMIT = re.compile(r"[1-9][0-9]?|100")


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
    # The API's lists (api/urls.py): a signed cursor, one per position (one
    # that does not verify is a 400, never stored), and a page size 1-100.
    "cursor": lambda value: value if API_CURSOR.fullmatch(value) else NOT_STORED,
    "limit": lambda value: value if API_LIMIT.fullmatch(value) else NOT_STORED,
}


class Lookup(NamedTuple):
    """What one round trip returned for a page: the version, the next
    scheduled publication and the versions of the page's dependencies
    (``values``, under their keys) and the page's entry (from the cache, or
    this process's copy), whatever versions it is for."""

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
        return _for_version(self.entry, self.settled_version(), self.values)

    def settle(self) -> tuple[int | None, dict | None]:
        """The current version (None: the cache is unreachable) and the entry
        if it is one for that version; may query the database (in the view)."""
        version = self.settled_version()
        values = self.values
        if version is None:
            cache = versions.page_cache()
            version = versions.settle_version(
                cache,
                self.values.get(VERSION_KEY),
                self.values.get(NEXT_KEY),
                on_due=dependencies.stories_went_live,
            )
            if version is not None and self.entry is not None:
                # Settling may have retired names (a scheduled story went live).
                values = cache.get_many(_dep_keys(self.entry))
        return version, _for_version(self.entry, version, values)

    def known_names(self) -> tuple[str, ...]:
        """The names this page showed last time (its entry's, or the ones
        this process remembers): read before a render (``Recording``)."""
        if self.entry is not None:
            return tuple(self.entry.get("deps") or ())
        return _seen.get(self.key)


def _dep_keys(entry) -> list[str]:
    return [versions.dep_key(name) for name in entry.get("deps") or ()]


def _for_version(entry, version, values=None):
    """``entry`` if it was rendered for ``version`` and every dependency
    version it recorded is still the one in ``values``; else None."""
    if version is None or entry is None or entry.get("version") != version:
        return None
    values = values or {}
    for name, dep_version in (entry.get("deps") or {}).items():
        if values.get(versions.dep_key(name)) != dep_version:
            return None  # changed, or missing (evicted): a change
    return entry


def is_current(entry, version) -> bool:
    """Whether ``entry`` (fetched on its own, e.g. by a reader waiting for
    another's render) is for ``version`` and its dependencies: one round trip."""
    if entry is None or entry.get("version") != version:
        return False
    keys = _dep_keys(entry)
    values = versions.page_cache().get_many(keys) if keys else {}
    return _for_version(entry, version, values) is not None


class SeenNames:
    """The dependency names of the pages this process looked up last, so
    that a hit fetches the entry and its dependency versions in one round
    trip. Least recently used pages are forgotten first."""

    def __init__(self, size: int = 8192):
        self.size = size
        self._names = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key) -> tuple[str, ...]:
        with self._lock:
            names = self._names.get(key)
            if names is None:
                return ()
            self._names.move_to_end(key)
            return names

    def put(self, key, names) -> None:
        names = tuple(names)
        with self._lock:
            if self._names.get(key) == names:
                self._names.move_to_end(key)
                return
            self._names[key] = names
            self._names.move_to_end(key)
            while len(self._names) > self.size:
                self._names.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._names.clear()


_seen = SeenNames()


def lookup(key: str) -> Lookup:
    """The version, the next publication time, the page and the versions of
    its dependencies: one round trip.

    The dependencies fetched are those of this process's copy of the page
    (``local_pages``) or those it saw for the page last time; only when the
    page turns out to show others (or the copy is outdated) is there a
    second round trip. With a copy, the page itself is not fetched.
    """
    cache = versions.page_cache()
    entry = local_pages.get(key)
    names = tuple(entry.get("deps") or ()) if entry is not None else _seen.get(key)
    dep_keys = [versions.dep_key(name) for name in names]
    if entry is None:
        values = cache.get_many([VERSION_KEY, NEXT_KEY, key, *dep_keys])
        entry = values.pop(key, None)
    else:
        values = cache.get_many([VERSION_KEY, NEXT_KEY, *dep_keys])
        if _for_version(entry, values.get(VERSION_KEY), values) is None:
            # Outdated here; another process may have stored the current page.
            local_pages.discard(key)
            entry = cache.get(key)
    if entry is not None:
        fetched = {VERSION_KEY, NEXT_KEY, *dep_keys}
        missing = [dep for dep in _dep_keys(entry) if dep not in fetched]
        if missing:
            values.update(cache.get_many(missing))
        _seen.put(key, entry.get("deps") or ())
        if _for_version(entry, values.get(VERSION_KEY), values) is not None:
            local_pages.put(key, entry)
    return Lookup(key, values, entry)


class Recording:
    """What a render shows, and the versions to store it under.

    ``with Recording(found) as recording:`` around the view: the versions of
    the names the page showed last time are read before it renders, and
    ``articles.shown`` collects what it shows now. ``deps()`` is then the
    entry's ``deps``: each name with its version from before the render, so
    that a change committed during the render retires the entry. A name the
    page did not show before is read after the render, which is exact only if
    nothing changed meanwhile (``versions.read_deps``); otherwise ``deps()``
    is None and the page is not stored.
    """

    def __init__(self, found: Lookup):
        self.found = found
        self._before = None
        self._collecting = None
        self.names = None

    def __enter__(self):
        known = self.found.known_names()
        self._before = versions.read_deps(versions.page_cache(), known)
        self._collecting = shown.collecting()
        self.names = self._collecting.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._collecting.__exit__(*exc_info)

    def deps(self) -> dict | None:
        if self._before is None:
            return None
        names = self.names or {versions.ANY}
        before, sequence = self._before
        deps = {name: before[name] for name in names if name in before}
        new = sorted(names - before.keys())
        if new:
            after = versions.read_deps(versions.page_cache(), new)
            if after is None or after[1] != sequence:
                return None
            deps.update(after[0])
        _seen.put(self.found.key, sorted(deps))
        return dict(sorted(deps.items()))


class LocalPages:
    """This process's copies of the pages it served last, so that a hit needs
    only the version from the shared cache, not the page.

    A copy is used only while the shared cache's version is the one it was
    rendered for, and never past the moment its shared entry expires, so it
    is exactly as fresh as the shared cache. Least recently used copies go
    first once ``PAGE_CACHE_LOCAL_BYTES`` of pages are held (0: none).
    """

    def __init__(self, setting="PAGE_CACHE_LOCAL_BYTES"):
        self._entries = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.setting = setting

    def limit(self) -> int:
        return getattr(conf.settings, self.setting)

    def get(self, key):
        if not self._entries:
            return None
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return None
            if entry["expires"] <= time.time() or not self.limit():
                self._bytes -= entry_size(entry)
                return None
            self._entries[key] = entry  # now the most recently used
            return entry

    def put(self, key, entry) -> None:
        limit = self.limit()
        size = entry_size(entry)
        if not limit or size > limit:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= entry_size(old)
            while self._entries and self._bytes + size > limit:
                oldest = next(iter(self._entries))
                self._bytes -= entry_size(self._entries.pop(oldest))
            self._entries[key] = entry
            self._bytes += size

    def discard(self, key) -> None:
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is not None:
                self._bytes -= entry_size(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


local_pages = LocalPages()
# Pages with their fragments stitched in and compressed, per page and
# fragment contents (``fragments.digest``): a hit compresses nothing.
assembled_pages = LocalPages("PAGE_CACHE_ASSEMBLED_BYTES")


def entry_size(entry) -> int:
    """Bytes an entry holds: the page and its compressed variants."""
    return len(entry["body"]) + sum(map(len, entry.get("variants", {}).values()))


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
    # The language too: a shared cache may serve app servers set to different
    # site languages (LANGUAGE_CODE), and each page's words depend on it.
    raw = (
        f"{static_build()} {translation.get_language()} "
        f"{request.scheme}://{host}{request.path}?{urlencode(params)}"
    )
    return ENTRY_PREFIX + hashlib.blake2b(raw.encode(), digest_size=20).hexdigest()


def static_build() -> str:
    """The collected static files this process links to, as a short digest.

    Pages link to hashed file names (``ManifestStaticFilesStorage``): a page
    stored before a deploy that changed the CSS would go on linking the old
    file. Keys carry this digest, so a new build starts with new entries and
    the old ones expire. Without a manifest (development), the empty string.
    Read once per process; a manifest that could not be read is tried again.
    """
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if not manifest:
        return ""
    try:
        return _manifest_digest(manifest)
    except (ValueError, OSError):
        return ""


@functools.cache
def _manifest_digest(manifest: str) -> str:
    with staticfiles_storage.open(manifest) as f:
        return hashlib.blake2b(f.read(), digest_size=6).hexdigest()


static_build.cache_clear = _manifest_digest.cache_clear


def is_storable(request, response) -> bool:
    """Nothing personal may reach the cache: no cookie, token, session or message."""
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    if "Vary" in response:
        return False
    if response.has_header("Cache-Control") and response.get(
        "Cache-Control"
    ) != own_cache_control(response):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.accessed:
        return False
    storage = getattr(request, "_messages", None)
    return storage is None or len(storage) == 0


def make_entry(
    response, version: int, previous: dict | None = None, deps: dict | None = None
) -> dict:
    """The entry for a rendered page; ``previous`` is the one the cache held for
    the same address (for an older version), if any; ``deps`` what the page
    shows, each name with its version from before the render
    (``Recording.deps()``). Its brotli and gzip variants are made here, once
    (``pagecache.compression``)."""
    body = response.content
    stored = time.time()
    # Where the volatile fragments go; they are stitched in when served.
    holes = fragments.holes_in(body)
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
        # Name -> version: the entry is served only while each is unchanged.
        "deps": dict(deps or {}),
        "expires": stored + versions.ttl(),
        "body": body,
        # Encoding name -> compressed body; {} for a small or binary page,
        # and for one with fragments (compressed once assembled).
        "variants": (
            {}
            if holes
            else compression.compress(body, response.get("Content-Type", ""))
        ),
        "fragments": holes,
        "headers": [
            (name, value)
            for name, value in response.items()
            if name.lower() in KEPT_HEADERS
        ],
        "attributes": {
            name: getattr(response, name)
            for name in (*KEPT_ATTRIBUTES, PAGE_MAX_AGE)
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
    an ``If-Match`` or ``If-Unmodified-Since`` fails), in the encoding the
    reader prefers among those stored; each encoding has its own ETag."""
    if entry.get("fragments"):
        entry = stitched(entry)
    variants = entry.get("variants") or {}
    encoding = compression.choose(request.META.get("HTTP_ACCEPT_ENCODING"), variants)
    body = variants[encoding] if encoding else entry["body"]
    etag = compression.etag_for(entry["etag"], encoding)
    response = HttpResponse(b"" if request.method == "HEAD" else body)
    for name, value in entry["headers"]:
        response[name] = value
    response["ETag"] = etag
    if variants:
        patch_vary_headers(response, ("Accept-Encoding",))
    if encoding:
        response["Content-Encoding"] = encoding
    modified = None
    if entry["last_modified"]:
        response["Last-Modified"] = entry["last_modified"]
        modified = int(entry["changed"])
    response["Cache-Control"] = public_cache_control(
        entry["attributes"].get(PAGE_MAX_AGE)
    )
    cdn.apply(request, response, entry, state)  # a CDN's surrogate keys
    response = get_conditional_response(request, etag, modified, response)
    if response.status_code in (200, 304):
        # A 304 too: the page's length (RFC 9110 8.6), not 0, which is what
        # CommonMiddleware would add to the 304 of a miss.
        response["Content-Length"] = str(len(body))
    for name, value in entry["attributes"].items():
        setattr(response, name, value)
    response["X-Page-Cache"] = state
    return response


def stitched(entry) -> dict:
    """The entry with its volatile fragments in (``pagecache.fragments``).

    This process keeps the page as assembled, under the entry's ETag, until
    its first fragment is due (the assembled copy expires then): within that
    time a hit fetches no fragment at all, and counts are exactly as fresh as
    when every hit fetched them, at most ``PAGE_CACHE_FRAGMENT_SECONDS`` old.
    After that, one more round trip; unchanged fragments give the same ETag.
    """
    assembled = assembled_pages.get(entry["etag"])
    if assembled is None:
        values = fragments.resolve(entry["fragments"])
        name = fragments.digest(entry, values)
        assembled = fragments.assemble(entry, values, name)
        assembled_pages.put(entry["etag"], assembled)
    return assembled


def is_personal(response) -> bool:
    """Whether the response became personal after the view: it sets a cookie,
    or varies on anything but the ``Accept-Encoding`` the cache itself adds."""
    if response.cookies:
        return True
    vary = {
        field.strip().lower()
        for field in response.get("Vary", "").split(",")
        if field.strip()
    }
    return bool(vary - {"accept-encoding"})


def own_cache_control(response) -> str | None:
    """The ``Cache-Control`` a view sets with its own ``page_max_age``."""
    max_age = getattr(response, PAGE_MAX_AGE, None)
    return None if max_age is None else f"public, max-age={int(max_age)}"


def public_cache_control(max_age: int | None = None) -> str:
    if max_age is None:
        max_age = conf.settings.PAGE_CACHE_MAX_AGE
    if max_age:
        value = f"public, max-age={max_age}"
    else:
        value = "public, max-age=0, must-revalidate"
    # s-maxage and stale-* for shared caches, when configured (pagecache.cdn).
    return cdn.with_shared_directives(value)


def mark_private(response, state: str):
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Page-Cache"] = state
    return response


def store(key: str, entry: dict) -> None:
    versions.page_cache().set(key, entry, versions.ttl())
    local_pages.put(key, entry)


def uncacheable(response):
    """A page rendered for an anonymous reader and not stored: private (its
    fragments stitched in, if it was rendered with placeholders)."""
    # Only a page rendered here, for the cache, holds placeholders; one still
    # to be rendered (a TemplateResponse) is rendered with its fragments.
    rendered = getattr(response, "is_rendered", True)
    if rendered and not getattr(response, "streaming", False):
        if fragments.PLACEHOLDER.search(response.content):
            response.content = fragments.stitch_body(response.content)
    if response.status_code == 200:
        mark_private(response, "uncacheable")
    return response
