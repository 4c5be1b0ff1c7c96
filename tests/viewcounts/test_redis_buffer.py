"""The buffer: counted views wait in the database (PendingView) and land in the
daily rows and totals exactly once; what earlier releases left in Redis is
drained exactly once too.

The Redis tests run against a real Redis always: ``REDIS_URL`` when set, else
the local server at redis://127.0.0.1:6379/5. Each test uses its own key
prefix, and plays an earlier release's worker with ``HINCRBY`` on the live hash.
"""

import logging
import os
import threading
import uuid

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article
from viewcounts import conf as viewcounts_conf
from viewcounts import counter, rules
from viewcounts.models import (
    ArticleDailyViews,
    ArticleViewTotal,
    FlushBatch,
    PendingView,
)

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Threads writing at once need a server database: SQLite's in-memory "
    "test database (shared cache) fails concurrent writers with 'table is "
    "locked' instead of queueing them.",
)


@pytest.fixture
def buffer(settings):
    """Point the tracker at a real Redis, under a prefix of its own."""
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
    prefix = f"test-views:{uuid.uuid4().hex}"
    settings.VIEWCOUNTS_REDIS_URL = url
    settings.VIEWCOUNTS_REDIS_PREFIX = prefix
    settings.VIEWCOUNTS_ENABLED = True
    counter.reset_redis_state()
    client = redis.Redis.from_url(url)
    client.ping()  # no Redis is a failure here, never a skip
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 600
    cache.add("viewcounts:flush-due", 1, timeout=600)  # tests flush by hand
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()
    counter.reset_redis_state()


def old_release_counts(client, article, n=1, day=None):
    """What an earlier release's worker did with a view: HINCRBY in Redis."""
    day = day or timezone.localdate()
    prefix = viewcounts_conf.settings.VIEWCOUNTS_REDIS_PREFIX
    client.hincrby(f"{prefix}:live", f"{article.pk}:{day.isoformat()}", n)


def total(article):
    return (
        ArticleViewTotal.objects.filter(article=article)
        .values_list("views", flat=True)
        .first()
        or 0
    )


def test_views_an_earlier_release_left_in_redis_are_written_once(db, buffer, settings):
    article = make_article()
    for _ in range(5):
        old_release_counts(buffer, article)
    assert total(article) == 0
    assert buffer.exists(f"{settings.VIEWCOUNTS_REDIS_PREFIX}:live")

    report = counter.flush_views()
    assert report.views == 5 and len(report.applied) == 1
    assert total(article) == 5
    assert ArticleDailyViews.objects.get(article=article).views == 5
    assert FlushBatch.objects.count() == 1
    assert list(buffer.scan_iter(f"{settings.VIEWCOUNTS_REDIS_PREFIX}:batch*")) == []

    again = counter.flush_views()
    assert again.views == 0 and again.applied == []
    assert total(article) == 5


def test_a_beacon_counts_through_the_database_buffer(db, client, buffer):
    article = make_article()
    url = reverse("viewcounts:record_view", args=[article.pk])
    assert client.post(url, HTTP_USER_AGENT=BROWSER).status_code == 204
    assert client.post(url, HTTP_USER_AGENT=BROWSER).status_code == 204  # reload
    assert PendingView.objects.filter(article=article).count() == 1
    assert not buffer.exists(f"{viewcounts_conf.settings.VIEWCOUNTS_REDIS_PREFIX}:live")
    counter.flush_views()
    assert total(article) == 1


def test_flush_killed_after_commit_before_deleting_the_batch_then_rerun(
    db, buffer, monkeypatch
):
    article = make_article()
    for _ in range(7):
        old_release_counts(buffer, article)

    def killed(client, batch_id, key=None):
        raise SystemExit("killed between the commit and the key delete")

    with monkeypatch.context() as patch:
        patch.setattr(counter, "discard_batch", killed)
        with pytest.raises(SystemExit):
            counter.flush_views()
    assert total(article) == 7  # committed
    for _ in range(3):
        old_release_counts(buffer, article)

    report = counter.flush_views()
    assert len(report.already_applied) == 1  # the leftover, not applied again
    assert report.views == 3
    assert total(article) == 10
    assert FlushBatch.objects.count() == 2


def test_flush_failing_before_commit_leaves_the_batch_for_the_rerun(
    db, buffer, monkeypatch
):
    article = make_article()
    for _ in range(4):
        old_release_counts(buffer, article)

    def database_down(counts):
        raise RuntimeError("database went away mid-transaction")

    with monkeypatch.context() as patch:
        patch.setattr(counter, "apply_counts", database_down)
        with pytest.raises(RuntimeError):
            counter.flush_views()
    assert total(article) == 0
    assert not FlushBatch.objects.exists()

    old_release_counts(buffer, article)
    report = counter.flush_views()
    # The failed flush stopped at the database buffer, before sealing a batch.
    assert report.views == 5 and len(report.applied) == 1
    assert total(article) == 5


def test_a_batch_applied_twice_counts_once(db, buffer):
    article = make_article()
    counts = {(article.pk, rules.timezone.localdate()): 6}
    assert counter.apply_batch("batch-1", counts)
    assert not counter.apply_batch("batch-1", counts)
    assert total(article) == 6


def test_a_flush_while_another_holds_the_lock_does_nothing(db, buffer, settings):
    article = make_article()
    old_release_counts(buffer, article)
    buffer.set(f"{settings.VIEWCOUNTS_REDIS_PREFIX}:flush-lock", "someone-else", ex=60)
    assert counter.flush_views().busy
    assert total(article) == 0
    buffer.delete(f"{settings.VIEWCOUNTS_REDIS_PREFIX}:flush-lock")
    counter.flush_views()
    assert total(article) == 1


def _threads(count, target):
    errors = []

    def run(i):
        try:
            target(i)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_flushes_at_once_while_views_arrive_count_each_view_once(buffer):
    article = make_article()

    def work(i):
        if i < 2:
            for _ in range(10):
                counter.flush_views()
        else:
            for _ in range(50):
                old_release_counts(buffer, article)

    _threads(22, work)
    counter.flush_views()
    assert total(article) == 1000
    assert ArticleDailyViews.objects.get(article=article).views == 1000


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_batch_written_by_two_flushers_at_once_counts_once(buffer):
    """Even if the lock expired mid-flush, the unique batch id holds."""
    article = make_article()
    counts = {(article.pk, rules.timezone.localdate()): 9}
    results = []
    _threads(2, lambda i: results.append(counter.apply_batch("shared", counts)))
    assert sorted(results) == [False, True]
    assert total(article) == 9


def test_the_flush_runs_by_itself_at_most_once_per_interval(db, settings):
    settings.VIEWCOUNTS_REDIS_URL = ""
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 60
    cache.delete("viewcounts:flush-due")
    article = make_article()
    counter.increment(article.pk)
    assert total(article) == 1  # the first view after a quiet minute flushes
    counter.increment(article.pk)
    assert total(article) == 1 and counter.pending_views() == 1  # buffered
    cache.delete("viewcounts:flush-due")  # a minute later
    counter.increment(article.pk)
    assert total(article) == 3 and counter.pending_views() == 0


def test_a_flush_interval_of_zero_flushes_every_view(db, settings):
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 0
    article = make_article()
    for _ in range(3):
        counter.increment(article.pk)
    assert total(article) == 3


def test_counted_views_wait_in_the_database_until_the_flush(db, settings):
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 600
    cache.add("viewcounts:flush-due", 1, timeout=600)
    article = make_article()
    for _ in range(4):
        counter.increment(article.pk)
    assert total(article) == 0
    assert PendingView.objects.filter(article=article).count() == 4
    assert counter.flush_pending() == 4
    assert counter.flush_pending() == 0  # the rows went with the commit
    assert total(article) == 4 and not PendingView.objects.exists()


def test_a_flush_failing_before_its_commit_keeps_the_rows(db, settings, monkeypatch):
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 600
    cache.add("viewcounts:flush-due", 1, timeout=600)
    article = make_article()
    counter.increment(article.pk, n=3)

    def database_down(counts):
        raise RuntimeError("database went away mid-transaction")

    with monkeypatch.context() as patch:
        patch.setattr(counter, "apply_counts", database_down)
        with pytest.raises(RuntimeError):
            counter.flush_pending()
    assert PendingView.objects.count() == 1 and total(article) == 0
    assert counter.flush_pending() == 3
    assert total(article) == 3


def test_a_flush_in_chunks_moves_every_row_once(db):
    article = make_article()
    PendingView.objects.bulk_create(
        PendingView(article=article, day=timezone.localdate()) for _ in range(25)
    )
    assert counter.flush_pending(chunk=10) == 25
    assert total(article) == 25


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_flushes_in_threads_while_views_arrive_count_each_view_once(settings):
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 0  # every view flushes too
    article = make_article()

    def work(i):
        for _ in range(25):
            if i < 3:
                counter.flush_pending(chunk=7)
            else:
                counter.increment(article.pk)

    _threads(20, work)
    counter.flush_pending()
    assert total(article) == 17 * 25
    assert ArticleDailyViews.objects.get(article=article).views == 17 * 25


def test_flushing_never_touches_the_story_row(db, buffer):
    article = make_article()
    updated_at = article.updated_at
    old_release_counts(buffer, article)
    counter.flush_views()
    article.refresh_from_db()
    assert article.updated_at == updated_at


def test_with_redis_down_views_still_count_and_the_outage_is_logged_once(
    db, client, settings, caplog
):
    settings.VIEWCOUNTS_REDIS_URL = DEAD_REDIS
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 0  # every view flushes, and tries Redis
    counter.reset_redis_state()
    article = make_article()
    url = reverse("viewcounts:record_view", args=[article.pk])
    with caplog.at_level(logging.WARNING, logger="viewcounts.counter"):
        for n in range(3):
            response = client.post(
                url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"198.51.100.{n}"
            )
            assert response.status_code == 204
    assert total(article) == 3
    warnings = [r for r in caplog.records if r.name == "viewcounts.counter"]
    assert len(warnings) == 1  # one warning per outage, not per view
    counter.reset_redis_state()


def test_story_page_and_beacon_answer_with_the_cache_and_buffer_down(
    db, client, settings
):
    settings.VIEWCOUNTS_REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    settings.VIEWCOUNTS_DEDUP_STORE = "auto"
    counter.reset_redis_state()
    article = make_article()
    assert client.get(article.get_absolute_url()).status_code == 200
    url = reverse("viewcounts:record_view", args=[article.pk])
    assert client.post(url, HTTP_USER_AGENT=BROWSER).status_code == 204
    assert client.post(url, HTTP_USER_AGENT=BROWSER).status_code == 204
    counter.flush_pending()
    assert total(article) == 1  # the database has the marks
    counter.reset_redis_state()


# The command


def test_flush_views_command_writes_and_reports(db, buffer, capsys):
    article = make_article()
    for _ in range(2):
        old_release_counts(buffer, article)
    call_command("flush_views", "--dry-run")
    assert "Would write 2 views" in capsys.readouterr().out
    assert total(article) == 0
    call_command("flush_views")
    assert "Wrote 2 views; 1 leftover Redis batches" in capsys.readouterr().out
    assert total(article) == 2
    call_command("flush_views")  # idempotent
    assert total(article) == 2


def test_flush_views_command_with_redis_down_writes_the_buffer_and_says_so(
    db, settings, capsys
):
    settings.VIEWCOUNTS_REDIS_URL = DEAD_REDIS
    counter.reset_redis_state()
    article = make_article()
    PendingView.objects.create(article=article, day=timezone.localdate(), views=2)
    call_command("flush_views")  # exit 0: nothing counted waits on Redis
    out, err = capsys.readouterr()
    assert "Wrote 2 views" in out
    assert "nothing lost" in err
    assert total(article) == 2
    counter.reset_redis_state()


def test_flush_views_command_without_redis_writes_the_buffer(db, settings, capsys):
    settings.VIEWCOUNTS_REDIS_URL = ""
    article = make_article()
    PendingView.objects.create(article=article, day=timezone.localdate(), views=5)
    call_command("flush_views")
    assert "Wrote 5 views" in capsys.readouterr().out
    assert total(article) == 5


def test_every_key_a_flush_touches_shares_one_cluster_slot(settings):
    """Redis Cluster runs a script only on keys of one slot: the seal script
    renames the live hash to a batch and adds it to the batch set."""
    from redis.crc import key_slot

    names = [
        counter._key("live"),
        counter._key("batch", "20261202T050000000000-abc"),
        counter._key("batches"),
        counter._key("flush-lock"),
    ]
    assert len({key_slot(name.encode()) for name in names}) == 1


def test_leftovers_under_the_tagged_names_are_drained_too(db, buffer):
    article = make_article()
    day = timezone.localdate()
    buffer.hincrby(counter._key("live"), f"{article.pk}:{day.isoformat()}", 4)
    old_release_counts(buffer, article, n=2)

    report = counter.flush_views()

    assert report.views == 6
    assert total(article) == 6
    assert not buffer.exists(counter._key("live"), counter._key("batches"))
