"""CDN and proxy purges: the outbox (``pagecache.purgers``) is sent by the
task ``pagecache.tasks.send_purges`` when tasks are queued, by the process's
own drainer thread with the immediate backend, and by ``run_periodic``."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from pagecache import purgers
from pagecache.models import PurgeRequest
from pagecache.signals import pages_retired
from tests.pagecache.test_purgers import Recorder


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _purging(settings, recorder):
    settings.PAGE_CACHE_PURGE_IN_BACKGROUND = True
    settings.PAGE_CACHE_PURGE_BACKOFF = 2.0
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]


def sent_names(recorder) -> list[str]:
    return [request["headers"]["xkey-purge"] for request in recorder.requests]


def finish(tasks):
    """Whatever sends purges with this backend, until it is done."""
    if tasks.queued:
        tasks.work()
    else:
        assert purgers.background.wait_idle(30)


def test_retired_pages_are_purged_outside_the_request(tasks, recorder):
    pages_retired.send(sender=None, names=["story:5", "list:home"])
    if tasks.queued:
        assert tasks.waiting("send_purges") == 1
        assert recorder.requests == []  # the worker sends it, not the writer
    finish(tasks)
    assert sent_names(recorder) == ["list:home story:5"]
    assert PurgeRequest.objects.get().status == PurgeRequest.Status.DONE


def test_a_failed_purge_is_retried_then_sent_once(tasks, recorder, settings):
    # A retry far off: the drainer thread sleeps past the test; the periodic
    # command sends it once it is made due here.
    settings.PAGE_CACHE_PURGE_BACKOFF = 600.0
    recorder.statuses = [503]
    pages_retired.send(sender=None, names=["story:7"])
    finish(tasks)
    request = PurgeRequest.objects.get()
    assert request.status == PurgeRequest.Status.PENDING and request.attempts == 1
    assert "503" in request.last_error  # recorded in the outbox, not lost
    PurgeRequest.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("run_periodic", "--job", "send_purges")
    call_command("run_periodic", "--job", "send_purges")  # nothing left to send
    finish(tasks)
    assert sent_names(recorder) == ["story:7", "story:7"]  # the 503, then the retry
    assert PurgeRequest.objects.get().status == PurgeRequest.Status.DONE
