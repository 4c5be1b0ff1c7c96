"""The database goes away under a running gunicorn, then comes back.

gunicorn serves the site against PostgreSQL through a TCP forwarder the test
controls (``proxy.TcpProxy``). While it is stopped, pages are the static 503
with ``Retry-After`` and no traceback; once it is back, the same worker
processes answer 200 again: no restart needed.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.faults.proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _postgres_or_skip():
    import psycopg

    try:
        return psycopg.connect(
            dbname="postgres", autocommit=True, connect_timeout=3, **PG
        )
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL is not answering at 127.0.0.1:5432: {exc}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def database():
    """A migrated PostgreSQL database of our own, dropped afterwards."""
    admin = _postgres_or_skip()
    name = f"newsroom_faults_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    env = _env(f"postgres://postgres@127.0.0.1:5432/{name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    yield name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _env(database_url):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "VIEWCOUNTS_REDIS_URL", "DEBUG"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tests.faults.server_settings",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "fault-tests-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="60",
        PYTHONPATH=str(ROOT),
    )
    return env


def get(url):
    """(status, headers, body) without raising on 4xx/5xx."""
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def _workers(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return set(children.read_text().split()) if children.exists() else set()


@pytest.fixture
def server(database):
    proxy = TcpProxy(5432)
    proxy.start()
    port = _free_port()
    env = _env(f"postgres://postgres@127.0.0.1:{proxy.port}/{database}")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "newsroom.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if get(base + "/readyz")[0] == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("gunicorn did not start:\n" + process.stdout.read().decode())
        time.sleep(0.2)
    yield {"base": base, "proxy": proxy, "process": process}
    process.terminate()
    try:
        output = process.communicate(timeout=10)[0].decode()
    except subprocess.TimeoutExpired:
        process.kill()
        output = process.communicate()[0].decode()
    proxy.stop()
    assert "Traceback" not in output.replace("Database unavailable", "")


def test_the_site_answers_503_while_the_database_is_down_and_recovers(server):
    base, proxy = server["base"], server["proxy"]
    for _ in range(4):  # warm both workers' persistent connections
        assert get(base + "/")[0] == 200
    workers = _workers(server["process"].pid)
    assert len(workers) == 2

    proxy.stop()
    for path in ["/authors/", "/tags/", "/readyz", "/search/?q=x", "/sitemap.xml"]:
        for _ in range(2):  # a broken pooled connection, then a refused one
            status, headers, body = get(base + path)
            assert status == 503, path
            assert headers["Retry-After"] == "30"
            assert "no-store" in headers["Cache-Control"]
            assert "Traceback" not in body and "psycopg" not in body
            assert "OperationalError" not in body

    proxy.start()
    for path in ["/authors/", "/tags/", "/readyz", "/", "/admin/login/"]:
        for _ in range(2):
            assert get(base + path)[0] == 200, path
    assert _workers(server["process"].pid) == workers  # no worker was restarted


def test_the_503_page_is_the_static_template_and_names_no_internals(server):
    server["proxy"].stop()
    status, headers, body = get(server["base"] + "/tags/")
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    import html5lib

    doc = html5lib.parse(body, treebuilder="etree", namespaceHTMLElements=False)
    assert doc.find(".//h1") is not None
    assert "127.0.0.1" not in body and "5432" not in body
    server["proxy"].start()
