"""A load balancer of the tests' own (Debian's haproxy), and small helpers."""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

from tests.faults.servers import ROOT, free_port, request


def run_manage(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def kill_tree(pid: int) -> None:
    """SIGKILL a process and its children (gunicorn's master and workers),
    nothing else: they share the test's process group."""
    children = subprocess.run(
        ["pgrep", "-P", str(pid)], capture_output=True, text=True
    ).stdout.split()
    for target in [pid, *map(int, children)]:
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass


@contextmanager
def haproxy(servers: dict[str, str], folder: Path):
    """haproxy on a free port in front of ``servers`` (name: base URL), round
    robin, with readiness checks (/readyz) and retries on another server for
    a failed connection or an answer that never came. Yields it, with
    ``base``; every response says which server answered (``X-App-Server``)."""
    port = free_port()
    lines = []
    for name, base in servers.items():
        address = urllib.parse.urlsplit(base).netloc
        lines.append(f"    server {name} {address} check inter 1s fall 3 rise 1")
    config = folder / "haproxy.cfg"
    config.write_text(
        "global\n"
        "    maxconn 512\n"
        "defaults\n"
        "    mode http\n"
        "    timeout connect 2s\n"
        "    timeout client 30s\n"
        "    timeout server 30s\n"
        "    timeout check 5s\n"
        "    retries 3\n"
        "    option redispatch 1\n"
        "    retry-on conn-failure empty-response response-timeout\n"
        "    option http-server-close\n"
        "    option forwardfor\n"
        "frontend web\n"
        f"    bind 127.0.0.1:{port}\n"
        "    default_backend app\n"
        "backend app\n"
        "    balance roundrobin\n"
        "    option httpchk GET /readyz\n"
        "    http-check expect status 200\n"
        "    http-response set-header X-App-Server %s\n" + "\n".join(lines) + "\n"
    )
    binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
    log = open(folder / "haproxy.log", "wb")
    process = subprocess.Popen(
        [binary, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if request(base + "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "haproxy did not start:\n" + (folder / "haproxy.log").read_text()
                )
            time.sleep(0.2)
        process.base = base
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
