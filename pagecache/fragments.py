"""Stitching volatile fragments into cached pages at hit time (ESI-like).

A page rendered to be cached carries placeholders where view counts, card
comment counts, Most Viewed and Most Commented go (``articles.fragments``), so
the entry itself never changes when a count does. When the page is served the
fragments come from small cached copies of their own, all in one ``get_many``;
one missing or older than ``PAGE_CACHE_FRAGMENT_SECONDS`` is rendered again by
the app that registered it (``docs/pagecache.md``, "Volatile fragments").
"""

import hashlib
import re
import time
from collections import defaultdict

from django.utils.http import http_date

from articles import fragments
from newsroom import replicas
from pagecache import compression, conf, versions

FRAGMENT_PREFIX = "pagecache:fragment:"
PLACEHOLDER = re.compile(fragments.PLACEHOLDER.pattern.encode())
# A fragment's copy is kept long after it is due for a render, so that an
# unchanged fragment keeps the date it last changed (Last-Modified).
KEEP_SECONDS = 24 * 3600


def holes_in(body: bytes) -> tuple[bytes, ...]:
    """The distinct placeholders of a page whose fragments are registered."""
    found = dict.fromkeys(match.group(0) for match in PLACEHOLDER.finditer(body))
    return tuple(hole for hole in found if fragments.is_registered(_parse(hole)[0]))


def _parse(hole: bytes) -> tuple[str, tuple[int, ...]]:
    return fragments.parse(fragments.PLACEHOLDER.fullmatch(hole.decode()))


def _key(hole: bytes) -> str:
    # "<!--pc:most_viewed:5-->" -> "pagecache:fragment:most_viewed:5"
    return FRAGMENT_PREFIX + hole[7:-3].decode()


def resolve(holes) -> dict[bytes, dict]:
    """``{placeholder: {"html": bytes, "since": float | None, "fresh": float}}``:
    one ``get_many``, then a render of what is missing or due, each kind of
    fragment in one call (one query for a front page's cards)."""
    cache = versions.page_cache()
    keys = {hole: _key(hole) for hole in holes}
    found = cache.get_many(list(keys.values())) if keys else {}
    now = time.time()
    values, due = {}, defaultdict(list)
    for hole, key in keys.items():
        value = found.get(key)
        if value is not None and value["fresh"] > now:
            values[hole] = value
        else:
            name, args = _parse(hole)
            due[name].append((hole, args))
    updates = {}
    for name, wanted in due.items():
        # Kept in the shared cache and served to every reader: read from the
        # primary, never from a lagging replica (newsroom/replicas.py).
        with replicas.primary_reads():
            rendered = fragments.render(name, [args for _, args in wanted])
        for (hole, _), html in zip(wanted, rendered, strict=True):
            html = str(html).encode()
            old = found.get(keys[hole])
            if old is None:
                # Seen for the first time (or evicted): as old as the page.
                since = 0.0
            elif old["html"] == html:
                since = old["since"]  # unchanged: it keeps its date
            elif old["since"] is None or int(old["since"]) >= int(now):
                since = None  # changed twice in a second: no date tells them apart
            else:
                since = now
            value = {
                "html": html,
                "since": since,
                "fresh": now + conf.settings.PAGE_CACHE_FRAGMENT_SECONDS,
            }
            values[hole] = updates[keys[hole]] = value
    if updates:
        cache.set_many(updates, KEEP_SECONDS)
    return values


def digest(entry, values) -> str:
    """Names the page as assembled: the entry and each fragment's HTML."""
    hasher = hashlib.blake2b(entry["etag"].encode(), digest_size=16)
    for hole in entry["fragments"]:
        hasher.update(b"\0" + values[hole]["html"])
    return hasher.hexdigest()


def assemble(entry, values, name: str) -> dict:
    """The entry with its fragments in: body, compressed variants, an ETag of
    its own, and a Last-Modified when the page and every fragment have one
    (the latest of them)."""
    body = PLACEHOLDER.sub(
        lambda match: (
            values[match.group(0)]["html"]
            if match.group(0) in values
            else match.group(0)
        ),
        entry["body"],
    )
    now = time.time()
    dates = [entry["changed"] if entry["last_modified"] else None]
    for hole in entry["fragments"]:
        since = values[hole]["since"]
        # A fragment that changed this very second may change again within it.
        dates.append(None if since is None or int(since) >= int(now) else since)
    changed = max(dates) if None not in dates else None
    content_type = next(
        (
            value
            for header, value in entry["headers"]
            if header.lower() == "content-type"
        ),
        "",
    )
    fresh = min(values[hole]["fresh"] for hole in entry["fragments"])
    return {
        **entry,
        "body": body,
        "variants": compression.compress(body, content_type),
        "fragments": (),
        "etag": f'"{name}"',
        "changed": changed or entry["changed"],
        "last_modified": http_date(changed) if changed else None,
        # Kept no longer than its page, nor than its first fragment to go stale.
        "expires": min(entry["expires"], fresh),
    }


def stitch_body(body: bytes) -> bytes:
    """A rendered page with its fragments in (a page that is not stored)."""
    holes = holes_in(body)
    if not holes:
        return body
    values = resolve(holes)
    return PLACEHOLDER.sub(
        lambda match: values.get(match.group(0), {}).get("html", match.group(0)), body
    )
