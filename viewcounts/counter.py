"""Writing view counts exactly once: atomic upserts into the database, or a
Redis buffer flushed exactly once (``docs/viewcounts.md``).
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import redis
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from articles.models import Article
from viewcounts import conf, rules
from viewcounts.models import ArticleDailyViews, ArticleViewTotal, FlushBatch

logger = logging.getLogger(__name__)

REDIS_RETRY_SECONDS = 30
FLUSH_LOCK_SECONDS = 120
_UPSERT_CHUNK = 500


def record_view(article: Article, request, now: datetime | None = None) -> bool:
    """Count one view of a published story if the rules allow; True if counted.

    The caller has checked that ``article`` is published.
    """
    if not conf.settings.VIEWCOUNTS_ENABLED or not rules.should_count(request):
        return False
    now = now or timezone.now()
    if not rules.first_view(article.pk, request, now):
        return False
    increment(article.pk, now)
    return True


# Writing counts


def _redis_url() -> str:
    return conf.settings.VIEWCOUNTS_REDIS_URL


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
    """Forget clients and outages (tests, or after changing VIEWCOUNTS_REDIS_URL)."""
    global _down_until
    _down_until = 0.0
    with _clients_lock:
        _clients.clear()


def _key(*parts: str) -> str:
    return ":".join((conf.settings.VIEWCOUNTS_REDIS_PREFIX, *parts))


def increment(article_id: int, now: datetime | None = None, n: int = 1) -> None:
    """Add ``n`` views to a story today: into Redis if we can, else the DB."""
    day = timezone.localdate(now or timezone.now())
    client = get_redis()
    if client is not None:
        # One round trip: the increment, and the "flushed in the last
        # interval?" marker that elects this request to flush if not.
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(_key("live"), f"{article_id}:{day.isoformat()}", n)
        pipe.set(
            _key("flushed-recently"),
            1,
            nx=True,
            ex=conf.settings.VIEWCOUNTS_FLUSH_INTERVAL,
        )
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
