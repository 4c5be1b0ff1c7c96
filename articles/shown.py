"""What a reader page shows, recorded while it renders.

The code that renders a page names what it draws on (``story(story)``,
``listing("home")``...) into a collector that lives for one render
(``collecting()``). ``articles`` keeps nothing itself: whatever caches the
page (the ``pagecache`` app) opens the collector around the view, reads the
names afterwards and retires the page when one of them changes. Outside a
collector every call here does nothing.

Names: ``story:<id>`` (a story's own content), ``comments:<id>`` (its visible
comments), ``list:<name>`` (a list of stories: ``home``, ``section:<id>``,
``tag:<id>``, ``author:<id>``, ``archive:<yyyy>``, ``archive-nav``,
``latest``, ``sitemap``, ``tags``, ``authors``...), ``related:<tag id>`` (the
live stories of a tag, for related-story lists), ``author:<id>`` and
``tag:<id>`` (the person's or the tag's own name and bio).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_names: ContextVar[set[str] | None] = ContextVar("articles_shown", default=None)


@contextmanager
def collecting() -> Iterator[set[str]]:
    """Collect the names recorded until the block ends (nested blocks each
    get their own set)."""
    names: set[str] = set()
    token = _names.set(names)
    try:
        yield names
    finally:
        _names.reset(token)


def add(*names: str) -> None:
    collected = _names.get()
    if collected is not None:
        collected.update(names)


def story(story) -> None:
    """The story's own content: headline, dek, body, picture, address."""
    add(f"story:{story.pk}")


def stories(ids: Iterable[int]) -> None:
    """Stories shown by their card (related stories on a story page)."""
    add(*(f"story:{pk}" for pk in ids))


def comments(story_id: int) -> None:
    """A story's visible comments (its thread, its count)."""
    add(f"comments:{story_id}")


def listing(name: str) -> None:
    """A list of stories: which stories, in which order, and their cards."""
    add(f"list:{name}")


def related(tag_ids: Iterable[int]) -> None:
    """Which live stories carry these tags (related-story lists)."""
    add(*(f"related:{pk}" for pk in tag_ids))


def author(author) -> None:
    """A person's own name, title, bio and photo."""
    add(f"author:{author.pk}")


def tag(tag) -> None:
    """A tag's own name and slug."""
    add(f"tag:{tag.pk}")
