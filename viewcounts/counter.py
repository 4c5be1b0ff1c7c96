"""View tracking: what counts as a view, and how each one is counted exactly once.

Reader pages may come from a page cache or a CDN, so the story view never counts.
The page's beacon (``static/js/views.js``, ``navigator.sendBeacon`` or ``fetch``
with ``keepalive``) POSTs to ``articles:record_view``, which calls
:func:`record_view`. Readers without JavaScript load a ``<noscript>`` 1x1 image
(``articles:view_pixel``) that applies the same rules; browsers with JavaScript
never fetch it, so nobody is counted twice.

What counts (:func:`should_count`): a GET or POST that is not a prefetch or a
prerender, not cross-site, not from a bot user agent (:data:`BOT_PATTERNS`), not
from logged-in staff, for a published story; then at most once per reader per
story per ``VIEW_DEDUP_SECONDS`` (30 minutes). A reader is an HMAC of IP address
and user agent under a salt derived from ``SECRET_KEY`` and the date, so the key
changes every day and cannot be linked to the next day's. The dedup marks live
in the shared cache (Redis, ``cache.add``); when the cache is per process
(``LocMemCache``, the embedded default) they go to a small table,
``RecentView``, through one atomic upsert, so several gunicorn workers still
agree. Expired marks are pruned.

Writing counts: never on the Article row, never read-modify-write.

* Without Redis (``VIEW_REDIS_URL`` empty) each view is one atomic upsert
  (``INSERT ... ON CONFLICT DO UPDATE SET views = views + n``) into the daily
  row and the all-time total, in one transaction.
* With Redis, a view is one ``HINCRBY`` on a live hash. :func:`flush_views`
  takes a lock (``SET NX EX``), ``RENAME``s the live hash to a batch key (and
  notes it in a set, atomically, in Lua), then, in one database transaction,
  inserts ``FlushBatch(batch_id)`` and upserts the counts, and only then deletes
  the batch key. A crash after the commit leaves the batch key behind; the next
  flush finds its ``batch_id`` already recorded and just deletes it. A batch
  whose id is not recorded is applied. The unique ``batch_id`` makes this hold
  even if two flushers ever overlapped (an expired lock): the second insert
  fails and its transaction rolls back.
* Automatic flushing, without cron: after an increment, :func:`increment` sets a
  marker with ``SET NX EX VIEW_FLUSH_INTERVAL``; when that succeeds (no flush in
  the last minute) the same request flushes, under the lock. We chose this over
  a middleware (the beacon is the only writer, so only it needs to look) and
  over a timer thread (gunicorn forks and recycles workers; a thread per
  worker would flush N times and die with the worker). If nobody reads, there
  is nothing new to flush; ``manage.py flush_views`` does the rest by hand.
* Redis down: the increment goes straight to the database instead, and Redis is
  left alone for ``REDIS_RETRY_SECONDS`` (one warning logged per outage), so a
  reader never waits on time-outs and never sees a 500.
"""

import hashlib
import hmac
import logging
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import (
    Article,
    ArticleDailyViews,
    ArticleViewTotal,
    FlushBatch,
    RecentView,
)
from newsroom import sharedcache
from newsroom.clientip import client_ip

logger = logging.getLogger(__name__)

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

PERIODS = {"today": 1, "7d": 7, "30d": 30}
PERIOD_LABELS = {"today": "Today", "7d": "7 days", "30d": "30 days"}

REDIS_RETRY_SECONDS = 30
FLUSH_LOCK_SECONDS = 120
_UPSERT_CHUNK = 500


# What counts as a view


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
    # beacon is a forgery (the beacon is CSRF-exempt, see tracking_views).
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
        f"newsroom.articles.tracking.salt:{day.isoformat()}".encode(),
        hashlib.sha256,
    ).digest()


def visitor_key(request, now: datetime | None = None) -> str:
    """A keyed hash of IP address and user agent under the day's salt."""
    day = timezone.localdate(now or timezone.now())
    message = f"{client_ip(request)}\n{request.headers.get('User-Agent', '')[:512]}"
    return hmac.new(daily_salt(day), message.encode(), hashlib.sha256).hexdigest()[:32]


def _dedup_store() -> str:
    store = settings.VIEW_DEDUP_STORE
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
    window = settings.VIEW_DEDUP_SECONDS
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


def record_view(article: Article, request, now: datetime | None = None) -> bool:
    """Count one view of a published story if the rules allow; True if counted.

    The caller has checked that ``article`` is published.
    """
    if not settings.VIEW_TRACKING or not should_count(request):
        return False
    now = now or timezone.now()
    if not first_view(article.pk, request, now):
        return False
    increment(article.pk, now)
    return True


# Writing counts


def _redis_url() -> str:
    return settings.VIEW_REDIS_URL


_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()
_down_until = 0.0


def get_redis() -> redis.Redis | None:
    """The buffer's Redis client, or None without Redis or during an outage."""
    url = _redis_url()
    if not url or time.monotonic() < _down_until:
        return None
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.get(url)
            if client is None:
                client = redis.Redis.from_url(
                    url, socket_timeout=0.5, socket_connect_timeout=0.5
                )
                _clients[url] = client
    return client


def _redis_failed(exc: Exception) -> None:
    global _down_until
    if time.monotonic() >= _down_until:
        logger.warning(
            "View buffer Redis unavailable (%s); counting into the database for %ss.",
            exc,
            REDIS_RETRY_SECONDS,
        )
    _down_until = time.monotonic() + REDIS_RETRY_SECONDS


def reset_redis_state() -> None:
    """Forget clients and outages (tests, or after changing VIEW_REDIS_URL)."""
    global _down_until
    _down_until = 0.0
    with _clients_lock:
        _clients.clear()


def _key(*parts: str) -> str:
    return ":".join((settings.VIEW_REDIS_PREFIX, *parts))


def increment(article_id: int, now: datetime | None = None, n: int = 1) -> None:
    """Add ``n`` views to a story today: into Redis if we can, else the DB."""
    day = timezone.localdate(now or timezone.now())
    client = get_redis()
    if client is not None:
        # One round trip: the increment, and the "flushed in the last
        # interval?" marker that elects this request to flush if not.
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(_key("live"), f"{article_id}:{day.isoformat()}", n)
        pipe.set(_key("flushed-recently"), 1, nx=True, ex=settings.VIEW_FLUSH_INTERVAL)
        try:
            _, flush_due = pipe.execute()
        except redis.RedisError as exc:
            # A time-out after Redis applied the increment would count this
            # view twice: a bounded error, only at the start of an outage.
            _redis_failed(exc)
        else:
            if flush_due:
                _flush_quietly()
            return
    with transaction.atomic():
        apply_counts({(article_id, day): n})


def _flush_quietly() -> None:
    try:
        flush_views()
    except Exception:
        # The views are safe in Redis; the next flush picks them up.
        logger.exception("Automatic view flush failed")


def apply_counts(counts: dict[tuple[int, date], int]) -> None:
    """Add counts per (article id, day) to the daily rows and the totals.

    Atomic upserts, in a stable order (no deadlock between two writers); call
    inside a transaction. Counts for stories deleted meanwhile are dropped.
    """
    if not counts:
        return
    ids = {article_id for article_id, _ in counts}
    existing = set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True))
    daily = sorted(
        (article_id, day, n)
        for (article_id, day), n in counts.items()
        if article_id in existing and n
    )
    totals: dict[int, int] = {}
    for article_id, _, n in daily:
        totals[article_id] = totals.get(article_id, 0) + n
    _upsert(
        ArticleDailyViews,
        ("article_id", "day"),
        [(a, connection.ops.adapt_datefield_value(d), n) for a, d, n in daily],
    )
    _upsert(ArticleViewTotal, ("article_id",), sorted(totals.items()))


def _upsert(model, conflict: tuple[str, ...], rows: list[tuple]) -> None:
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = (*conflict, "views")
    views = qn("views")
    for start in range(0, len(rows), _UPSERT_CHUNK):
        chunk = rows[start : start + _UPSERT_CHUNK]
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
        sql = (
            f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "
            f"VALUES {values} "
            f"ON CONFLICT ({', '.join(qn(c) for c in conflict)}) "
            f"DO UPDATE SET {views} = {table}.{views} + EXCLUDED.{views}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])


# The Redis buffer and its flush

# Seal the live hash as a batch, and remember the batch, in one atomic step.
_SEAL = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('RENAME', KEYS[1], KEYS[2])
    redis.call('SADD', KEYS[3], ARGV[1])
    return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class FlushBusy(Exception):
    """Another flush holds the lock."""


@dataclass
class FlushReport:
    applied: list[str] = field(default_factory=list)
    already_applied: list[str] = field(default_factory=list)
    views: int = 0
    pending: int = 0
    busy: bool = False
    buffered: bool = True


def _parse(raw: dict) -> dict[tuple[int, date], int]:
    counts: dict[tuple[int, date], int] = {}
    for name, value in raw.items():
        article_id, _, day = name.decode().partition(":")
        key = (int(article_id), date.fromisoformat(day))
        counts[key] = counts.get(key, 0) + int(value)
    return counts


def flush_views(*, dry_run: bool = False) -> FlushReport:
    """Move buffered views from Redis into the database, each exactly once.

    Raises ``redis.RedisError`` or a database error on failure (nothing is
    lost: what was not committed stays in Redis for the next run).
    """
    client = get_redis() if _redis_url() else None
    if client is None:
        if _redis_url():
            raise redis.ConnectionError("View buffer Redis is marked unavailable.")
        return FlushReport(buffered=False)
    report = FlushReport()
    if dry_run:
        report.pending = sum(_parse(client.hgetall(_key("live"))).values())
        for batch_id in sorted(b.decode() for b in client.smembers(_key("batches"))):
            if FlushBatch.objects.filter(batch_id=batch_id).exists():
                report.already_applied.append(batch_id)
            else:
                report.applied.append(batch_id)
                report.pending += sum(
                    _parse(client.hgetall(_key("batch", batch_id))).values()
                )
        return report
    token = uuid.uuid4().hex
    if not client.set(_key("flush-lock"), token, nx=True, ex=FLUSH_LOCK_SECONDS):
        report.busy = True
        return report
    try:
        batch_id = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}"
        client.eval(
            _SEAL, 3, _key("live"), _key("batch", batch_id), _key("batches"), batch_id
        )
        for leftover in sorted(b.decode() for b in client.smembers(_key("batches"))):
            counts = _parse(client.hgetall(_key("batch", leftover)))
            if apply_batch(leftover, counts):
                report.applied.append(leftover)
                report.views += sum(counts.values())
            else:
                report.already_applied.append(leftover)
            discard_batch(client, leftover)
    finally:
        client.eval(_RELEASE, 1, _key("flush-lock"), token)
    return report


def apply_batch(batch_id: str, counts: dict[tuple[int, date], int]) -> bool:
    """Write one batch and its receipt in one transaction; False if done before."""
    if FlushBatch.objects.filter(batch_id=batch_id).exists():
        return False
    try:
        with transaction.atomic():
            # The receipt first: a second writer of the same batch waits on
            # this row and then fails, rolling back its counts.
            FlushBatch.objects.create(batch_id=batch_id)
            apply_counts(counts)
    except IntegrityError:
        if FlushBatch.objects.filter(batch_id=batch_id).exists():
            return False
        raise
    return True


def discard_batch(client: redis.Redis, batch_id: str) -> None:
    """Forget a batch the database has (after its commit)."""
    pipe = client.pipeline(transaction=True)
    pipe.delete(_key("batch", batch_id))
    pipe.srem(_key("batches"), batch_id)
    pipe.execute()


# Reading counts


def view_count(article: Article) -> int:
    """All-time views: the ``total_views`` annotation if loaded, else one lookup."""
    annotated = getattr(article, "total_views", None)
    if annotated is not None:
        return annotated
    return (
        ArticleViewTotal.objects.filter(article_id=article.pk)
        .values_list("views", flat=True)
        .first()
        or 0
    )


def with_view_counts(queryset, now: datetime | None = None):
    """Annotate ``total_views`` and ``views_7d`` (no query per row; sortable)."""
    since = timezone.localdate(now or timezone.now()) - timedelta(days=6)
    last_week = (
        ArticleDailyViews.objects.filter(article=OuterRef("pk"), day__gte=since)
        .values("article")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return queryset.annotate(
        total_views=Coalesce("view_total__views", Value(0)),
        views_7d=Coalesce(Subquery(last_week, output_field=IntegerField()), Value(0)),
    )


def daily_views(article: Article, days: int = 30, now: datetime | None = None):
    """``[(day, views)]`` for the last ``days`` days, newest first, zeros included."""
    today = timezone.localdate(now or timezone.now())
    since = today - timedelta(days=days - 1)
    stored = dict(
        ArticleDailyViews.objects.filter(article=article, day__gte=since).values_list(
            "day", "views"
        )
    )
    return [
        (day, stored.get(day, 0)) for day in (today - timedelta(n) for n in range(days))
    ]


def most_viewed(
    period: str = "7d", limit: int = 5, now: datetime | None = None
) -> list[Article]:
    """Published stories by views over a period, from the daily rows.

    The day range is read through the (day, views) index and the answer is
    cached for ``VIEW_MOST_VIEWED_CACHE_SECONDS``. Each story carries
    ``period_views``.

    Summing 30 days of a large archive takes a while, so when the answer goes
    stale one request (the one that wins ``cache.add`` of a refresh mark)
    computes it again while everyone else keeps getting the previous answer,
    for at most one more period: no pile-up of identical queries across the
    processes sharing the cache, at midnight included (the day is kept in the
    entry, not in the key).
    """
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}; use one of {list(PERIODS)}.")
    today = timezone.localdate(now or timezone.now()).isoformat()
    key = f"views:most:v2:{period}:{limit}"
    fresh_for = settings.VIEW_MOST_VIEWED_CACHE_SECONDS
    entry = cache.get(key)
    marked = False
    if entry is not None:
        day, fresh_until, stories = entry
        if day == today and time.time() < fresh_until:
            return stories
        # Stale (or yesterday's, just after midnight): for one more period it
        # is served while the request that wins the mark recomputes it.
        if time.time() < fresh_until + fresh_for:
            marked = cache.add(f"{key}:refresh", 1, timeout=max(fresh_for, 30))
            if not marked:
                return stories
    try:
        stories = _rank_most_viewed(period, limit, date.fromisoformat(today))
        cache.set(key, (today, time.time() + fresh_for, stories), fresh_for * 2)
    finally:
        if marked:
            cache.delete(f"{key}:refresh")
    return stories


def _rank_most_viewed(period: str, limit: int, today: date) -> list[Article]:
    since = today - timedelta(days=PERIODS[period] - 1)
    if since == today:
        # One row per story and day: no sums, so the (day, views) index
        # hands over the biggest first and the query stops after ``limit``
        # live stories (summing a day's rows read every story viewed).
        ranked = (
            Article.objects.published()
            .filter(daily_views__day=today, daily_views__views__gt=0)
            .annotate(period_views=F("daily_views__views"))
        )
    else:
        ranked = (
            Article.objects.published()
            .filter(daily_views__day__gte=since, daily_views__day__lte=today)
            .annotate(period_views=Sum("daily_views__views"))
            .filter(period_views__gt=0)
        )
    return list(
        ranked.only("headline", "slug", "published_at", "created_at").order_by(
            "-period_views", "-published_at", "-pk"
        )[:limit]
    )
