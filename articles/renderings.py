"""Rendered pieces of reader pages, reused across page-cache misses: story
cards and the card meta of the front page's lead (``{% story_card %}``,
``{% card_meta %}``).

A miss (a new story on the front page, a comment under a story) renders the
whole page again, yet nearly every card on it is the one the last render
wrote. A piece is kept in this process under a key made of everything it can
read: its kind and arguments, and every value loaded on the story and on what
was fetched with it (the section by ``select_related``, the bylines and their
authors by ``prefetch_related``, the tags when prefetched), plus the time zone
and the language. The key changes whenever anything the piece shows changes
(a headline, a dek, a picture and so its renditions, whose names follow the
picture's; a byline, an author's name, a section's name), and nothing has to
be told: there is no invalidation, and a piece can never be out of date.

Why not the dependency versions (``story:<id>``, ``author:<id>``, as cached
pages use): reading them is a round trip to the shared cache, and measured
(``bench/misses.py``, ``docs/pagecache.md``) that round trip cost about as
much as drawing the twenty cards of a front page, which are a few string
joins each (``articles.markup``). A key of loaded values costs no I/O.

A piece is kept only when drawing it ran no query: then everything it read
was loaded, so in its key. (A renderer that starts reading something not
fetched with the story is simply not reused, never stale.) Volatile parts
stay out: a card is kept with its ``card_comments`` placeholder
(``articles.fragments``) and gets its "N comments", or nothing, each time it
is used, exactly as drawing it in place would. A piece must not depend on the
clock ("2 hours ago"): cards write absolute times.

Bounded by ``ARTICLES_RENDERINGS_LOCAL_BYTES`` per process, least recently
used first out; emptied when a setting changes (tests). Per process only: a
shared cache would cost the round trip the key avoids. ``ARTICLES_RENDERINGS
= False`` turns it off, and with it the story page's kept ranking of related
stories (``ArticleDetailView.related_stories``), so that ``bench/misses.py``
measures a miss with and without what misses reuse in one run.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from articles import fragments
from articles.models import Article
from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # Reuse rendered cards (and the related-story ranking) across misses.
        "ARTICLES_RENDERINGS": True,
        # Bytes of rendered pieces each process keeps, keys included (a card
        # is about 1 KB of HTML and 3 KB of key): some 2,000 cards.
        "ARTICLES_RENDERINGS_LOCAL_BYTES": 8 * 2**20,
    }
)

# Bytes counted for a key beside its HTML: the loaded values it holds alive
# (about 2.6 KB for a card's story, section, bylines and authors, measured
# with tracemalloc).
KEY_BYTES = 3072
# How far the key follows related objects (story -> byline -> author).
DEPTH = 3
# Values taken into a key as they are (hashable, compared by value).
PLAIN = frozenset({str, int, bool, float, type(None), datetime, date, Decimal})


class LocalPieces:
    """This process's rendered pieces, bounded in bytes, least recently used
    first out. Thread-safe."""

    def __init__(self):
        self._items: OrderedDict[tuple, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
            return html

    def put(self, key, html: str) -> None:
        limit = settings.ARTICLES_RENDERINGS_LOCAL_BYTES
        size = len(html) + KEY_BYTES
        if size > limit:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old) + KEY_BYTES
            self._items[key] = html
            self._bytes += size
            while self._bytes > limit:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped) + KEY_BYTES

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self):
        return len(self._items)


local_pieces = LocalPieces()


def clear_local() -> None:
    local_pieces.clear()


def enabled() -> bool:
    return bool(settings.ARTICLES_RENDERINGS)


def loaded_state(obj, depth: int = DEPTH, seen=None) -> tuple:
    """Every value loaded on a model instance and on what was fetched with it
    (``select_related``, prefetched relations), as a hashable tuple."""
    seen = set() if seen is None else seen
    seen.add(id(obj))
    loaded = [(name, value) for name, value in obj.__dict__.items() if name[0] != "_"]
    state = [
        type(obj),
        tuple(name for name, _ in loaded),
        tuple(
            value if type(value) in PLAIN else _hashable(value) for _, value in loaded
        ),
    ]
    if depth:
        for name, related in obj._state.fields_cache.items():
            if related is None or id(related) not in seen:
                state.append(
                    (
                        name,
                        None
                        if related is None
                        else loaded_state(related, depth - 1, seen),
                    )
                )
        for name, items in getattr(obj, "_prefetched_objects_cache", {}).items():
            state.append(
                (
                    name,
                    tuple(
                        loaded_state(item, depth - 1, seen)
                        for item in items
                        if id(item) not in seen
                    ),
                )
            )
    return tuple(state)


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def piece(kind: str, article, render: Callable[[], str], args=()) -> str | None:
    """The piece ``kind`` of ``article`` drawn with ``args``: kept, or
    ``render()``ed (and kept if that ran no query). None when reuse is off:
    the caller draws it as usual."""
    if not enabled():
        return None
    key = (
        kind,
        args,
        loaded_state(article),
        # Times are written in the current time zone, words in the language.
        timezone.get_current_timezone_name(),
        translation.get_language(),
        get_script_prefix(),
    )
    html = local_pieces.get(key)
    if html is None:
        queries = []
        # Deferring: a volatile fragment the renderer emits is a placeholder,
        # never a count baked into a kept piece.
        with (
            connections[router.db_for_read(Article)].execute_wrapper(
                lambda execute, *call: queries.append(1) or execute(*call)
            ),
            fragments.deferring(),
        ):
            html = str(render())
        holes = {match.group(1) for match in fragments.PLACEHOLDER.finditer(html)}
        if holes - {"card_comments"}:
            # Only the card's comment count is filled in when used.
            return None
        if not queries:
            local_pieces.put(key, html)
    return html


def with_comments(html: str, article, comment_counts, render_comments) -> SafeString:
    """A kept card with its comment count as drawing it in place would
    give: the placeholder while fragments are deferred, else the count's
    link (or nothing)."""
    if isinstance(comment_counts, fragments.DeferredCounts):
        return SafeString(html)
    marker = fragments.placeholder("card_comments", article.pk)
    shown = render_comments(article, comment_counts) if comment_counts else ""
    return SafeString(html.replace(marker, shown, 1))


@receiver(setting_changed)
def _clear_on_setting_change(*, setting, **kwargs):
    # Storage, URL, time zone and format settings change what pieces say
    # (tests); switching reuse on or off changes none.
    if setting != "ARTICLES_RENDERINGS":
        local_pieces.clear()
