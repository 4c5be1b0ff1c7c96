"""What counts as a view: bots, prefetches, cross-site posts and staff are not
counted, each reader counts once per story per ``VIEWCOUNTS_DEDUP_SECONDS``,
and one network brings at most ``VIEWCOUNTS_PER_ADDRESS_LIMIT`` new readers to
a story per window.

A reader is an HMAC of IP address and user agent under a salt that changes
every day; the database holds every mark, a cache only a copy in front of it
(``docs/viewcounts.md``).
"""

import hashlib
import hmac
import ipaddress
import random
import re
from datetime import date, datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from crawleruseragents import CRAWLER_USER_AGENTS_DATA
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import connection, transaction
from django.utils import timezone
from django.utils.http import is_same_domain

from newsroom import sharedcache
from newsroom.clientip import client_ip
from viewcounts import conf
from viewcounts.models import AddressViews, RecentView

# The maintained list: the crawler-user-agents data set (a locked dependency,
# refreshed by upgrading the package). Its patterns are case-sensitive regular
# expressions, matched as they are.
CRAWLER_PATTERNS = tuple(entry["pattern"] for entry in CRAWLER_USER_AGENTS_DATA)

# Our additions, matched case-insensitively anywhere in the user agent: generic
# words catch what the data set spells another way (its patterns are
# case-sensitive), and named agents it lacks: AI crawlers and link unfurlers,
# headless browsers and automation, HTTP libraries and command-line tools.
EXTRA_BOT_PATTERNS = (
    # Generic: most crawlers say so. (Cubot is a phone maker, not a bot.)
    r"(?<!cu)bot\b",
    r"bot[/_-]",
    r"crawl",
    r"spider",
    r"scrap",
    r"slurp",
    r"archiver",
    r"preview",
    r"fetcher",
    r"validator",
    r"monitor",
    r"uptime",
    # Unfurlers and search engines the data set lacks
    r"yeti/",
    r"whatsapp/",
    r"pleroma",
    r"cardyb",
    r"yandex",
    # AI crawlers and agents (also in the data set today; kept case-insensitive)
    r"gptbot",
    r"chatgpt-user",
    r"claude-(?:user|web|searchbot)",
    r"anthropic-ai",
    r"perplexity",
    r"bytespider",
    r"cohere-ai",
    r"mistralai-user",
    r"firecrawl",
    # Headless browsers and automation
    r"headless",
    r"phantomjs",
    r"puppeteer",
    r"playwright",
    r"selenium",
    r"webdriver",
    r"lighthouse",
    r"slimerjs",
    r"prerender",
    r"wkhtmlto",
    # HTTP libraries and command-line tools
    r"curl",
    r"wget",
    r"python-",
    r"httpx",
    r"aiohttp",
    r"go-http-client",
    r"okhttp",
    r"axios",
    r"node-fetch",
    r"undici",
    r"^java/",
    r"apache-httpclient",
    r"libwww",
    r"lwp::",
    r"^ruby",
    r"^php",
    r"guzzlehttp",
    r"httpie",
    r"^dart/",
    r"reqwest",
    r"^deno/",
    r"^bun/",
    r"postmanruntime",
    r"insomnia",
    # Monitoring tools the data set lacks or spells differently
    r"pingdom",
    r"nagios",
)

# Real browsers that a data-set pattern would catch: the token is removed before
# the data set's patterns run (so a bot that adds it is still caught by the
# rest of its user agent). Each one is tested (tests/viewcounts/test_bots.py).
BROWSER_EXCEPTIONS = (
    # Viber's in-app browser appends "Viber/<version>" to a mobile WebView's
    # user agent; the data set's "Viber" pattern is meant for its link-preview
    # fetcher, which sends just "Viber".
    r"Mobile Safari/[\d.]+ Viber/[\d.]+",
)

# Browsers send a few hundred characters; in-app browsers the most, under 600.
# Longer is a bot sign in itself, and the cap bounds the matching work.
MAX_USER_AGENT_LENGTH = 1000

_LITERAL = re.compile(r"(?:[^\\\[\](){}.*+?^$|]|\\[/\-. ])+")


def _trie_regex(words: list[str]) -> str:
    """One regular expression for many literal words, branching on each
    character: matched in one pass instead of trying every word at every
    position (1,500 alternatives: 40 times faster)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        if "" in node:
            return ""  # a shorter word already matches here
        branches = [re.escape(char) + build(node[char]) for char in sorted(node)]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return build(trie)


def _compile_crawlers(patterns: tuple[str, ...]) -> re.Pattern:
    literals, others = [], []
    for pattern in patterns:
        if _LITERAL.fullmatch(pattern):
            literals.append(re.sub(r"\\(.)", r"\1", pattern))
        else:
            others.append(pattern)
    return re.compile("|".join([_trie_regex(literals), *others]))


_CRAWLER_RE = _compile_crawlers(CRAWLER_PATTERNS)
_EXTRA_RE = re.compile("|".join(EXTRA_BOT_PATTERNS), re.IGNORECASE)
_EXCEPTIONS_RE = re.compile("|".join(BROWSER_EXCEPTIONS))


def is_bot(user_agent: str | None) -> bool:
    """True for crawlers, previews, AI agents, headless browsers, HTTP libraries.

    The whole user agent is matched. No user agent at all is a script, not a
    browser; one longer than ``MAX_USER_AGENT_LENGTH`` is not a browser either.
    """
    if not user_agent or not user_agent.strip():
        return True
    if len(user_agent) > MAX_USER_AGENT_LENGTH:
        return True
    if _EXTRA_RE.search(user_agent):
        return True
    return bool(_CRAWLER_RE.search(_EXCEPTIONS_RE.sub("", user_agent)))


def is_prefetch(request) -> bool:
    """Speculative loads: the reader has not (yet) seen the story."""
    headers = request.headers
    purpose = " ".join(
        headers.get(name, "")
        for name in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
    ).lower()
    return any(word in purpose for word in ("prefetch", "prerender", "preview"))


def should_count(request) -> bool:
    """The rules every view passes, before the per-reader dedup."""
    if request.method not in ("GET", "POST"):
        return False  # HEAD, OPTIONS, ...
    if is_prefetch(request):
        return False
    # A browser says where a request comes from: another site posting to our
    # beacon is a forgery (the beacon is CSRF-exempt, see viewcounts.views).
    # Older browsers send no Sec-Fetch-Site, but an Origin on POSTs.
    fetch_site = request.headers.get("Sec-Fetch-Site", "")
    if fetch_site == "cross-site":
        return False
    if not fetch_site and not origin_is_ours(request):
        return False
    if is_bot(request.headers.get("User-Agent")):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return False
    return True


def origin_is_ours(request) -> bool:
    """No ``Origin``, or one naming this site: the request's own scheme and host,
    or one of ``CSRF_TRUSTED_ORIGINS`` (Django's CSRF check, same meaning)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # a GET (the pixel), or a browser that sends none
    try:
        if origin == f"{request.scheme}://{request.get_host()}":
            return True
    except DisallowedHost:
        return False
    if origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    parts = urlsplit(origin)
    if not parts.scheme or not parts.netloc:
        return False  # "null" (a sandboxed frame, a file) or garbage
    return any(
        is_same_domain(parts.netloc, trusted.partition("://")[2].lstrip("*"))
        for trusted in settings.CSRF_TRUSTED_ORIGINS
        if "*" in trusted and trusted.partition("://")[0] == parts.scheme
    )


def daily_salt(day: date) -> bytes:
    """A salt per day, derived from SECRET_KEY: yesterday's keys cannot be rebuilt
    from today's, and nothing random has to be shared between processes."""
    return hmac.new(
        settings.SECRET_KEY.encode(),
        # The name from before the move: today's marks keep their keys.
        f"newsroom.articles.tracking.salt:{day.isoformat()}".encode(),
        hashlib.sha256,
    ).digest()


def visitor_key(request, now: datetime | None = None) -> str:
    """A keyed hash of IP address and user agent under the day's salt."""
    day = timezone.localdate(now or timezone.now())
    # The first 512 characters, as marks were always keyed (is_bot() has seen
    # the whole of it).
    message = f"{client_ip(request)}\n{request.headers.get('User-Agent', '')[:512]}"
    return hmac.new(daily_salt(day), message.encode(), hashlib.sha256).hexdigest()[:32]


def _dedup_cache():
    """The cache in front of the database's marks, or None (``db``)."""
    store = conf.settings.VIEWCOUNTS_DEDUP_STORE
    alias = conf.settings.VIEWCOUNTS_DEDUP_CACHE
    if store == "db" or (store == "auto" and not sharedcache.is_shared(alias)):
        return None
    return caches[alias]


def mark_key(article_id: int, request, now: datetime | None = None) -> str:
    """A reader's mark for a story: the story and the day's visitor key."""
    return f"{article_id}:{visitor_key(request, now)}"


def cached_mark_key(mark: str) -> str:
    """The cache's name for a mark."""
    return f"views:seen:{mark}"


def _mark_seen(key: str, now: datetime, window: int) -> bool:
    """Record the mark; True if it was not there (or had expired).

    The database holds every mark: it is the one answer, through a Redis
    outage and after a Redis that comes back empty. The cache only spares it
    the repeats, and a mark goes into the cache only once the database has it
    committed: a request that dies between the two (a worker killed, a
    database error, the load balancer retrying it on another server) leaves
    no mark behind, so "seen" from the cache is always right, and "new" from
    the cache (down, restarted, evicted, or not yet told) is asked of the
    database.
    """
    store = _dedup_cache()
    cache_key = cached_mark_key(key)
    if store is not None and store.get(cache_key) is not None:
        return False
    fresh = _mark_seen_in_db(key, now, window)
    if store is None:
        return fresh
    if fresh:
        left = window
    else:
        # A mark made earlier: cached for what is left of its window, not a
        # whole new one.
        expires = (
            RecentView.objects.filter(key=key)
            .values_list("expires_at", flat=True)
            .first()
        )
        left = int((expires - now).total_seconds()) if expires else 0
    if left > 0:
        # After the commit, and dropped if the transaction rolls back; the
        # cache being down is swallowed by django-redis, and robust=True logs
        # anything else.
        transaction.on_commit(
            partial(store.set, cache_key, 1, timeout=left), robust=True
        )
    return fresh


def _mark_seen_in_db(key: str, now: datetime, window: int) -> bool:
    table = connection.ops.quote_name(RecentView._meta.db_table)
    expires = connection.ops.adapt_datetimefield_value(now + timedelta(seconds=window))
    current = connection.ops.adapt_datetimefield_value(now)
    # One statement: inserted, or an expired mark renewed, returns the row; a
    # live mark returns nothing. Atomic on SQLite and PostgreSQL alike.
    key_col, expires_col = (connection.ops.quote_name(c) for c in ("key", "expires_at"))
    sql = (
        f"INSERT INTO {table} ({key_col}, {expires_col}) VALUES (%s, %s) "
        f"ON CONFLICT ({key_col}) DO UPDATE SET {expires_col} = "
        f"EXCLUDED.{expires_col} WHERE {table}.{expires_col} <= %s "
        f"RETURNING {key_col}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, expires, current])
        fresh = cursor.fetchone() is not None
    if random.random() < 0.01:  # pruning now and then is enough
        prune_recent_views(now)
    return fresh


def _seen_before(key: str, now: datetime) -> bool:
    """True if the mark exists (the database has every mark)."""
    return RecentView.objects.filter(key=key, expires_at__gt=now).exists()


def prune_recent_views(now: datetime | None = None) -> int:
    """Delete expired reader marks and address tallies."""
    now = now or timezone.now()
    deleted, _ = RecentView.objects.filter(expires_at__lte=now).delete()
    tallies, _ = AddressViews.objects.filter(expires_at__lte=now).delete()
    return deleted + tallies


def first_view(article_id: int, request, now: datetime | None = None) -> bool:
    """True the first time this reader reads this story in the dedup window."""
    now = now or timezone.now()
    window = conf.settings.VIEWCOUNTS_DEDUP_SECONDS
    if window <= 0:
        return True
    if not _mark_seen(mark_key(article_id, request, now), now, window):
        return False
    # The salt changed at midnight: a reader who came just before is known
    # under yesterday's key.
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if (local - midnight).total_seconds() < window:
        just_before = now - timedelta(seconds=(local - midnight).total_seconds() + 1)
        old = mark_key(article_id, request, just_before)
        if _seen_before(old, now):
            return False
    return True


# Readers per address

IPV4_PREFIX = 24
IPV6_PREFIX = 64


def address_block(request) -> str:
    """The reader's network: the /24 of an IPv4 address, the /64 of an IPv6 one
    (one household or one host rotating addresses, either way)."""
    address = ipaddress.ip_address(client_ip(request))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = IPV4_PREFIX if address.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def within_address_limit(article_id: int, request, now: datetime | None = None):
    """True while a network has brought at most ``VIEWCOUNTS_PER_ADDRESS_LIMIT``
    new readers to this story in the dedup window (0: no limit).

    Called for new readers only (after ``first_view()``): one address rotating
    user agents counts at most the limit, while an office or a carrier's NAT
    keeps counting every reader up to it. The tally is one atomic upsert in
    the database, keyed by an HMAC of story and network under the day's salt.
    """
    limit = conf.settings.VIEWCOUNTS_PER_ADDRESS_LIMIT
    window = conf.settings.VIEWCOUNTS_DEDUP_SECONDS
    if limit <= 0 or window <= 0:
        return True
    now = now or timezone.now()
    day = timezone.localdate(now)
    key = hmac.new(
        daily_salt(day),
        f"address\n{article_id}\n{address_block(request)}".encode(),
        hashlib.sha256,
    ).hexdigest()[:32]
    qn = connection.ops.quote_name
    table = qn(AddressViews._meta.db_table)
    key_col, views, expires_col = (qn(c) for c in ("key", "views", "expires_at"))
    expires = connection.ops.adapt_datetimefield_value(now + timedelta(seconds=window))
    current = connection.ops.adapt_datetimefield_value(now)
    # Both CASEs read the row as it was: an expired tally starts again at 1.
    sql = (
        f"INSERT INTO {table} ({key_col}, {views}, {expires_col}) "
        f"VALUES (%s, 1, %s) ON CONFLICT ({key_col}) DO UPDATE SET "
        f"{views} = CASE WHEN {table}.{expires_col} <= %s THEN 1 "
        f"ELSE {table}.{views} + 1 END, "
        f"{expires_col} = CASE WHEN {table}.{expires_col} <= %s "
        f"THEN EXCLUDED.{expires_col} ELSE {table}.{expires_col} END "
        f"RETURNING {views}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, expires, current, current])
        (count,) = cursor.fetchone()
    return count <= limit
