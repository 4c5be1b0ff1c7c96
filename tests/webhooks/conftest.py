"""A real HTTP receiver for webhook and WebSub tests, on this helper's ports
(8620-8629), started by the test and stopped after it.

The receiver records each request (path, headers, body) and answers from a
script of answers (status, headers, body, delay); a webhook receiver given a
secret verifies each signature the way a partner would
(``webhooks.signing.verify``), and records the verdict.
"""

import http.server
import threading
import time
from dataclasses import dataclass, field

import pytest

from webhooks import signing

PORTS = range(8620, 8630)


@dataclass
class Answer:
    status: int = 200
    headers: dict = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    verified: bool | None


class Receiver(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str):
        self.requests: list[Received] = []
        self.answers: list[Answer] = []
        self.default = Answer()
        self.secret: str | None = None
        self._lock = threading.Lock()
        last_error = None
        for port in PORTS:
            try:
                super().__init__((host, port), _Handler)
                break
            except OSError as error:
                last_error = error
        else:
            raise RuntimeError(f"no free port in 8620-8629: {last_error}")
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def answer_with(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def next_answer(self) -> Answer:
        with self._lock:
            return self.answers.pop(0) if self.answers else self.default

    def record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        headers = {key.lower(): value for key, value in self.headers.items()}
        verified = None
        if self.server.secret is not None:
            try:
                signing.verify(self.server.secret, headers, body)
                verified = True
            except signing.InvalidSignature:
                verified = False
        self.server.record(Received(self.path, headers, body, verified))
        answer = self.server.next_answer()
        if answer.delay:
            time.sleep(answer.delay)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        try:
            self.wfile.write(answer.body)
        except OSError:
            pass  # the client stopped reading (the size cap)

    def log_message(self, *args):
        pass


@pytest.fixture
def start_receiver():
    started = []

    def start(host: str = "127.0.0.1") -> Receiver:
        receiver = Receiver(host)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def receiver(start_receiver):
    return start_receiver()


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    # The receivers listen on loopback: allowed here, and only 127.0.0.1
    # (the SSRF tests narrow or widen it).
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    settings.WEBHOOKS_TIMEOUT = 5.0
    settings.SITE_URL = "https://news.example"
    settings.WEBSUB_HUB_URL = ""


@pytest.fixture
def subscribe(db):
    """A subscription to ``url`` for ``events`` (the story's own by default)."""
    from webhooks.events import DEFAULT_EVENTS
    from webhooks.models import Subscription

    def make(url, events=None, **fields):
        return Subscription.objects.create(
            name=fields.pop("name", "Partner"),
            url=url,
            events=[str(e) for e in (DEFAULT_EVENTS if events is None else events)],
            **fields,
        )

    return make


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what is sent after the commit (the signals, then the tasks the
    handlers enqueue, with the immediate backend) as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def queued(settings, transactional_db):
    """Tasks wait in the database for a real worker (django-tasks-db's
    ``Worker``, as ``db_worker`` runs it), committed as in production."""
    from tests.tasks.conftest import BACKENDS, Tasks

    settings.TASKS = {"default": {"BACKEND": BACKENDS["database"]}}
    return Tasks("database")
