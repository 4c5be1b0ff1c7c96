"""What reader pages keep between requests for one content version: the
section menu and the counts of busy tag and author lists.

The content version belongs to whatever caches the site's pages (the
``pagecache`` app registers itself here in its ``AppConfig.ready()``; this
module imports nothing of it). Without a registered source, or without a
cache every process shares, nothing is kept and each page reads afresh.
"""

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple


class VersionSource(NamedTuple):
    # The current content version, or None when it is not shared by every
    # process (then nothing may be kept).
    version: Callable[[], Any]
    # The cache the kept values live in, and how long they may be kept.
    store: Callable[[], Any]
    ttl: Callable[[], int]
    # The content version and the versions of the given names (what
    # ``articles.shown`` records), or None; without it, the content version.
    versions: Callable[[Iterable[str]], Any] | None = None


_source: VersionSource | None = None


def register_version_source(source: VersionSource | None) -> None:
    global _source
    _source = source


def current_version():
    """The content version, or None (no source, or not shared)."""
    return None if _source is None else _source.version()


def ttl() -> int:
    return 0 if _source is None else _source.ttl()


def kept(name: str, compute: Callable[[], Any], depends_on: Iterable[str] = ()):
    """``compute()``, kept in the shared cache for the current content version
    and, if given, the versions of ``depends_on`` (``articles.shown`` names)."""
    if depends_on and _source is not None and _source.versions is not None:
        version = _source.versions(depends_on)
    else:
        version = current_version()
    if version is None:
        return compute()
    store = _source.store()
    if isinstance(version, tuple):
        version = "-".join(map(str, version))
    key = f"{name}:{version}"
    value = store.get(key)
    if value is None:
        value = compute()
        store.set(key, value, _source.ttl())
    return value
