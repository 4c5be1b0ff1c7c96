"""Counts stay exact through a Redis outage: a real Redis server of the test's
own (no persistence at all) is killed in the middle of a stream of readers,
some readers arrive while it is down, and it comes back empty on the same port.

The count shown equals the number of distinct readers, with and without a
reload per reader: counted views never live only in Redis (they are rows in
the database buffer), and every "seen" mark is in the database, which answers
whatever the cache forgot.
"""

import shutil
import signal
import socket
import subprocess
import time

import pytest
import redis
from django.urls import reverse

from tests.factories import make_article
from viewcounts import counter, stats

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
READERS = 60  # a third before the kill, a third during the outage, a third after


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own: nothing on disk, ever."""

    def __init__(self, port, workdir):
        self.port = port
        self.workdir = workdir
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the test's redis-server did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def keys(self):
        return redis.Redis(port=self.port).dbsize()

    def marks(self):
        """Readers' dedup marks in this Redis (django-redis prefixes keys)."""
        return sum(1 for _ in redis.Redis(port=self.port).scan_iter("*views:seen:*"))


@pytest.fixture
def own_redis(tmp_path, settings):
    server = RedisServer(free_port(), tmp_path)
    server.start()
    settings.CACHES = {
        **settings.CACHES,
        "viewcounts": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        },
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.VIEWCOUNTS_DEDUP_CACHE = "viewcounts"
    settings.VIEWCOUNTS_DEDUP_STORE = "cache"
    settings.VIEWCOUNTS_REDIS_URL = server.url  # the old buffer's leftovers, too
    settings.VIEWCOUNTS_ENABLED = True
    counter.reset_redis_state()
    yield server
    if server.process.poll() is None:
        server.kill()
    counter.reset_redis_state()


def visit(client, article, n):
    response = client.post(
        reverse("viewcounts:record_view", args=[article.pk]),
        HTTP_USER_AGENT=(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
            f"like Gecko) Chrome/131.0.{n}.0 Safari/537.36"
        ),
        REMOTE_ADDR=f"198.51.{n}.{n % 250 + 1}",
    )
    assert response.status_code == 204


def stream_through_an_outage(client, server, article, visits_per_reader):
    third = READERS // 3
    for n in range(READERS):
        if n == third:
            assert server.marks() > 0  # the marks were in this Redis
            server.kill()
        if n == 2 * third:
            server.start()  # back, and empty
            assert server.keys() == 0
        for _ in range(visits_per_reader):
            visit(client, article, n)


# Committed requests: a mark reaches the cache only once its transaction has.
@pytest.mark.django_db(transaction=True)
def test_every_reader_counts_once_through_a_redis_kill_and_empty_restart(
    client, own_redis
):
    article = make_article()
    stream_through_an_outage(client, own_redis, article, visits_per_reader=1)
    counter.flush_views()
    assert stats.view_count(article) == READERS


# Committed requests: a mark reaches the cache only once its transaction has.
@pytest.mark.django_db(transaction=True)
def test_reloads_through_the_outage_and_after_it_count_nobody_twice(client, own_redis):
    article = make_article()
    stream_through_an_outage(client, own_redis, article, visits_per_reader=2)
    # And everyone reloads once more, with Redis back but holding no marks
    # from before the kill or from the outage.
    for n in range(READERS):
        visit(client, article, n)
    counter.flush_views()
    assert stats.view_count(article) == READERS
