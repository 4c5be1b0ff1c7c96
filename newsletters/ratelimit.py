"""The sign-up limiter: fixed windows that hold across worker processes and
machines (``newsroom.ratelimit``), so the form cannot be used to mail-bomb an
address.

With a shared cache (Redis, or the embedded SQLite file cache) a window is
one ``add`` + ``incr``; with a per-process cache, or when the cache fails, a
row of ``SignupCounter``. Keys are keyed hashes: no address or e-mail is
stored in them.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from newsletters import conf
from newsletters.models import SignupCounter
from newsroom import ratelimit, sharedcache


@dataclass(frozen=True)
class Hit:
    allowed: bool
    retry_after: int


def hashed(kind: str, value: str) -> str:
    return salted_hmac(
        "newsroom.newsletters.ratelimit", f"{kind}:{value}", algorithm="sha256"
    ).hexdigest()[:40]


def hit(kind: str, value: str, *, limit: int, window: int) -> Hit:
    """Count one event for ``value``; allowed while the window's count <= limit."""
    now = time.time()
    backend = conf.settings.NEWSLETTER_RATE_LIMIT_BACKEND
    shared = backend == "cache" or (backend == "auto" and sharedcache.is_shared())
    count, window_end = ratelimit.count(
        f"newsletters:rl:{hashed(kind, value)}",
        window=window,
        now=now,
        table=SignupCounter,
        cache=cache if shared else None,
    )
    return Hit(count <= limit, max(1, int(window_end - now) + 1))
