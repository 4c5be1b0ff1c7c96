"""Volatile fragments: the parts of a page that change far more often than the
page (view counts, comment counts on cards, Most Viewed, Most Commented).

The apps that own them register a renderer here (``register()``, in their
``AppConfig.ready()``); their template tags call ``emit()``. While a page is
rendered to be cached (``deferring()``, entered by the page cache), ``emit()``
writes a placeholder, an HTML comment, instead of the fragment; the page cache
stitches the fragments in when it serves the page, from small cached copies of
their own (``pagecache/fragments.py``, ``docs/pagecache.md``). Everywhere else
the fragment is rendered in place, so a page looks the same either way and
works without JavaScript.

It lives in ``articles`` because every app may import ``articles``: comments
and view counts register here without knowing the page cache.
"""

import contextlib
import contextvars
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.utils.safestring import SafeString


class Renderer(NamedTuple):
    """``render_many`` takes a list of argument tuples (each a tuple of small
    integers) and returns the HTML of each, in the same order: one query for
    the hundred cards of a front page, not a hundred."""

    render_many: Callable[[list[tuple[int, ...]]], list[str]]


_renderers: dict[str, Renderer] = {}
_deferring = contextvars.ContextVar("articles_fragments_deferring", default=False)

# <!--pc:most_viewed:5-->: a registered name and integer arguments only, so a
# placeholder can never be made of what a visitor typed.
PLACEHOLDER = re.compile(r"<!--pc:([a-z_]{1,40})((?::[0-9]{1,12}){0,4})-->")
NAME = re.compile(r"[a-z_]{1,40}")


def register(name: str, render_many) -> None:
    if not NAME.fullmatch(name):
        raise ValueError(f"A fragment name is lower-case letters and _: {name!r}")
    _renderers[name] = Renderer(render_many)


def is_registered(name: str) -> bool:
    return name in _renderers


@contextlib.contextmanager
def deferring():
    """Within this block, ``emit()`` writes placeholders (the page cache)."""
    token = _deferring.set(True)
    try:
        yield
    finally:
        _deferring.reset(token)


def is_deferring() -> bool:
    return _deferring.get()


def placeholder(name: str, *args: int) -> SafeString:
    return SafeString(f"<!--pc:{name}{''.join(f':{int(arg)}' for arg in args)}-->")


def render(name: str, args: Iterable[tuple[int, ...]]) -> list[str]:
    """The HTML of fragment ``name`` for each argument tuple."""
    return _renderers[name].render_many(list(args))


def emit(name: str, *args: int) -> SafeString:
    """A placeholder while the page cache defers fragments, else the fragment."""
    if _deferring.get() and name in _renderers:
        return placeholder(name, *args)
    return SafeString(render(name, [tuple(int(arg) for arg in args)])[0])


def parse(match: re.Match) -> tuple[str, tuple[int, ...]]:
    """The name and arguments of a ``PLACEHOLDER`` match."""
    name, args = match.group(1), match.group(2)
    return name, tuple(int(arg) for arg in args.split(":")[1:])


class DeferredCounts:
    """What ``{% comment_counts_for %}`` gives while fragments are deferred:
    cards write a ``card_comments`` placeholder instead of a count."""

    def __bool__(self):
        return True
