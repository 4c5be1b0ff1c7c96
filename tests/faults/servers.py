"""Servers the fault tests (and ``bench/faults.py``) start for themselves: a
Redis of their own on a free port, a migrated SQLite site with one story, and
gunicorn serving it. The machine's shared Redis (6379) is never touched."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/130.0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_env(database_url: str, redis_url: str = "", **extra) -> dict[str, str]:
    """Production settings (plain static storage) for a server the test starts."""
    env = {
        key: value
        for key, value in os.environ.items()
        # The suite's own database settings are not the started server's
        # (make test-pgbouncer runs the suite pooled; a server is pooled only
        # when its test says DATABASE_POOLER).
        if key
        not in {
            "REDIS_URL",
            "VIEWCOUNTS_REDIS_URL",
            "DATABASE_URL",
            "DATABASE_POOLER",
            "DEBUG",
        }
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="tests.faults.server_settings",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "fault-tests-" + "k" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def redis_server():
    """A Redis of our own: no persistence, a free port. Yields the process."""
    port = free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert port != 6379
    process.port = port
    process.url = f"redis://127.0.0.1:{port}/0"
    try:
        import redis

        client = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)
        client.close()
        yield process
    finally:
        os.kill(process.pid, signal.SIGCONT)  # a stopped server cannot exit
        process.terminate()
        process.wait(timeout=10)


def make_sqlite_site(directory: Path) -> tuple[str, dict]:
    """A migrated SQLite database holding one published story, with its page
    URL and id: ``(database_url, {"story": url, "pk": id})``."""
    database_url = f"sqlite:///{directory / 'site.sqlite3'}"
    return database_url, make_site(database_url)


def make_site(database_url: str, env: dict | None = None) -> dict:
    """Migrate the (empty) database and add one published story, returned as
    ``{"story": its URL, "pk": its id}``. ``env``: the site's environment, if
    more than ``site_env(database_url)``."""
    env = env or site_env(database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    made = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from tests.factories import make_article; a = make_article(); "
            "print(a.get_absolute_url(), a.pk)",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    url, pk = made.stdout.split()[-2:]
    return {"story": url, "pk": int(pk)}


def request(url, data=None, headers=None, timeout=20):
    """(status, headers, body) without raising on 4xx/5xx."""
    req = urllib.request.Request(
        url, data=data, headers={"User-Agent": BROWSER, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def wait_until_healthy(base: str, process, log_path: Path, seconds: float = 60):
    """Until ``base``/readyz answers 200 (the database, cache and storage
    answer); RuntimeError with the server's log if the process ends or
    ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if request(base + "/readyz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
        time.sleep(0.2)


@contextmanager
def gunicorn(env: dict, log_path: Path, workers: int = 2, timeout: int = 30):
    """gunicorn on a free port, logging to ``log_path`` (a file, so a chatty
    outage never blocks a worker on a full pipe). Yields the base URL."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "newsroom.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                str(timeout),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, log_path)
        process.base = base
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
