"""Writing view counts exactly once: each counted view is a row appended to a
buffer in the database (``PendingView``), and the flush adds the rows to the
daily rows and totals and deletes them in one transaction
(``docs/viewcounts.md``). Nothing counted lives only in Redis.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import redis
from django.core.cache import caches
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.tasks import task
from django.utils import timezone

from articles.models import Article
from newsroom import metrics, redisclient
from viewcounts import conf, rules
from viewcounts.models import (
    ArticleDailyViews,
    ArticleViewTotal,
    FlushBatch,
    PendingView,
)

logger = logging.getLogger(__name__)

REDIS_RETRY_SECONDS = 30
FLUSH_LOCK_SECONDS = 120
FLUSH_CHUNK = 5000
_UPSERT_CHUNK = 500


def record_view(article: Article, request, now: datetime | None = None) -> bool:
    """Count one view of a published story if the rules allow; True if counted.

    The caller has checked that ``article`` is published. The reader's mark,
    the network's tally and the counted view commit together: a view is
    counted once or not at all.
    """
    if not conf.settings.VIEWCOUNTS_ENABLED or not rules.should_count(request):
        return False
    now = now or timezone.now()
    with transaction.atomic():
        if not rules.first_view(article.pk, request, now):
            return False
        if not rules.within_address_limit(article.pk, request, now):
            return False
        _append(article.pk, timezone.localdate(now), 1)
    _flush_if_due()
    return True


# Writing counts


def increment(article_id: int, now: datetime | None = None, n: int = 1) -> None:
    """Add ``n`` views to a story today (into the buffer; see flush_views)."""
    _append(article_id, timezone.localdate(now or timezone.now()), n)
    _flush_if_due()


def _append(article_id: int, day: date, n: int) -> None:
    PendingView.objects.create(article_id=article_id, day=day, views=n)


_local_lock = threading.Lock()
_next_local_flush = 0.0


def flush_due() -> bool:
    """Is a flush due? True at most once per ``VIEWCOUNTS_FLUSH_INTERVAL``,
    to the one caller the cache elects (``cache.add``: across processes when
    the cache is shared, per process otherwise); while it is down, each
    process keeps its own clock (a few flushes per interval, each cheap: the
    rows are taken with SKIP LOCKED, so flushers never wait on each other).
    """
    global _next_local_flush
    interval = conf.settings.VIEWCOUNTS_FLUSH_INTERVAL
    if interval <= 0:
        return True
    alias = conf.settings.VIEWCOUNTS_DEDUP_CACHE
    due = caches[alias].add("viewcounts:flush-due", 1, timeout=interval)
    if due is None:  # django-redis swallowed an error: the cache is down
        with _local_lock:
            now = time.monotonic()
            due = now >= _next_local_flush
            if due:
                _next_local_flush = now + interval
    return bool(due)


def _flush_if_due() -> None:
    """After a counted view (its row committed): enqueue the flush if this
    caller won the interval's election. With the immediate task backend it
    runs at once, here; with the database backend the worker runs it."""
    if not flush_due():
        return
    try:
        flush_view_counts.enqueue()
    except DatabaseError:
        # The views are safe in the buffer; the next flush takes them.
        logger.exception("Could not enqueue the view-count flush")


# The flush task lives here rather than in tasks.py: record_view() and
# increment() enqueue it, so there it would import this module and this one it.
@task
def flush_view_counts() -> int:
    """Move the buffered views into the daily rows and totals; how many.

    Exact however often and by whom it runs (the beacon's election, the
    periodic command, by hand). A database error fails the task with nothing
    lost: the views stay in the buffer for the next flush, so it is not
    retried by itself.
    """
    return flush_views().views


def flush_pending(*, chunk: int = FLUSH_CHUNK) -> int:
    """Move buffered views into the daily rows and totals; the number moved.

    Each chunk is one transaction that deletes the buffered rows (``DELETE ...
    RETURNING``) and adds them up: committed together or not at all, so every
    view is added exactly once, whatever fails and whoever else flushes. On
    PostgreSQL two flushers take disjoint rows (``FOR UPDATE SKIP LOCKED``);
    SQLite runs one writer at a time anyway.
    """
    qn = connection.ops.quote_name
    table = qn(PendingView._meta.db_table)
    skip_locked = connection.features.has_select_for_update_skip_locked
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    sql = (
        f"DELETE FROM {table} WHERE {qn('id')} IN (SELECT {qn('id')} FROM {table} "
        f"ORDER BY {qn('id')} LIMIT %s{lock}) "
        f"RETURNING {qn('article_id')}, {qn('day')}, {qn('views')}"
    )
    moved = 0
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [chunk])
                rows = cursor.fetchall()
            counts: dict[tuple[int, date], int] = {}
            for article_id, day, n in rows:
                if isinstance(day, str):
                    day = date.fromisoformat(day)
                counts[(article_id, day)] = counts.get((article_id, day), 0) + n
            apply_counts(counts)
        moved += sum(counts.values())
        if len(rows) < chunk:
            return moved


def pending_views() -> int:
    """Views in the buffer, not yet in the daily rows and totals."""
    return PendingView.objects.aggregate(n=Coalesce(Sum("views"), 0))["n"]


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


# The flush, and what earlier releases left in Redis
#
# Earlier releases buffered views in a Redis hash (HINCRBY), which lost them
# when Redis died. During a rolling upgrade their workers still write there,
# so the flush drains that hash too, exactly once, as before: seal the live
# hash as a batch, then write each batch with a FlushBatch receipt in one
# transaction, and only then delete it.


def _redis_url() -> str:
    return conf.settings.VIEWCOUNTS_REDIS_URL


_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()
_down_until = 0.0


def get_redis() -> redis.Redis | None:
    """The old buffer's Redis client, or None without one or during an outage."""
    url = _redis_url()
    if not url or time.monotonic() < _down_until:
        return None
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            client = _clients.get(url)
            if client is None:
                client = redisclient.client_from_url(
                    url, socket_timeout=0.5, socket_connect_timeout=0.5
                )
                _clients[url] = client
    return client


def _redis_failed(exc: Exception) -> None:
    global _down_until
    if time.monotonic() >= _down_until:
        logger.warning(
            "View buffer Redis unavailable (%s); its leftovers wait, retrying in %ss.",
            exc,
            REDIS_RETRY_SECONDS,
        )
    _down_until = time.monotonic() + REDIS_RETRY_SECONDS


def reset_redis_state() -> None:
    """Forget clients and outages (tests, or after changing VIEWCOUNTS_REDIS_URL)."""
    global _down_until, _next_local_flush
    _down_until = 0.0
    _next_local_flush = 0.0
    with _clients_lock:
        _clients.clear()


def _key(*parts: str) -> str:
    # One hash tag for every key: the seal script renames the live hash to a
    # batch and adds it to the set of batches in one step, which a sharded
    # Redis (Cluster, or a proxy that shards by slot) allows only for keys in
    # one slot. The clients here talk to one server or follow Sentinel.
    tagged = "{" + conf.settings.VIEWCOUNTS_REDIS_PREFIX + "}"
    return ":".join((tagged, *parts))


def _untagged_key(*parts: str) -> str:
    """The names releases up to 0.3.0 wrote, without the hash tag: their
    leftovers are drained too (on one server, where a script may span them)."""
    return ":".join((conf.settings.VIEWCOUNTS_REDIS_PREFIX, *parts))


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


@dataclass
class FlushReport:
    views: int = 0  # written now, from the database buffer and Redis leftovers
    pending: int = 0  # a dry run: what would be written
    applied: list[str] = field(default_factory=list)  # Redis batches
    already_applied: list[str] = field(default_factory=list)
    busy: bool = False  # another flush holds the Redis leftovers' lock
    redis_error: str = ""  # the leftovers could not be checked (nothing lost)


def _parse(raw: dict) -> dict[tuple[int, date], int]:
    counts: dict[tuple[int, date], int] = {}
    for name, value in raw.items():
        article_id, _, day = name.decode().partition(":")
        key = (int(article_id), date.fromisoformat(day))
        counts[key] = counts.get(key, 0) + int(value)
    return counts


def flush_views(*, dry_run: bool = False) -> FlushReport:
    """Move buffered views into the daily rows and totals, each exactly once:
    the database buffer, then what earlier releases left in Redis.

    Raises a database error on failure (nothing is lost: what was not
    committed stays buffered). A Redis failure does not stop the flush: it is
    reported in ``redis_error``, and the leftovers wait for the next one.
    """
    report = FlushReport()
    if dry_run:
        report.pending = pending_views()
    else:
        report.views = flush_pending()
        metrics.record_view_flush(report.views)
    if not _redis_url():
        return report
    client = get_redis()
    if client is None:
        report.redis_error = "marked unavailable after a recent failure"
        return report
    # Each family of names on its own: a failure draining one (the old
    # names' keys may sit in different slots) does not keep the other waiting.
    errors = []
    for key in (_untagged_key, _key):
        try:
            _drain_redis(client, report, dry_run, key)
        except redis.RedisError as exc:
            errors.append(exc)
    if errors:
        _redis_failed(errors[0])
        report.redis_error = "; ".join(map(str, errors))
    return report


def _drain_redis(
    client: redis.Redis, report: FlushReport, dry_run: bool, key=None
) -> None:
    key = key or _key
    if dry_run:
        report.pending += sum(_parse(client.hgetall(key("live"))).values())
        for batch_id in sorted(b.decode() for b in client.smembers(key("batches"))):
            if FlushBatch.objects.filter(batch_id=batch_id).exists():
                report.already_applied.append(batch_id)
            else:
                report.applied.append(batch_id)
                report.pending += sum(
                    _parse(client.hgetall(key("batch", batch_id))).values()
                )
        return
    if not client.exists(key("live"), key("batches")):
        return  # the usual case once the upgrade is done: one round trip
    token = uuid.uuid4().hex
    if not client.set(key("flush-lock"), token, nx=True, ex=FLUSH_LOCK_SECONDS):
        report.busy = True
        return
    try:
        batch_id = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}"
        client.eval(
            _SEAL, 3, key("live"), key("batch", batch_id), key("batches"), batch_id
        )
        for leftover in sorted(b.decode() for b in client.smembers(key("batches"))):
            counts = _parse(client.hgetall(key("batch", leftover)))
            if apply_batch(leftover, counts):
                report.applied.append(leftover)
                report.views += sum(counts.values())
            else:
                report.already_applied.append(leftover)
            discard_batch(client, leftover, key)
    finally:
        client.eval(_RELEASE, 1, key("flush-lock"), token)


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


def discard_batch(client: redis.Redis, batch_id: str, key=None) -> None:
    """Forget a batch the database has (after its commit)."""
    key = key or _key
    pipe = client.pipeline(transaction=True)
    pipe.delete(key("batch", batch_id))
    pipe.srem(key("batches"), batch_id)
    pipe.execute()
