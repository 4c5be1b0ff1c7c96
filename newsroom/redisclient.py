"""Plain Redis clients (outside Django's cache) for a single server or Sentinel.

With ``REDIS_SENTINELS`` set (``host:port,host:port``), a Redis URL names the
Sentinel service instead of a host (``redis://newsroom/1``: service
``newsroom``, database 1) and the client follows the current master through
the Sentinels, as the cache does (``django_redis.pool.SentinelConnectionFactory``).
Reads go to the master too: a lagging Redis replica would give stale counts
and page-cache versions.
"""

from urllib.parse import urlparse

import redis
from django.conf import settings
from redis.sentinel import Sentinel


def sentinel_addresses(value: str) -> list[tuple[str, int]]:
    """``"a:26379,b:26379"`` as ``[("a", 26379), ("b", 26379)]``."""
    addresses = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        host, _, port = item.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"A Sentinel address is host:port, not {item!r}.")
        addresses.append((host.strip("[]"), int(port)))
    return addresses


def client_from_url(url: str, **options) -> redis.Redis:
    """A client for ``url``; through the Sentinels when they are configured."""
    sentinels = getattr(settings, "REDIS_SENTINELS", [])
    if not sentinels:
        return redis.Redis.from_url(url, **options)
    parsed = urlparse(url)
    database = int(parsed.path.strip("/") or 0)
    sentinel = Sentinel(
        sentinels,
        sentinel_kwargs={
            key: options[key]
            for key in ("socket_timeout", "socket_connect_timeout")
            if key in options
        },
        **options,
    )
    return sentinel.master_for(
        parsed.hostname,
        db=database,
        password=parsed.password,
        username=parsed.username or None,
    )
