"""The view-count flush is a task (``viewcounts.counter.flush_view_counts``):
the beacon enqueues it at most once per interval, the periodic command runs
it too, and every counted view lands exactly once whoever flushes."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_article
from viewcounts import counter
from viewcounts.models import ArticleDailyViews, ArticleViewTotal

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _counting(settings):
    settings.VIEWCOUNTS_ENABLED = True
    settings.VIEWCOUNTS_REDIS_URL = ""
    settings.VIEWCOUNTS_FLUSH_INTERVAL = 60
    settings.VIEWCOUNTS_PER_ADDRESS_LIMIT = 0
    cache.delete("viewcounts:flush-due")
    counter.reset_redis_state()


def read(client, article, n):
    """Reader ``n`` (an address of its own) loads the story: the beacon."""
    url = reverse("viewcounts:record_view", args=[article.pk])
    response = client.post(
        url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"10.{n // 250}.{n % 250}.1"
    )
    assert response.status_code == 204


def total(article) -> int:
    row = ArticleViewTotal.objects.filter(article=article).first()
    return row.views if row else 0


def test_the_beacon_enqueues_one_flush_per_interval(tasks, client):
    article = make_article()
    for n in range(40):
        read(client, article, n)
    if tasks.queued:
        # Forty beacons in one interval: one flush waits for the worker, and
        # the views wait in the buffer meanwhile.
        assert tasks.waiting("flush_view_counts") == 1
        assert total(article) == 0
        assert tasks.work() == 1
        assert total(article) == 40  # the worker's flush took them all
    else:
        assert total(article) == 1  # flushed at once, by the first beacon
        assert counter.pending_views() == 39
    # The periodic command takes the views of the quiet end of an interval.
    call_command("run_periodic", "--job", "flush_view_counts")
    assert total(article) == 40 and counter.pending_views() == 0


def test_counts_stay_exact_through_the_task_path(tasks, client):
    article = make_article()
    for n in range(30):
        read(client, article, n)
        if n % 7 == 0:
            cache.delete("viewcounts:flush-due")  # another interval begins
    tasks.work()
    call_command("run_periodic", "--job", "flush_view_counts")
    # Flushing again, by the task and the command, adds nothing.
    counter.flush_view_counts.enqueue()
    tasks.work()
    call_command("run_periodic", "--job", "flush_view_counts")
    assert total(article) == 30
    assert ArticleDailyViews.objects.get(article=article).views == 30
    assert counter.pending_views() == 0


def test_a_flush_that_fails_loses_no_view(tasks, client, monkeypatch):
    article = make_article()

    def database_down(counts):
        raise RuntimeError("database went away mid-transaction")

    with monkeypatch.context() as patch:
        patch.setattr(counter, "apply_counts", database_down)
        for n in range(5):
            read(client, article, n)
        tasks.work()
    assert total(article) == 0 and counter.pending_views() == 5
    if tasks.queued:
        assert tasks.waiting() == 0  # recorded as failed; the buffer keeps the views
    call_command("run_periodic", "--job", "flush_view_counts")
    assert total(article) == 5 and counter.pending_views() == 0
