"""gunicorn's settings for Newsroom: ``gunicorn -c deploy/gunicorn.conf.py
newsroom.wsgi`` (``make run`` uses it; docs/deploy.md, "Logs, metrics and
health"). Options given on the command line win over these.

- Logs: with ``LOG_FORMAT=json`` (the default unless ``DEBUG`` is on) the
  access log and gunicorn's own log are one JSON object per line, the access
  line carrying the request's ``request_id`` (the ``X-Request-ID`` the app
  answered with), like the app's own log lines.
- Metrics: prometheus-client in multiprocess mode. Each worker keeps its
  values in ``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary folder per
  gunicorn unless set; emptied at start when set), ``/metrics`` sums them, and
  a worker that exits is marked dead, so its live gauges leave the sum.
"""

import os
import shutil
import tempfile
from pathlib import Path

from gunicorn import glogging

# Before prometheus_client is imported, here or in a worker: the value class
# (in memory, or memory-mapped files) is chosen at its import.
_made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _made_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
        prefix="newsroom-metrics-"
    )

from prometheus_client import multiprocess  # noqa: E402
from pythonjsonlogger.json import JsonFormatter  # noqa: E402


def _debug() -> bool:
    return os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}


LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if _debug() else "json")

wsgi_app = "newsroom.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Well above the database's own deadlines (newsroom/settings.py), so a slow
# dependency is a quick 503, never a killed worker.
timeout = 30
accesslog = "-"
# The client's address as the proxy in front saw it (SECURITY.md, §3).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


class JsonLogger(glogging.Logger):
    """gunicorn's logs as JSON lines: the error log through python-json-logger,
    the access log as fields (method, path, status, bytes, duration, the
    request id) rather than a CLF string a log shipper would have to parse.
    The query string is left out: readers' searches are theirs."""

    def setup(self, cfg):
        super().setup(cfg)
        error_format = JsonFormatter(
            "%(levelname)s %(name)s %(message)s %(process)d",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
        access_format = JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
        for log, formatter in (
            (self.error_log, error_format),
            (self.access_log, access_format),
        ):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        request_id = "-"
        for name, value in resp.headers:
            if name.lower() == "x-request-id":
                request_id = value
                break
        method = environ.get("REQUEST_METHOD", "-")
        path = environ.get("PATH_INFO", "-")
        try:
            self.access_log.info(
                "%s %s %s",
                method,
                path,
                status,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": path,
                    "status": int(status),
                    "bytes": getattr(resp, "sent", None),
                    "duration_ms": round(request_time.total_seconds() * 1000, 3),
                    "remote_addr": environ.get("REMOTE_ADDR", "-"),
                    "user_agent": environ.get("HTTP_USER_AGENT", "-"),
                    "pid": os.getpid(),
                },
            )
        except Exception:  # noqa: BLE001 - as gunicorn's own: log, never fail
            self.error("Access log failed", exc_info=True)


if LOG_FORMAT == "json":
    logger_class = JsonLogger
else:
    # Text: gunicorn's format with the request id at the end.
    access_log_format = (
        '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
        "%({x-request-id}o)s"
    )


def on_starting(server):
    """Empty the metrics folder: values left by an earlier run (or by workers
    of a crashed one) would be summed into this one's."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if directory.exists():
        for item in directory.iterdir():
            if item.is_file() or item.is_symlink():
                item.unlink()
            else:
                shutil.rmtree(item)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker is gone: its live gauges leave the sum (counters stay)."""
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
