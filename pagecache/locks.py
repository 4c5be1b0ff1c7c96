"""One render per page per version, across processes and machines.

The reader who misses a page first takes a short lock in the shared cache
(``cache.add``: atomic in Redis and in the in-process cache alike) and renders
it; every other reader of that page waits for the entry instead of rendering
it too (``docs/pagecache.md``, "One render per change").
"""

import secrets
import time

from pagecache import conf, versions

LOCK_PREFIX = "pagecache:render:"
# Waiting readers look again after 10 ms, then ever less often, up to 100 ms.
FIRST_POLL, LAST_POLL = 0.01, 0.1


class RenderLock:
    """The lock on rendering the page under ``key`` for ``version``.

    Per version, so that the render of a newer version never waits for one of
    an older version. It lapses after ``PAGE_CACHE_LOCK_SECONDS``, should its
    holder die; ``release()`` deletes it only while it is still this holder's.
    """

    def __init__(self, key: str, version: int):
        self.key = key
        self.version = version
        self.lock_key = f"{LOCK_PREFIX}{key}:{version}"
        self.token = secrets.token_hex(8)
        self.held = False

    def acquire(self) -> bool:
        self.held = bool(
            versions.page_cache().add(
                self.lock_key, self.token, conf.settings.PAGE_CACHE_LOCK_SECONDS
            )
        )
        return self.held

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        cache = versions.page_cache()
        # Not atomic, but a lock that lapsed and was taken again in between
        # only costs one extra render.
        if cache.get(self.lock_key) == self.token:
            cache.delete(self.lock_key)

    def stored_entry(self) -> dict | None:
        """The entry for this version, if one is stored already."""
        entry = versions.page_cache().get(self.key)
        if entry is not None and entry.get("version") == self.version:
            return entry
        return None

    def wait_for_entry(self) -> dict | None:
        """The entry another reader is rendering, once it is stored; None when
        ``PAGE_CACHE_LOCK_WAIT`` runs out, or the lock was released without
        an entry (the render failed, or was not storable): then this reader
        may take the lock itself (``acquire()``) or render the page anyway.
        """
        cache = versions.page_cache()
        deadline = time.monotonic() + conf.settings.PAGE_CACHE_LOCK_WAIT
        pause = FIRST_POLL
        while True:
            time.sleep(pause)
            found = cache.get_many([self.key, self.lock_key])
            entry = found.get(self.key)
            if entry is not None and entry.get("version") == self.version:
                return entry
            if self.lock_key not in found or time.monotonic() >= deadline:
                return None
            pause = min(pause * 2, LAST_POLL)
