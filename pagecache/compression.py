"""Compressed pages: brotli and gzip made once, when a page is stored, and the
one to send chosen from the reader's ``Accept-Encoding`` (``docs/pagecache.md``).

Nothing else compresses pages: ``GZipMiddleware`` is not installed (it would
compress every hit again, and leaves alone a response that already carries a
``Content-Encoding``), and WhiteNoise compresses static files only.
"""

import gzip

import brotli

from pagecache import conf

# What compresses well; images and other binary types are left as they are.
COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/json",
    "application/javascript",
)
# The encodings made, in the order preferred when the reader accepts several
# equally, and the suffix each adds inside the ETag's quotes.
ENCODINGS = ("br", "gzip")
ETAG_SUFFIXES = {"br": "-br", "gzip": "-gz"}


def is_compressible(content_type: str) -> bool:
    return content_type.lower().startswith(COMPRESSIBLE_TYPES)


def compress(body: bytes, content_type: str) -> dict[str, bytes]:
    """``{"br": ..., "gzip": ...}`` for a page worth compressing, else ``{}``.

    Bodies under ``PAGE_CACHE_COMPRESS_MIN_BYTES`` are not worth the headers;
    a variant that came out no smaller than the page is left out.
    """
    if len(body) < conf.settings.PAGE_CACHE_COMPRESS_MIN_BYTES:
        return {}
    if not is_compressible(content_type):
        return {}
    variants = {
        "br": brotli.compress(
            body,
            mode=brotli.MODE_TEXT,
            quality=conf.settings.PAGE_CACHE_BROTLI_QUALITY,
        ),
        # mtime=0: the same page always gives the same bytes.
        "gzip": gzip.compress(body, compresslevel=6, mtime=0),
    }
    return {name: data for name, data in variants.items() if len(data) < len(body)}


def _quality(text: str) -> float | None:
    """The q-value of one ``Accept-Encoding`` item's parameters; None when it
    is malformed (such an item is ignored)."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not 0 <= value <= 1:
        return None
    return value


def accepted(header: str) -> dict[str, float]:
    """The codings of an ``Accept-Encoding`` header with their q-values
    (RFC 9110 12.5.3), names lower-cased; malformed items are skipped."""
    codings = {}
    for item in header.split(",")[:32]:  # a reader's header is bounded here
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                quality = _quality(value.strip())
        if quality is not None:
            codings[name] = quality
    return codings


def choose(header: str | None, available) -> str | None:
    """The encoding to send (``"br"``, ``"gzip"``) or None for the page as is.

    Among the ``available`` encodings the reader accepts (q above 0, named or
    through ``*``), the highest q wins, brotli before gzip on a tie. Identity
    is the fallback: always acceptable in practice, even when a reader
    refuses it, since a 406 would help no one.
    """
    if not header or not available:
        return None
    codings = accepted(header)
    star = codings.get("*", 0.0)
    best, best_quality = None, 0.0
    for name in ENCODINGS:
        if name not in available:
            continue
        quality = codings.get(name, codings.get("x-gzip") if name == "gzip" else None)
        if quality is None:
            quality = star
        if quality > best_quality:
            best, best_quality = name, quality
    return best


def etag_for(etag: str, encoding: str | None) -> str:
    """The ETag of the page sent in ``encoding``: another representation,
    so another tag (``"abc"`` → ``"abc-br"``)."""
    if encoding is None:
        return etag
    return etag[:-1] + ETAG_SUFFIXES[encoding] + '"'
