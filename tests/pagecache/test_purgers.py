"""Purging retired pages at a CDN or proxy (pagecache.purgers), against real
HTTP servers started here that record what they receive: the outbox, each
purger's request, retries with backoff, exactly-once draining, logging."""

import datetime
import http.server
import json
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from pagecache import cdn, purgers
from pagecache.models import PurgeRequest
from pagecache.signals import pages_retired

pytestmark = pytest.mark.django_db


class Recorder(http.server.ThreadingHTTPServer):
    """An HTTP server on a free port that records every request and answers
    with the next of ``statuses`` (then 200, with Cloudflare's success body)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests = []
        self.statuses = []
        self.received = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def hostport(self):
        return f"127.0.0.1:{self.server_address[1]}"

    def stop(self):
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server = self.server
        server.requests.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": self.headers,  # names case-insensitive
                "body": body,
            }
        )
        status = server.statuses.pop(0) if server.statuses else 200
        payload = json.dumps({"success": status == 200}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        server.received.set()

    do_PURGE = do_POST = do_GET = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _drained_here(settings):
    """Drained by the test itself; the background thread has its own test."""
    settings.PAGE_CACHE_PURGE_IN_BACKGROUND = False
    settings.PAGE_CACHE_PURGE_BACKOFF = 2.0


def retire(*names):
    pages_retired.send(sender=None, names=list(names))


def make_due():
    """As if the retry's time had come."""
    PurgeRequest.objects.update(due_at=timezone.now() - datetime.timedelta(seconds=1))


def test_nothing_is_written_when_no_purger_is_configured(settings):
    settings.PAGE_CACHE_PURGERS = []
    retire("story:1")
    assert not PurgeRequest.objects.exists()


def test_varnish_gets_one_xkey_purge_request_with_the_names(settings, recorder):
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    retire("story:12", "list:home", "story:12")
    assert purgers.drain() == {"sent": 1, "failed": 0, "gave_up": 0}
    [request] = recorder.requests
    assert request["method"] == "PURGE" and request["path"] == "/"
    assert request["headers"]["xkey-purge"] == "list:home story:12"
    done = PurgeRequest.objects.get()
    assert done.status == PurgeRequest.Status.DONE and done.finished_at


def test_names_are_sent_as_the_pages_carry_them(settings, recorder):
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    retire("list:tag:북한")
    purgers.drain()
    assert recorder.requests[0]["headers"]["xkey-purge"] == cdn.token("list:tag:북한")


def test_fastly_gets_a_purge_by_surrogate_key(settings, recorder, monkeypatch):
    monkeypatch.setenv("TEST_FASTLY_TOKEN", "fastly-secret")
    settings.PAGE_CACHE_PURGERS = [
        {
            "type": "fastly",
            "service": "SVC123",
            "token_env": "TEST_FASTLY_TOKEN",
            "api": recorder.base,
        }
    ]
    retire("story:3", "all")
    purgers.drain()
    [request] = recorder.requests
    assert request["method"] == "POST"
    assert request["path"] == "/service/SVC123/purge"
    assert request["headers"]["Surrogate-Key"] == "all story:3"
    assert request["headers"]["Fastly-Key"] == "fastly-secret"


def test_cloudflare_gets_a_purge_by_tag(settings, recorder, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "cf-secret")
    settings.PAGE_CACHE_PURGERS = [
        {"type": "cloudflare", "zone": "ZONE9", "api": recorder.base + "/client/v4"}
    ]
    retire("story:3", "list:home")
    purgers.drain()
    [request] = recorder.requests
    assert request["method"] == "POST"
    assert request["path"] == "/client/v4/zones/ZONE9/purge_cache"
    assert json.loads(request["body"]) == {"tags": ["list:home", "story:3"]}
    assert request["headers"]["Authorization"] == "Bearer cf-secret"


def test_cloudflare_without_success_in_its_answer_is_retried(
    settings, recorder, monkeypatch
):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "cf-secret")
    settings.PAGE_CACHE_PURGERS = [
        {"type": "cloudflare", "zone": "Z", "api": recorder.base}
    ]
    recorder.statuses = [403]
    retire("story:3")
    assert purgers.drain()["failed"] == 1
    assert "403" in PurgeRequest.objects.get().last_error


def test_a_proxy_without_tags_gets_a_purge_of_each_address(settings, recorder):
    settings.PAGE_CACHE_PURGERS = [f"purge://{recorder.hostport}"]
    cdn.remember_address("http://news.example/world/harbour/", ["all", "story:1"])
    cdn.remember_address("http://news.example/?page=2", ["all", "list:home"])
    cdn.remember_address("http://news.example/sport/", ["all", "story:2"])
    retire("story:1", "list:home")
    purgers.drain()
    sent = sorted(
        (r["method"], r["path"], r["headers"]["Host"]) for r in recorder.requests
    )
    assert sent == [
        ("PURGE", "/?page=2", "news.example"),
        ("PURGE", "/world/harbour/", "news.example"),
    ]


def test_each_purger_gets_its_own_request_and_its_own_retries(settings, recorder):
    other = Recorder()
    try:
        settings.PAGE_CACHE_PURGERS = [
            f"varnish://{recorder.hostport}",
            f"varnish://{other.hostport}",
        ]
        other.statuses = [500]
        retire("story:1")
        assert purgers.drain() == {"sent": 1, "failed": 1, "gave_up": 0}
        make_due()
        assert purgers.drain() == {"sent": 1, "failed": 0, "gave_up": 0}
        assert len(recorder.requests) == 1 and len(other.requests) == 2
    finally:
        other.stop()


def test_a_failed_purge_is_logged_and_retried_after_its_backoff(
    settings, recorder, caplog
):
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    recorder.statuses = [500]
    retire("story:7")
    before = timezone.now()
    assert purgers.drain() == {"sent": 0, "failed": 1, "gave_up": 0}
    after = timezone.now()
    waiting = PurgeRequest.objects.get()
    assert waiting.status == PurgeRequest.Status.PENDING
    assert waiting.attempts == 1 and "500" in waiting.last_error
    backoff = datetime.timedelta(seconds=purgers.backoff(1))
    assert before + backoff <= waiting.due_at <= after + backoff
    assert "Purge at varnish:" in caplog.text and "retrying" in caplog.text

    # Not before its time...
    assert purgers.drain()["sent"] == 0
    assert len(recorder.requests) == 1
    # ...then once.
    make_due()
    assert purgers.drain() == {"sent": 1, "failed": 0, "gave_up": 0}
    assert len(recorder.requests) == 2
    assert PurgeRequest.objects.get().status == PurgeRequest.Status.DONE


def test_backoff_doubles_up_to_an_hour(settings):
    settings.PAGE_CACHE_PURGE_BACKOFF = 2.0
    assert [purgers.backoff(n) for n in range(1, 6)] == [2, 4, 8, 16, 32]
    assert purgers.backoff(30) == purgers.MAX_BACKOFF == 3600


def test_an_unreachable_purger_is_logged_and_given_up_after_its_attempts(
    settings, caplog
):
    closed = Recorder()
    closed.stop()  # nothing listens on that port any more
    settings.PAGE_CACHE_PURGERS = [f"varnish://{closed.hostport}"]
    settings.PAGE_CACHE_PURGE_ATTEMPTS = 3
    retire("story:1")
    assert purgers.drain()["failed"] == 1
    make_due()
    assert purgers.drain()["failed"] == 1
    make_due()
    assert purgers.drain() == {"sent": 0, "failed": 0, "gave_up": 1}
    request = PurgeRequest.objects.get()
    assert request.status == PurgeRequest.Status.FAILED and request.attempts == 3
    assert "giving up" in caplog.text
    make_due()
    assert purgers.drain()["failed"] == 0  # not tried again


def test_the_outbox_is_drained_exactly_once(settings, recorder):
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    retire("story:1")
    retire("story:2")
    # A second drainer arriving while the first holds the requests gets none.
    claim, held = purgers._claim(timezone.now())
    assert len(held) == 2
    assert purgers._claim(timezone.now()) == ("", [])
    assert purgers.drain()["sent"] == 0
    # The holder died: once its lease lapses another drainer sends them, once.
    later = timezone.now() + datetime.timedelta(hours=1)
    PurgeRequest.objects.update(claimed_until=later - datetime.timedelta(hours=2))
    assert purgers.drain() == {"sent": 2, "failed": 0, "gave_up": 0}
    assert purgers.drain() == {"sent": 0, "failed": 0, "gave_up": 0}
    call_command("send_purges", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(recorder.requests) == 1  # both requests' names in one purge
    assert recorder.requests[0]["headers"]["xkey-purge"] == "story:1 story:2"


def test_batches_are_bounded_in_requests_and_in_names(settings, recorder):
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    settings.PAGE_CACHE_PURGE_BATCH = 2
    for n in range(5):
        retire(f"story:{n}")
    assert purgers.drain()["sent"] == 2
    assert purgers.drain()["sent"] == 2
    assert purgers.drain()["sent"] == 1
    recorder.requests.clear()

    retire(*(f"story:{n}" for n in range(450)))
    while purgers.drain()["sent"]:
        pass
    sizes = [len(r["headers"]["xkey-purge"].split()) for r in recorder.requests]
    assert sizes == [200, 200, 50]


def test_requests_for_a_purger_no_longer_configured_are_dropped_and_logged(
    settings, recorder, caplog
):
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    retire("story:1")
    settings.PAGE_CACHE_PURGERS = [
        {"type": "varnish", "url": recorder.base, "name": "v2"}
    ]
    assert purgers.drain()["gave_up"] == 1
    assert PurgeRequest.objects.get().status == PurgeRequest.Status.FAILED
    assert "not configured" in caplog.text


def test_a_bad_configuration_is_logged_and_never_fails_the_writer(
    settings, caplog, monkeypatch
):
    monkeypatch.delenv("FASTLY_API_TOKEN", raising=False)
    settings.PAGE_CACHE_PURGERS = ["fastly://SVC"]
    with pytest.raises(ImproperlyConfigured):
        purgers.configured()
    retire("story:1")  # does not raise
    assert "purge outbox" in caplog.text
    settings.PAGE_CACHE_PURGERS = ["gopher://somewhere"]
    with pytest.raises(ImproperlyConfigured):
        purgers.configured()


def test_send_purges_sends_what_is_due_and_forgets_old_finished_requests(
    settings, recorder
):
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    retire("story:1")
    old = PurgeRequest.objects.create(
        purger="varnish:x",
        names=["story:0"],
        status=PurgeRequest.Status.DONE,
        finished_at=timezone.now() - datetime.timedelta(days=30),
    )
    with open("/dev/null", "w") as out:
        call_command("send_purges", stdout=out)
    assert len(recorder.requests) == 1
    assert not PurgeRequest.objects.filter(pk=old.pk).exists()
    assert PurgeRequest.objects.get().status == PurgeRequest.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_the_background_thread_sends_a_purge_outside_the_request(settings, recorder):
    settings.PAGE_CACHE_PURGE_IN_BACKGROUND = True
    settings.PAGE_CACHE_PURGERS = [f"varnish://{recorder.hostport}"]
    retire("story:5")
    assert recorder.received.wait(30)
    assert purgers.background.wait_idle(30)
    assert recorder.requests[0]["headers"]["xkey-purge"] == "story:5"
    assert PurgeRequest.objects.get().status == PurgeRequest.Status.DONE


def test_a_database_gone_at_exit_leaves_the_purges_with_a_warning(monkeypatch, caplog):
    """At exit the database may already be gone (a test run drops it first;
    a server shutting down): the purges stay in the outbox for the next
    drain, which is said in one line, not as a failure with a traceback."""
    from django.db import OperationalError

    def gone():
        raise OperationalError('database "newsroom" does not exist')

    background = purgers.Background()
    background._pid = purgers.os.getpid()
    background._sleep = 5.0  # something was pending at the last pass
    background._idle.set()
    monkeypatch.setattr(purgers, "drain", gone)
    with caplog.at_level("WARNING", logger="pagecache.purgers"):
        background._at_exit()  # does not raise
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert "left in the outbox" in record.getMessage()
    assert record.exc_info is None
