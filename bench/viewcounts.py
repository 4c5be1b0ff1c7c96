"""Benchmark: what view tracking costs a story page, tracking on and off, one run.

Not a test (pytest does not collect it). It builds a throw-away site (SQLite in
a temporary folder unless BENCH_DATABASE_URL is set; the Redis buffer when
REDIS_URL is set), serves it with gunicorn (2 sync workers, DEBUG off, hashed
static files) on loopback, and drives it with Python threads:

* off: each reader visit is GET story page, with VIEWCOUNTS_ENABLED=0;
* on:  each reader visit is GET story page + POST its beacon, every visit a new
  reader (a new user agent), so every beacon passes the rules and is counted:
  the most expensive case.

Rounds alternate (off, on, off, on, ...) so drift hits both alike. It prints
visits per second for each and the ratio on/off, and the gunicorn processes'
CPU time per visit (from /proc): on a small shared machine the Python client
competes with the server for the same cores and pays per request, so the wall
figure overstates the cost of the small beacon request; the CPU figure is the
capacity a server loses. Usage:

    .venv/bin/python bench/viewcounts.py [--seconds 8] [--rounds 2] [--threads 8]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench \\
        REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/viewcounts.py
"""

import argparse
import http.client
import itertools
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"

SETUP = """
from datetime import timedelta
from django.utils import timezone
from articles.models import Article, Author, Byline, Section
section, _ = Section.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
author, _ = Author.objects.get_or_create(
    slug="bench-writer", defaults={"name": "B. Writer"}
)
article, created = Article.objects.get_or_create(
    slug="bench-story",
    defaults=dict(
        headline="A story to measure", section=section, status="published",
        published_at=timezone.now() - timedelta(hours=1),
        dek="The standfirst.", body="<p>" + "Words of the story. " * 200 + "</p>",
    ),
)
if created:
    Byline.objects.create(article=article, author=author)
    article.tags.add("bench", "measure")
print(article.get_absolute_url(), article.pk)
"""


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port, deadline=30.0):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not start")


def request(port, method, path, user_agent, address="192.0.2.1"):
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        headers = {"User-Agent": user_agent, "X-Forwarded-For": address}
        conn.request(method, path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def server_cpu_seconds(pid):
    """CPU time (user + system) of a gunicorn master and its workers so far."""
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    pids += [int(child) for child in children]
    total = 0.0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# Every visit of every round a new reader: no beacon is a cheap repeat.
_readers = itertools.count()


def load(port, story_url, beacon_url, seconds, threads):
    """Visits per second over ``seconds`` from ``threads`` readers."""
    visits = _readers
    done = []
    errors = []
    stop = time.monotonic() + seconds

    def reader():
        count = 0
        while time.monotonic() < stop:
            n = next(visits)
            ua = f"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0 reader-{n}"
            # A network per reader: every beacon passes the per-address limit.
            address = f"10.{n // 256 % 256}.{n % 256}.1"
            if request(port, "GET", story_url, ua, address) != 200:
                errors.append("page")
            if beacon_url and request(port, "POST", beacon_url, ua, address) != 204:
                errors.append("beacon")
            count += 1
        done.append(count)

    workers = [threading.Thread(target=reader) for _ in range(threads)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return sum(done) / elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "ERROR",
        "TRUSTED_PROXY_COUNT": "1",  # the client names each reader's address
    }
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        env.pop("DATABASE_URL", None)
    env["VIEWCOUNTS_REDIS_PREFIX"] = f"bench-views:{secrets.token_hex(6)}"

    def manage(*argv, **kwargs):
        return subprocess.run(
            [PYTHON, "manage.py", *argv],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        )

    manage("migrate", "--no-input")
    manage("collectstatic", "--no-input")
    story_url, pk = manage("shell", "-c", SETUP).stdout.split()[-2:]
    beacon_url = f"/views/{pk}/"

    servers = {}
    try:
        for mode, tracking in (("off", "0"), ("on", "1")):
            port = free_port()
            servers[mode] = (
                port,
                subprocess.Popen(
                    [
                        GUNICORN,
                        "newsroom.wsgi",
                        "--workers",
                        "2",
                        "--bind",
                        f"{HOST}:{port}",
                        "--log-level",
                        "warning",
                    ],
                    cwd=ROOT,
                    env={**env, "VIEWCOUNTS_ENABLED": tracking},
                ),
            )
        for port, _ in servers.values():
            wait_until_up(port)
            for _ in range(20):  # warm up workers, caches, connections
                request(port, "GET", story_url, "Mozilla/5.0 warm-up")

        rates = {"off": [], "on": []}
        cpu_per_visit = {"off": [], "on": []}
        for _ in range(args.rounds):
            for mode in ("off", "on"):
                port, process = servers[mode]
                cpu_before = server_cpu_seconds(process.pid)
                rate = load(
                    port,
                    story_url,
                    beacon_url if mode == "on" else None,
                    args.seconds,
                    args.threads,
                )
                cpu = server_cpu_seconds(process.pid) - cpu_before
                rates[mode].append(rate)
                cpu_per_visit[mode].append(cpu / (rate * args.seconds))
        manage("flush_views")
        counted = manage(
            "shell",
            "-c",
            "from viewcounts.models import ArticleViewTotal as T; "
            f"print(T.objects.filter(article_id={pk}).values_list('views', flat=True)"
            ".first() or 0)",
        ).stdout.split()[-1]
    finally:
        for _, process in servers.values():
            process.terminate()
        for _, process in servers.values():
            process.wait(timeout=10)

    off = sum(rates["off"]) / len(rates["off"])
    on = sum(rates["on"]) / len(rates["on"])
    database = env.get("DATABASE_URL", "sqlite").split(":")[0]
    buffer = "Redis cache" if env.get("REDIS_URL") else "no Redis"
    out = sys.stdout
    out.write(
        f"story page, gunicorn 2 workers, {args.threads} client threads, "
        f"{args.rounds} x {args.seconds:g}s per mode, {database}, {buffer}\n"
    )
    rounds = {mode: [round(rate, 1) for rate in rates[mode]] for mode in rates}
    out.write(f"tracking off: {off:8.1f} visits/s  (rounds: {rounds['off']})\n")
    out.write(
        f"tracking on:  {on:8.1f} visits/s  "
        f"(page + counted beacon; rounds: {rounds['on']})\n"
    )
    out.write(f"on / off:     {on / off:8.3f}  (cost {100 * (1 - on / off):.1f}%)\n")
    cpu_off = sum(cpu_per_visit["off"]) / args.rounds
    cpu_on = sum(cpu_per_visit["on"]) / args.rounds
    out.write(
        f"server CPU per visit: off {1000 * cpu_off:.2f} ms, on {1000 * cpu_on:.2f} "
        f"ms; capacity on / off {cpu_off / cpu_on:.3f} "
        f"(cost {100 * (1 - cpu_off / cpu_on):.1f}%)\n"
    )
    out.write(f"story views in the database after the flush (all runs): {counted}\n")


if __name__ == "__main__":
    main()
