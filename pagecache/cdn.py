"""What a CDN or a reverse proxy in front of the site needs from a cached page:
the names of what it shows, and how long shared caches may keep it.

Each entry records its dependencies (``entry["deps"]``: ``story:12``,
``list:home``, ...). They go out as ``Surrogate-Key`` (Fastly, Varnish; space
separated), ``Cache-Tag`` (Cloudflare; comma separated) and ``xkey``
(varnish-modules), as ``PAGE_CACHE_SURROGATE_HEADERS`` says, each page also
carrying ``all`` for a site-wide purge. When the same names are retired,
``pagecache.purgers`` purges them there (``docs/pagecache.md``, "CDN and
Varnish").
"""

import hashlib
import re
import time

from django.core.exceptions import ImproperlyConfigured
from django.utils.cache import patch_cache_control

from pagecache import conf, versions

# Carried by every page: purging it empties the shared caches of the site.
SITE_WIDE = "all"
# Header name -> separator. Lower-case keys: the setting may spell them any way.
SEPARATORS = {"surrogate-key": " ", "cache-tag": ",", "xkey": " "}
# Names are sent as they are when they look like this (what every CDN takes:
# no spaces, commas or quotes; Cloudflare compares tags case-insensitively, so
# capitals are not trusted to keep two names apart)...
TOKEN = re.compile(r"[a-z0-9][a-z0-9_.:/-]{0,127}")
# ...and as a hash otherwise. Cloudflare takes at most 16 KB of Cache-Tag per
# response and Fastly 16 KB of Surrogate-Key; beyond that they drop names
# silently, so a page with more is not kept by shared caches at all.
MAX_HEADER_BYTES = 16 * 1024 - 1
ADDRESS_PREFIX = "pagecache:addresses:"


def token(name: str) -> str:
    """``name`` as it travels in headers and purges: itself when it is a safe
    token, else a short hash of it (the same one on both sides)."""
    if TOKEN.fullmatch(name):
        return name
    return "h:" + hashlib.blake2b(name.encode(), digest_size=12).hexdigest()


def names_for(entry) -> list[str]:
    """The tokens of what the page shows, the site-wide name first."""
    names = {token(name) for name in (entry.get("deps") or {})}
    names.discard(SITE_WIDE)
    return [SITE_WIDE, *sorted(names)]


def _header_names() -> list[str]:
    headers = conf.settings.PAGE_CACHE_SURROGATE_HEADERS
    names = [name.strip() for name in headers if name.strip()]
    unknown = [name for name in names if name.lower() not in SEPARATORS]
    if unknown:
        raise ImproperlyConfigured(
            f"PAGE_CACHE_SURROGATE_HEADERS: unknown header {unknown}; "
            f"choose among Surrogate-Key, Cache-Tag, xkey."
        )
    return names


def headers_for(entry) -> dict[str, str] | None:
    """The surrogate-key headers of a cached page; None when its names do not
    fit in them (then shared caches must not keep it: a purge of one of its
    names would miss it)."""
    names = names_for(entry)
    headers = {}
    for header in _header_names():
        value = SEPARATORS[header.lower()].join(names)
        if len(value) > MAX_HEADER_BYTES:
            return None
        headers[header] = value
    return headers


def with_shared_directives(value: str) -> str:
    """``value`` (the browsers' Cache-Control) with the directives for shared
    caches that are configured: ``s-maxage``, ``stale-while-revalidate``,
    ``stale-if-error``. ``must-revalidate`` forbids serving a stale copy, so
    it is left out when a ``stale-*`` is set (browsers still revalidate a
    ``max-age=0`` page at each use)."""
    settings = conf.settings
    directives = []
    if settings.PAGE_CACHE_S_MAXAGE is not None:
        directives.append(f"s-maxage={int(settings.PAGE_CACHE_S_MAXAGE)}")
    for name, seconds in (
        ("stale-while-revalidate", settings.PAGE_CACHE_STALE_WHILE_REVALIDATE),
        ("stale-if-error", settings.PAGE_CACHE_STALE_IF_ERROR),
    ):
        if seconds:
            directives.append(f"{name}={int(seconds)}")
            value = value.replace(", must-revalidate", "")
    return ", ".join([value, *directives])


def apply(request, response, entry, state: str) -> None:
    """Called by ``store.response_from_entry``: the surrogate keys on every
    page served from an entry; on a miss, its address is remembered under its
    names when a purger purges by address."""
    headers = headers_for(entry)
    if headers is None:
        patch_cache_control(response, s_maxage=0)
        return
    for name, value in headers.items():
        response[name] = value
    if state == "miss" and remembers_addresses():
        remember_address(request.build_absolute_uri(), names_for(entry))


def remembers_addresses() -> bool:
    """Whether a configured purger purges addresses (``purge://``), not names."""
    return any(
        spec.get("type") == "purge"
        if isinstance(spec, dict)
        else str(spec).strip().startswith("purge://")
        for spec in conf.settings.PAGE_CACHE_PURGERS
    )


def remember_address(url: str, names: list[str]) -> None:
    """Keep ``url`` under each of ``names`` in the shared cache, the most
    recent ``PAGE_CACHE_PURGE_ADDRESSES`` per name, for as long as a shared
    cache may keep the page. Best effort: two processes remembering under the
    same name at once may lose one address (keep ``s-maxage`` short)."""
    limit = conf.settings.PAGE_CACHE_PURGE_ADDRESSES
    if not limit:
        return
    keep = _shared_lifetime()
    cache = versions.page_cache()
    keys = [ADDRESS_PREFIX + name for name in names]
    now = time.time()
    try:
        found = cache.get_many(keys)
        updated = {}
        for key in keys:
            addresses = {
                address: until
                for address, until in (found.get(key) or {}).items()
                if until > now and address != url
            }
            addresses[url] = now + keep
            if len(addresses) > limit:
                newest = sorted(addresses.items(), key=lambda item: item[1])
                addresses = dict(newest[-limit:])
            updated[key] = addresses
        cache.set_many(updated, timeout=int(keep) + 1)
    except Exception:  # noqa: BLE001 - a cache outage must not fail a page
        pass


def addresses_for(names: list[str]) -> list[str]:
    """The addresses remembered under any of ``names``."""
    found = versions.page_cache().get_many([ADDRESS_PREFIX + name for name in names])
    now = time.time()
    return sorted(
        {
            address
            for addresses in found.values()
            for address, until in addresses.items()
            if until > now
        }
    )


def _shared_lifetime() -> float:
    """How long a shared cache may keep a page (and serve it stale)."""
    settings = conf.settings
    seconds = (
        settings.PAGE_CACHE_S_MAXAGE
        if settings.PAGE_CACHE_S_MAXAGE is not None
        else settings.PAGE_CACHE_MAX_AGE
    )
    return max(
        60,
        (seconds or 0)
        + (settings.PAGE_CACHE_STALE_WHILE_REVALIDATE or 0)
        + (settings.PAGE_CACHE_STALE_IF_ERROR or 0),
    )
