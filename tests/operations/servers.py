"""gunicorn as deployed (``deploy/gunicorn.conf.py``), started by a test on a
port of the operations range (8350-8369) and stopped by it, and a small HTTP
receiver standing in for a Sentry server. Nothing here reaches another host."""

import http.server
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from tests.faults.servers import request

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
PORTS = range(8350, 8370)


def free_port() -> int:
    """A free port of the operations range."""
    for port in PORTS:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8350-8369")


def wait_for(url: str, process, log_path: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if request(url, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("gunicorn did not start:\n" + log_path.read_text())
        time.sleep(0.2)


@contextmanager
def gunicorn(env: dict, log_path: Path, *, workers: int = 2, ready: str = "/readyz"):
    """gunicorn with the deployed config file; yields the process, with
    ``.base`` (its URL), once ``ready`` answers 200."""
    port = free_port()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                str(CONFIG),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    process.base = f"http://127.0.0.1:{port}"
    try:
        wait_for(process.base + ready, process, log_path)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.path, dict(self.headers), body))
        self.server.arrived.set()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@contextmanager
def receiver():
    """An HTTP server on a free port of the range that keeps what is POSTed
    to it: ``.received`` ((path, headers, body) tuples), ``.arrived`` (an
    Event), ``.port``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), _Receiver)
    server.received = []
    server.arrived = threading.Event()
    server.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
