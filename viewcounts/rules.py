"""What counts as a view: bots, prefetches, cross-site posts and staff are not
counted, and each reader counts once per story per ``VIEWCOUNTS_DEDUP_SECONDS``.

A reader is an HMAC of IP address and user agent under a salt that changes
every day (``docs/viewcounts.md``).
"""

import hashlib
import hmac
import random
import re
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from newsroom import sharedcache
from newsroom.clientip import client_ip
from viewcounts import conf
from viewcounts.models import RecentView

# Keep this list maintained: a pattern per family, matched case-insensitively
# anywhere in the User-Agent. Generic words come first, then named agents whose
# strings lack them.
BOT_PATTERNS = (
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
    # Search engines
    r"google-inspectiontool",
    r"googleother",
    r"google-extended",
    r"mediapartners-google",
    r"adsbot-google",
    r"apis-google",
    r"storebot-google",
    r"feedfetcher",
    r"bingpreview",
    r"yandex",
    r"baidu",
    r"sogou",
    r"seznam",
    r"qwantify",
    r"mojeek",
    r"yeti/",
    # Social previews and chat unfurlers
    r"facebookexternalhit",
    r"facebookcatalog",
    r"meta-externalagent",
    r"meta-externalfetcher",
    # (In-app browsers such as "Twitter for iPhone" or LinkedInApp are readers.)
    r"slack-imgproxy",
    r"whatsapp/",
    r"skypeuripreview",
    r"embedly",
    r"iframely",
    r"vkshare",
    r"mastodon",
    r"pleroma",
    r"cardyb",
    r"bitlybot",
    # AI crawlers and agents
    r"gptbot",
    r"chatgpt-user",
    r"oai-searchbot",
    r"claudebot",
    r"claude-user",
    r"claude-searchbot",
    r"claude-web",
    r"anthropic-ai",
    r"perplexity",
    r"ccbot",
    r"bytespider",
    r"amazonbot",
    r"cohere-ai",
    r"diffbot",
    r"youbot",
    r"imagesift",
    r"omgili",
    r"timpibot",
    r"ai2bot",
    r"mistralai-user",
    r"duckassistbot",
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
    r"python-requests",
    r"python-urllib",
    r"python-httpx",
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
    # Monitoring and performance tools
    r"uptime",
    r"pingdom",
    r"statuscake",
    r"site24x7",
    r"datadog",
    r"newrelic",
    r"check_http",
    r"nagios",
    r"zabbix",
    r"gtmetrix",
    r"pagespeed",
    r"checkly",
    r"monitor",
)
_BOT_RE = re.compile("|".join(BOT_PATTERNS), re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    """True for crawlers, previews, AI agents, headless browsers, HTTP libraries.

    No user agent at all is a script, not a browser.
    """
    if not user_agent or not user_agent.strip():
        return True
    return bool(_BOT_RE.search(user_agent[:512]))


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
    if request.headers.get("Sec-Fetch-Site", "") == "cross-site":
        return False
    if is_bot(request.headers.get("User-Agent")):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return False
    return True


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
    message = f"{client_ip(request)}\n{request.headers.get('User-Agent', '')[:512]}"
    return hmac.new(daily_salt(day), message.encode(), hashlib.sha256).hexdigest()[:32]


def _dedup_store() -> str:
    store = conf.settings.VIEWCOUNTS_DEDUP_STORE
    if store == "auto":
        store = "cache" if sharedcache.is_shared() else "db"
    return store


def _mark_seen(key: str, now: datetime, window: int) -> bool:
    """Record the mark; True if it was not there (or had expired)."""
    if _dedup_store() == "cache":
        added = cache.add(f"views:seen:{key}", 1, timeout=window)
        if added is not None:
            return bool(added)
        # django-redis returns None when it swallowed a Redis error: the shared
        # cache is down, so the database keeps the marks meanwhile.
    return _mark_seen_in_db(key, now, window)


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


def _seen_before(key: str, now: datetime, window: int) -> bool:
    """True if the mark exists in the store."""
    if _dedup_store() == "cache":
        seen = cache.get(f"views:seen:{key}")
        if seen is not None:
            return True
    return RecentView.objects.filter(key=key, expires_at__gt=now).exists()


def prune_recent_views(now: datetime | None = None) -> int:
    deleted, _ = RecentView.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return deleted


def first_view(article_id: int, request, now: datetime | None = None) -> bool:
    """True the first time this reader reads this story in the dedup window."""
    now = now or timezone.now()
    window = conf.settings.VIEWCOUNTS_DEDUP_SECONDS
    if window <= 0:
        return True
    if not _mark_seen(f"{article_id}:{visitor_key(request, now)}", now, window):
        return False
    # The salt changed at midnight: a reader who came just before is known
    # under yesterday's key.
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if (local - midnight).total_seconds() < window:
        just_before = now - timedelta(seconds=(local - midnight).total_seconds() + 1)
        old = f"{article_id}:{visitor_key(request, just_before)}"
        if _seen_before(old, now, window):
            return False
    return True
