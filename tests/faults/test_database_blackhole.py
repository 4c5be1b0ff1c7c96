"""A silent database is not a dead worker.

gunicorn serves the site against PostgreSQL through a TCP forwarder the test
controls (``proxy.TcpProxy``). The forwarder then turns into a black hole: the
open connections stay open and pass nothing, new ones are accepted and hear
nothing, the way a frozen server looks. No TCP-level timeout fires (every byte
is acknowledged), yet every page answers the static 503 with ``Retry-After``:
the client-side deadline (``newsroom/postgres``) and the connect timeout end
the wait well inside gunicorn's 30 s worker timeout, so no worker is killed.
Error pages too: a 404 needs the database for its menu.
"""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.faults.proxy import TcpProxy
from tests.faults.servers import BROWSER, gunicorn, make_site, site_env
from tests.faults.test_database_down import _postgres_or_skip, _workers

PAGES = {
    "home": "/",
    "story": "{story}",
    "404 page": "/no-such-page/",
    "preview": "/preview/abc/",
    "admin login": "/admin/login/",
}


@pytest.fixture(scope="module")
def database():
    admin = _postgres_or_skip()
    name = f"newsroom_blackhole_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        story = make_site(f"postgres://postgres@127.0.0.1:5432/{name}")
        yield name, story
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Browser:
    """urllib with cookies, answering (status, headers, body) on any status."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def __call__(self, path, data=None):
        headers = {"User-Agent": BROWSER, "Referer": self.base + path}
        if data is not None:
            data = urllib.parse.urlencode(data).encode()
            headers["Origin"] = self.base
        request = urllib.request.Request(self.base + path, data, headers)
        try:
            # Less than gunicorn's worker timeout: no answer by then is a failure.
            with self.opener.open(request, timeout=29) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


def assert_503(answer, what):
    status, headers, body = answer
    assert status == 503, what
    assert headers["Retry-After"] == "30", what
    assert "no-store" in headers["Cache-Control"], what
    assert "Traceback" not in body and "psycopg" not in body, what


@pytest.mark.slow
def test_a_silent_database_is_a_quick_503_on_every_page(database, tmp_path):
    name, story = database
    proxy = TcpProxy(5432)
    proxy.start()
    # The page cache off: this is about what reaches the database (a cached
    # page keeps answering through an outage, as tests/pagecache shows).
    env = site_env(
        f"postgres://postgres@127.0.0.1:{proxy.port}/{name}",
        CONN_MAX_AGE="60",
        PAGE_CACHE="0",
    )
    log_path = tmp_path / "gunicorn.log"
    try:
        with gunicorn(env, log_path, workers=2, timeout=30) as server:
            browser = Browser(server.base)
            paths = {label: p.format(**story) for label, p in PAGES.items()}
            beacon = f"/views/{story['pk']}/"
            for _ in range(2):  # warm both workers' persistent connections
                for label, path in paths.items():
                    assert browser(path)[0] in {200, 404}, label
            workers = _workers(server.pid)
            assert len(workers) == 2

            proxy.blackhole()
            timings = {}
            for label, path in paths.items():
                started = time.monotonic()
                answer = browser(path)
                timings[label] = time.monotonic() - started
                if label == "admin login" and answer[0] == 200:
                    # The empty login form needs no database; signing in does.
                    token = re.search(
                        r'name="csrfmiddlewaretoken" value="([^"]+)"', answer[2]
                    )
                    started = time.monotonic()
                    answer = browser(
                        path,
                        {
                            "csrfmiddlewaretoken": token.group(1),
                            "username": "someone",
                            "password": "a password",
                        },
                    )
                    timings["admin sign-in"] = time.monotonic() - started
                if label in {"404 page", "preview"} and answer[0] == 404:
                    # Its menu came from the process's copy, kept for the
                    # content version (articles.memo): no database needed.
                    continue
                assert_503(answer, label)
            started = time.monotonic()
            assert_503(browser(beacon, {}), "beacon")
            timings["beacon"] = time.monotonic() - started
            print(  # noqa: T201 - the figures, shown with -s
                "\nblack-holed database, seconds to the 503: "
                + ", ".join(f"{label} {s:.1f}" for label, s in timings.items())
            )
            # Answered, not killed: the same worker processes served them all.
            assert _workers(server.pid) == workers

            proxy.restore()
            for label, path in paths.items():
                assert browser(path)[0] in {200, 404}, label
        log = log_path.read_text()
    finally:
        proxy.stop()
    assert "WORKER TIMEOUT" not in log
    assert "Database unavailable" in log
    assert "Traceback" not in log.replace("Database unavailable", "")


def _milliseconds(setting: str) -> int:
    """PostgreSQL's ``SHOW statement_timeout`` ("5s", "5000ms", "1min")."""
    number, unit = re.fullmatch(r"(\d+)\s*(ms|s|min)?", setting).groups()
    return int(number) * {"ms": 1, None: 1, "s": 1000, "min": 60_000}[unit]


@pytest.mark.django_db
def test_the_client_timeout_is_inside_the_worker_timeout():
    """The chain of waits: each shorter than gunicorn's ``--timeout 30``."""
    from django.conf import settings

    options = settings.DATABASES["default"]["OPTIONS"]
    if settings.DATABASES["default"]["ENGINE"] == "newsroom.postgres":
        # Behind PgBouncer the role carries it (docs/deploy.md), not the
        # connection: what the server says is what holds either way.
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            statement_ms = _milliseconds(cursor.fetchone()[0])
        assert statement_ms / 1000 < options["client_timeout"]
        assert options["connect_timeout"] + options["client_timeout"] < 30
        assert options["tcp_user_timeout"] / 1000 < 30
    else:
        assert 2 * options["timeout"] < 30
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "--timeout 30" in readme


def test_error_pages_are_503s_while_the_database_is_down(database, tmp_path):
    """During an outage an error page is the 503, never a 500 from inside the
    error handler; a 404 whose menu this process kept for the content version
    (articles.memo) needs no database and stays a 404."""
    name, story = database
    proxy = TcpProxy(5432)
    proxy.start()
    env = site_env(f"postgres://postgres@127.0.0.1:{proxy.port}/{name}")
    with gunicorn(env, tmp_path / "gunicorn.log") as server:
        browser = Browser(server.base)
        assert browser("/no-such-page/")[0] == 404
        proxy.stop()
        for path in ["/no-such-page/", "/preview/abc/", "/x.php"]:
            answer = browser(path)
            assert answer[0] in {404, 503}, path
            if answer[0] == 503:
                assert_503(answer, path)
        # Finding out that a section does not exist takes the database.
        assert_503(browser("/sections/none/"), "/sections/none/")
        proxy.start()
        assert browser("/no-such-page/")[0] == 404


@pytest.mark.slow
def test_a_sqlite_database_locked_beyond_the_busy_timeout_is_a_503(tmp_path):
    """A writer that waits out the busy timeout (another process holds the
    lock) gets the 503 with Retry-After, and the site writes again after."""
    import sqlite3

    from tests.faults.servers import make_sqlite_site

    database_url, story = make_sqlite_site(tmp_path)
    with gunicorn(site_env(database_url), tmp_path / "gunicorn.log") as server:
        browser = Browser(server.base)
        beacon = f"/views/{story['pk']}/"
        assert browser(beacon, {})[0] == 204
        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        holder.execute("BEGIN EXCLUSIVE")
        try:
            assert_503(browser(beacon, {}), "locked beacon")
        finally:
            holder.rollback()
            holder.close()
        assert browser(beacon, {})[0] == 204
