"""The SQLite file cache (newsroom/sqlitecache.py): Django's cache contract,
atomic add/incr across threads and processes, bounded size, misses (never an
error) when the file is unusable, and the page cache exact across two gunicorn
workers sharing the file."""

import json
import logging
import multiprocessing
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import html5lib
import pytest
from django.core.cache import caches

from newsroom import sharedcache
from newsroom.sqlitecache import SQLiteCache

ROOT = Path(__file__).resolve().parents[2]


def make_cache(path, **options):
    params = {"OPTIONS": {"RETRY_AFTER": 0, **options}}
    for name in ("TIMEOUT", "KEY_PREFIX"):
        if name in options:
            params[name] = params["OPTIONS"].pop(name)
    return SQLiteCache(str(path), params)


@pytest.fixture
def cache(tmp_path):
    return make_cache(tmp_path / "cache.sqlite3", MAX_ENTRIES=1000)


class Clock:
    """time.time() under the test's control: expiry without sleeping."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(time, "time", lambda: self.now)


def statements(cache):
    """The SQL statements the cache's connection runs, from now on."""
    seen = []
    cache._connection().set_trace_callback(seen.append)
    return seen


# The contract


@pytest.mark.parametrize(
    "value",
    [0, -5, 2**62, 2**70, 1.5, True, False, "text", b"\x00bytes", [1, "a"], {"k": 1}],
    ids=repr,
)
def test_values_come_back_as_stored(cache, value):
    cache.set("key", value)
    assert cache.get("key") == value
    assert type(cache.get("key")) is type(value)


def test_a_stored_none_is_not_the_default(cache):
    cache.set("key", None)
    assert cache.get("key", "default") is None
    assert cache.get("missing", "default") == "default"


def test_entries_expire(cache, monkeypatch):
    clock = Clock(monkeypatch)
    cache.set("short", 1, timeout=10)
    cache.set("forever", 2, timeout=None)
    clock.now += 9.9
    assert cache.get("short") == 1
    clock.now += 0.2
    assert cache.get("short") is None
    assert not cache.has_key("short")
    assert cache.get_many(["short", "forever"]) == {"forever": 2}
    clock.now += 10**9
    assert cache.get("forever") == 2


def test_a_zero_timeout_stores_nothing_and_the_default_timeout_applies(
    tmp_path, monkeypatch
):
    clock = Clock(monkeypatch)
    cache = make_cache(tmp_path / "c.sqlite3", TIMEOUT=30)
    cache.set("gone", 1, timeout=0)
    assert cache.get("gone") is None
    cache.set("default", 1)
    clock.now += 29
    assert cache.get("default") == 1
    clock.now += 2
    assert cache.get("default") is None


def test_add_sets_only_an_absent_or_expired_key(cache, monkeypatch):
    clock = Clock(monkeypatch)
    assert cache.add("key", "first", timeout=10) is True
    assert cache.add("key", "second", timeout=10) is False
    assert cache.get("key") == "first"
    clock.now += 11
    assert cache.add("key", "third", timeout=10) is True
    assert cache.get("key") == "third"


def test_incr_and_decr(cache, monkeypatch):
    clock = Clock(monkeypatch)
    cache.set("n", 10, timeout=10)
    assert cache.incr("n") == 11
    assert cache.incr("n", 5) == 16
    assert cache.decr("n", 20) == -4
    assert cache.get("n") == -4
    clock.now += 11
    with pytest.raises(ValueError, match="not found"):
        cache.incr("n")
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")


def test_incr_keeps_the_timeout(cache, monkeypatch):
    clock = Clock(monkeypatch)
    cache.set("n", 1, timeout=10)
    cache.incr("n")
    clock.now += 11
    assert cache.get("n") is None


def test_incr_of_other_numbers_and_past_64_bits(cache):
    cache.set("float", 1.5)
    assert cache.incr("float") == 2.5
    cache.set("big", 2**63 - 1)
    assert cache.incr("big") == 2**63
    assert cache.incr("big") == 2**63 + 1
    assert cache.decr("big", 2) == 2**63 - 1
    assert cache.incr("big", 0) == 2**63 - 1
    cache.set("text", "abc")
    with pytest.raises(TypeError):
        cache.incr("text")


def test_get_many_is_one_select(cache):
    cache.set_many({"a": 1, "b": "two", "c": [3]})
    seen = statements(cache)
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": 1, "b": "two", "c": [3]}
    assert [sql.split()[0] for sql in seen] == ["SELECT"]
    assert cache.get_many([]) == {}


def test_a_hit_reuses_the_connection(cache):
    cache.set("a", 1)
    connection = cache._connection()
    for _ in range(3):
        assert cache.get("a") == 1
        cache.close()  # what Django does after each request
    assert cache._connection() is connection


def test_set_many_delete_many_touch_has_key(cache, monkeypatch):
    clock = Clock(monkeypatch)
    assert cache.set_many({"a": 1, "b": 2, "c": 3}, timeout=10) == []
    cache.delete_many(["a", "b", "nothing"])
    assert cache.get_many(["a", "b", "c"]) == {"c": 3}
    assert cache.touch("c", 100) is True
    assert cache.touch("missing", 100) is False
    clock.now += 50
    assert cache.has_key("c")
    assert cache.delete("c") is True
    assert cache.delete("c") is False
    cache.set("old", 1, timeout=1)
    clock.now += 2
    assert cache.delete("old") is False  # it had expired


def test_keys_are_prefixed_and_versioned(tmp_path):
    one = make_cache(tmp_path / "c.sqlite3", KEY_PREFIX="one")
    two = make_cache(tmp_path / "c.sqlite3", KEY_PREFIX="two")
    one.set("key", 1)
    two.set("key", 2)
    one.set("key", "v2", version=2)
    assert (one.get("key"), two.get("key"), one.get("key", version=2)) == (1, 2, "v2")
    assert one.incr_version("key") == 2
    assert one.get("key", version=2) == 1


def test_clear_empties_the_file_for_every_process(tmp_path):
    path = tmp_path / "c.sqlite3"
    writer, reader = make_cache(path), make_cache(path)
    writer.set_many({f"k{n}": n for n in range(20)})
    assert reader.get("k3") == 3
    reader.clear()
    assert writer.get_many([f"k{n}" for n in range(20)]) == {}
    writer.set("again", 1)
    assert reader.get("again") == 1


# Bounded size


def _entries(cache):
    return (
        cache._connection().execute("SELECT count(*) FROM cache_entries").fetchone()[0]
    )


def test_culling_keeps_at_most_max_entries(tmp_path):
    cache = make_cache(tmp_path / "c.sqlite3", MAX_ENTRIES=30, CULL_FREQUENCY=3)
    cache.set("version", 1, timeout=None)
    for n in range(300):
        cache.set(f"page{n}", n, timeout=60 + n)
        assert _entries(cache) <= 30
    # Nearest to expiry went first; what has no timeout, last.
    assert cache.get("version") == 1
    assert cache.get("page299") == 299
    assert cache.get("page0") is None


def test_expired_entries_are_culled_first(tmp_path, monkeypatch):
    clock = Clock(monkeypatch)
    cache = make_cache(tmp_path / "c.sqlite3", MAX_ENTRIES=10)
    for n in range(9):
        cache.set(f"old{n}", n, timeout=1)
    cache.set("keep", "kept", timeout=3)
    clock.now += 2
    cache.set("new", "new")
    assert cache.get_many(["keep", "new"]) == {"keep": "kept", "new": "new"}
    assert _entries(cache) == 2


def test_culling_bounds_the_bytes_and_the_counts_stay_exact(tmp_path):
    cache = make_cache(tmp_path / "c.sqlite3", MAX_ENTRIES=10**6, MAX_BYTES=100_000)
    for n in range(100):
        cache.set(f"page{n}", b"x" * 10_000)
    db = cache._connection()
    stored = db.execute("SELECT sum(length(value)) FROM cache_entries").fetchone()[0]
    assert stored <= 100_000
    assert db.execute("SELECT entries, bytes FROM cache_stats").fetchone() == (
        _entries(cache),
        stored,
    )
    cache.set("page0", b"small")  # an update changes the bytes, not the count
    cache.delete("page99")
    cache.incr_version("page98")
    stats = db.execute("SELECT entries, bytes FROM cache_stats").fetchone()
    actual = db.execute(
        "SELECT count(*), sum(length(value)) FROM cache_entries"
    ).fetchone()
    assert stats == actual


def test_cull_frequency_zero_empties_the_cache(tmp_path):
    cache = make_cache(tmp_path / "c.sqlite3", MAX_ENTRIES=5, CULL_FREQUENCY=0)
    for n in range(6):
        cache.set(f"k{n}", n)
    assert _entries(cache) == 0


# Atomic across threads and processes


def test_add_and_incr_are_atomic_across_threads(tmp_path):
    path = tmp_path / "c.sqlite3"
    make_cache(path).set("counter", 0, timeout=None)
    threads, rounds = 8, 100
    barrier = threading.Barrier(threads)
    won = []

    def work():
        cache = make_cache(path)  # one instance per thread, like a worker each
        barrier.wait()
        for n in range(rounds):
            cache.incr("counter")
            if cache.add(f"lock{n}", threading.get_ident(), timeout=60):
                won.append(n)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert make_cache(path).get("counter") == threads * rounds
    assert sorted(won) == list(range(rounds))  # each lock taken exactly once


def test_threads_sharing_one_instance_have_their_own_connections(cache):
    connections = set()

    def work():
        cache.set(f"t{threading.get_ident()}", 1)
        connections.add(id(cache._connection()))

    workers = [threading.Thread(target=work) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(connections) == 4


def _process_work(path, rounds, results):
    # Runs in a forked child: the parent's connection (opened before the fork)
    # must not be used here.
    cache = _shared_before_fork[path]
    won = 0
    for n in range(rounds):
        cache.incr("counter")
        if cache.add(f"lock{n}", os.getpid(), timeout=60):
            won += 1
    results.put((won, cache._local.pid == os.getpid()))


_shared_before_fork = {}


def test_add_and_incr_are_atomic_across_processes(tmp_path):
    path = str(tmp_path / "c.sqlite3")
    cache = make_cache(path)
    cache.set("counter", 0, timeout=None)  # the parent's connection is open
    _shared_before_fork[path] = cache
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    processes, rounds = 4, 150
    children = [
        context.Process(target=_process_work, args=(path, rounds, results))
        for _ in range(processes)
    ]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    del _shared_before_fork[path]
    assert cache.get("counter") == processes * rounds
    assert sum(won for won, _ in outcomes) == rounds  # each lock once in all
    assert all(own_connection for _, own_connection in outcomes)


# An unusable file: misses, never an error


def _misses_everywhere(cache):
    assert cache.get("key", "default") == "default"
    assert cache.get_many(["key", "other"]) == {}
    assert cache.set("key", 1) is None
    assert cache.set_many({"key": 1}) == ["key"]
    assert cache.add("key", 1) is None  # neither added nor refused: unknown
    with pytest.raises(ValueError, match="not found"):
        cache.incr("key")
    assert cache.has_key("key") is False
    assert cache.touch("key") is False
    assert cache.delete("key") is False
    cache.delete_many(["key"])
    cache.clear()


def test_a_corrupt_file_answers_misses_and_logs_once(tmp_path, caplog):
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    cache = make_cache(path)
    with caplog.at_level(logging.WARNING, logger="newsroom.sqlitecache"):
        for _ in range(3):
            _misses_everywhere(cache)
    [record] = caplog.records
    assert str(path) in record.getMessage()
    assert path.read_bytes() == b"this is not a database" * 100  # left alone


@pytest.mark.parametrize("where", ["under a file", "a directory"])
def test_an_unusable_location_answers_misses(tmp_path, where):
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    path = tmp_path / ("file/cache.sqlite3" if where == "under a file" else "dir")
    _misses_everywhere(make_cache(path))


def test_a_file_corrupted_under_a_running_cache_then_replaced_recovers(tmp_path):
    path = tmp_path / "cache.sqlite3"
    cache = make_cache(path)
    cache.set("key", 1)
    cache._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    with path.open("r+b") as file:  # overwrite the header and the first pages
        file.write(b"\xff" * 8192)
    assert cache.get("key", "miss") == "miss"
    path.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    cache.set("key", 2)  # a fresh file is created
    assert cache.get("key") == 2


def test_a_damaged_entry_is_a_miss(cache):
    cache.set("key", [1, 2])
    cache._connection().execute(
        "UPDATE cache_entries SET value = x'80050000' WHERE key LIKE '%key'"
    )
    assert cache.get("key", "miss") == "miss"
    assert cache.get_many(["key"]) == {}


def test_it_counts_as_shared(settings, tmp_path):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pagecache": {
            "BACKEND": "newsroom.sqlitecache.SQLiteCache",
            "LOCATION": str(tmp_path / "c.sqlite3"),
        },
    }
    assert sharedcache.is_shared("pagecache")
    assert not sharedcache.is_shared("default")
    assert isinstance(caches["pagecache"], SQLiteCache)


@pytest.mark.django_db
def test_pages_answer_200_with_the_page_cache_file_corrupt(client, settings, tmp_path):
    from tests.factories import make_article

    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"garbage" * 1000)
    settings.CACHES = {
        **settings.CACHES,
        "pagecache": {
            "BACKEND": "newsroom.sqlitecache.SQLiteCache",
            "LOCATION": str(path),
            "OPTIONS": {"RETRY_AFTER": 0},
        },
    }
    settings.PAGE_CACHE_ALIAS = "pagecache"
    settings.PAGE_CACHE = True
    story = make_article(headline="Still served")
    for url in ["/", story.get_absolute_url(), "/tags/", "/sitemap.xml"]:
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, url
    assert "Still served" in client.get(story.get_absolute_url()).content.decode()


# The page cache exact across two gunicorn workers sharing the file


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "VIEWCOUNTS_REDIS_URL", "DEBUG", "DATABASE_URL"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        CACHE_PATH=str(tmp_path / "cache.sqlite3"),
        DJANGO_SETTINGS_MODULE="tests.faults.server_settings",
        SECRET_KEY=os.environ["SECRET_KEY"],
        ALLOWED_HOSTS="127.0.0.1",
        PAGE_CACHE="1",
        PAGE_CACHE_TTL="3600",
        COMMENTS_MODERATION="post",
        PYTHONPATH=str(ROOT),
    )
    return env


def _manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    ).stdout


class Worker:
    """One gunicorn serving the site with one worker process: two of them on
    one database and one cache file are two workers a request can reach
    deterministically."""

    def __init__(self, env):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "newsroom.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar())
        )

    def wait(self):
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                pytest.fail("gunicorn did not start:\n" + self.stop())
            time.sleep(0.2)

    def get(self, path, opener=None):
        return self.request(urllib.request.Request(self.base + path), opener)

    def request(self, request, opener=None):
        try:
            with (opener or urllib.request.build_opener()).open(
                request, timeout=30
            ) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def stop(self):
        self.process.terminate()
        try:
            return self.process.communicate(timeout=20)[0].decode()
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.communicate()[0].decode()


def _main_text(body):
    tree = html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)
    return " ".join("".join(tree.find(".//main").itertext()).split())


@pytest.mark.slow
def test_a_change_through_one_worker_is_seen_at_once_through_the_other(tmp_path):
    from comments.forms import issue_token

    env = _env(tmp_path)
    _manage(env, "migrate", "--noinput", "-v0")
    pk, url = _manage(
        env,
        "shell",
        "-c",
        "from tests.factories import make_article; "
        "story = make_article(headline='Harbour reopens', slug='harbour'); "
        "print(story.pk, story.get_absolute_url())",
    ).split()[-2:]
    workers = [Worker(env), Worker(env)]
    try:
        for worker in workers:
            worker.wait()
        one, other = workers
        # Both workers cache the page; the second request of each is a hit.
        for worker in workers:
            worker.get(url)
            status, headers, body = worker.get(url)
            assert (status, headers["X-Page-Cache"]) == (200, "hit")
            assert "Harbour reopens" in _main_text(body)

        # A reader's comment posted through one worker...
        status, _, token = one.get(f"/comments/token/{pk}/", one.opener)
        assert status == 200
        csrf = json.loads(token)["csrfmiddlewaretoken"]
        form = urllib.parse.urlencode(
            {
                "name": "Reader",
                "email": "",
                "body": "Seen at once through the other worker.",
                "website": "",
                "parent": "",
                "issued": issue_token(int(pk), now=time.time() - 60),
                "csrfmiddlewaretoken": csrf,
            }
        ).encode()
        status, _, _ = one.request(
            urllib.request.Request(
                one.base + f"/comments/post/{pk}/", data=form, method="POST"
            ),
            one.opener,
        )
        assert status == 200  # the redirect back to the story, followed
        # ...retires the page the other worker had cached.
        status, headers, body = other.get(url)
        assert status == 200
        assert headers["X-Page-Cache"] == "miss"
        assert "Seen at once through the other worker." in _main_text(body)

        # An editor's change (another process still) retires both at once.
        for worker in workers:
            worker.get(url)
            assert worker.get(url)[1]["X-Page-Cache"] == "hit"
        _manage(
            env,
            "shell",
            "-c",
            f"from articles.models import Article; "
            f"from articles.services import save_story; "
            f"story = Article.objects.get(pk={pk}); "
            f"story.headline = 'Harbour closes again'; save_story(story)",
        )
        for worker in workers:
            status, headers, body = worker.get(url)
            assert status == 200
            assert "Harbour closes again" in _main_text(body)
            assert "Harbour reopens" not in _main_text(body)
            assert worker.get(url)[1]["X-Page-Cache"] == "hit"
    finally:
        outputs = [worker.stop() for worker in workers]
    for output in outputs:
        assert "Traceback" not in output
