"""The ``db_worker`` command itself, as its systemd unit runs it (here with
``--batch``: until the queue is empty), and the pruning tasks on both
backends."""

import datetime
import io
import signal

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import tasks as article_tasks
from articles.models import PreviewLink
from newsroom import background
from tests.factories import make_article, make_user
from viewcounts import counter
from viewcounts.models import ArticleViewTotal


@pytest.fixture
def queued(settings, transactional_db):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.VIEWCOUNTS_REDIS_URL = ""
    yield
    # db_worker sets its own handlers for a graceful stop; give them back.
    for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def test_db_worker_runs_what_waits_and_the_gauge_counts_it(queued):
    article = make_article()
    counter.increment(article.pk, n=3)  # the first view enqueues the flush
    article_tasks.prune_kept_uploads.enqueue()
    assert background.waiting() == 2
    out = io.StringIO()
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out
    )
    assert background.waiting() == 0
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert ArticleViewTotal.objects.get(article=article).views == 3


def test_the_gauge_is_none_with_the_immediate_backend(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
    }
    assert background.waiting() is None and background.runs_here()


def test_old_share_links_are_pruned_and_live_ones_kept(tasks):
    story, editor = make_article(), make_user(staff=True)
    now = timezone.now()
    days = datetime.timedelta(days=1)
    live = PreviewLink.objects.create(
        article=story, created_by=editor, expires_at=now + days
    )
    expired_lately = PreviewLink.objects.create(
        article=story, created_by=editor, expires_at=now - days
    )
    PreviewLink.objects.create(
        article=story, created_by=editor, expires_at=now - 31 * days
    )
    PreviewLink.objects.create(
        article=story,
        created_by=editor,
        expires_at=now + days,
        revoked_at=now - 31 * days,
    )
    result = article_tasks.prune_preview_links.enqueue()
    tasks.work()
    if not tasks.queued:
        assert result.return_value == 2
    assert set(PreviewLink.objects.all()) == {live, expired_lately}
