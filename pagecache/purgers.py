"""Purging retired pages from a CDN or a reverse proxy, outside the request.

When pages are retired (``pagecache.signals.pages_retired``, after the commit),
``enqueue()`` writes one ``PurgeRequest`` per configured purger: a durable
outbox. ``drain()`` sends them: from the task ``pagecache.tasks.send_purges``
when tasks are queued for a worker (``TASKS_BACKEND=database``), else lazily
from a background thread of the process that wrote them; and from ``manage.py
run_periodic`` or ``send_purges`` (cron) for whatever a process left behind.
A drainer claims requests with an atomic UPDATE and a lease, so concurrent
drainers send each one once; a failure is logged and retried with
exponential backoff, up to ``PAGE_CACHE_PURGE_ATTEMPTS``.

Purgers (``PAGE_CACHE_PURGERS``: URLs or dicts, secrets from the environment):

- ``varnish://host:port`` or ``{"type": "varnish", "url": "http://host:port"}``:
  ``PURGE /`` with ``xkey-purge: name1 name2`` (``deploy/varnish/newsroom.vcl``).
- ``fastly://SERVICE_ID`` or ``{"type": "fastly", "service": ...}``:
  ``POST /service/{id}/purge`` with ``Surrogate-Key`` and ``Fastly-Key``
  (``FASTLY_API_TOKEN``, or the dict's ``token_env``).
- ``cloudflare://ZONE_ID`` or ``{"type": "cloudflare", "zone": ...}``:
  ``POST /zones/{zone}/purge_cache`` with ``{"tags": [...]}`` and a bearer
  token (``CLOUDFLARE_API_TOKEN``, or ``token_env``).
- ``purge://host:port`` or ``{"type": "purge", "url": ...}``: ``PURGE <path>``
  of each page address remembered under the names (``cdn.remember_address``),
  sent to that proxy with the page's ``Host``, for proxies without tags.
"""

import atexit
import datetime
import json
import logging
import os
import threading
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
    transaction,
)
from django.utils import timezone

from pagecache import cdn, conf
from pagecache.models import PurgeRequest

logger = logging.getLogger(__name__)

# The longest wait between two attempts.
MAX_BACKOFF = 3600.0


class PurgeError(Exception):
    """A purge the purger did not confirm: retried later."""


class Purger:
    """Forgets pages by name. ``name`` identifies it in the outbox, so it must
    stay the same across restarts; ``max_names`` bounds one request."""

    max_names = 100

    def __init__(self, name: str):
        self.name = name

    def purge(self, names: list[str]) -> None:
        raise NotImplementedError

    def _send(self, request: urllib.request.Request) -> bytes:
        try:
            with urllib.request.urlopen(
                request, timeout=conf.settings.PAGE_CACHE_PURGE_TIMEOUT
            ) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            body = error.read()[:200].decode(errors="replace")
            raise PurgeError(f"{error.code} from {request.full_url}: {body}") from error
        except (OSError, ValueError) as error:
            raise PurgeError(f"{request.full_url}: {error}") from error


class VarnishPurger(Purger):
    """varnish-modules' xkey: one request purges every page carrying a name."""

    # Varnish takes request headers of up to 8 KB by default (http_req_hdr_len).
    max_names = 200

    def __init__(self, name, url):
        super().__init__(name)
        self.url = url.rstrip("/") + "/"

    def purge(self, names):
        self._send(
            urllib.request.Request(
                self.url, method="PURGE", headers={"xkey-purge": " ".join(names)}
            )
        )


class FastlyPurger(Purger):
    """Fastly's purge by surrogate key (up to 256 keys per request)."""

    max_names = 256

    def __init__(self, name, service, token, api="https://api.fastly.com"):
        super().__init__(name)
        self.url = f"{api.rstrip('/')}/service/{service}/purge"
        self.token = token

    def purge(self, names):
        self._send(
            urllib.request.Request(
                self.url,
                data=b"",
                method="POST",
                headers={
                    "Fastly-Key": self.token,
                    "Surrogate-Key": " ".join(names),
                    "Accept": "application/json",
                },
            )
        )


class CloudflarePurger(Purger):
    """Cloudflare's purge by cache tag (up to 100 tags per request)."""

    max_names = 100

    def __init__(self, name, zone, token, api="https://api.cloudflare.com/client/v4"):
        super().__init__(name)
        self.url = f"{api.rstrip('/')}/zones/{zone}/purge_cache"
        self.token = token

    def purge(self, names):
        body = self._send(
            urllib.request.Request(
                self.url,
                data=json.dumps({"tags": names}).encode(),
                method="POST",
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
        )
        try:
            success = json.loads(body).get("success")
        except (ValueError, AttributeError):
            success = False
        if not success:
            raise PurgeError(f"Cloudflare did not confirm: {body[:200]!r}")


class AddressPurger(Purger):
    """``PURGE <path>`` per page address, for a proxy that knows no tags: the
    addresses are those remembered under the names (``cdn.addresses_for``)."""

    def __init__(self, name, url):
        super().__init__(name)
        self.url = url.rstrip("/")

    def purge(self, names):
        for address in cdn.addresses_for(names):
            parts = urlsplit(address)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self._send(
                urllib.request.Request(
                    self.url + path, method="PURGE", headers={"Host": parts.netloc}
                )
            )


def _token(spec, default_env):
    env = spec.get("token_env", default_env)
    token = os.environ.get(env, "")
    if not token:
        raise ImproperlyConfigured(f"PAGE_CACHE_PURGERS: set {env} for {spec}.")
    return token


def from_spec(spec) -> Purger:
    """A purger from one item of ``PAGE_CACHE_PURGERS``."""
    if isinstance(spec, str):
        parts = urlsplit(spec)
        kind, where = parts.scheme, parts.netloc + parts.path
        spec = {"type": kind, "url": f"http://{where}", "service": where}
        spec["zone"] = where
    kind = spec.get("type")
    name = spec.get("name") or f"{kind}:{spec.get('url') or spec.get('service')}"
    if kind == "varnish":
        return VarnishPurger(name, spec["url"])
    if kind == "purge":
        return AddressPurger(name, spec["url"])
    if kind == "fastly":
        name = spec.get("name") or f"fastly:{spec['service']}"
        extra = {"api": spec["api"]} if "api" in spec else {}
        return FastlyPurger(
            name, spec["service"], _token(spec, "FASTLY_API_TOKEN"), **extra
        )
    if kind == "cloudflare":
        name = spec.get("name") or f"cloudflare:{spec['zone']}"
        extra = {"api": spec["api"]} if "api" in spec else {}
        return CloudflarePurger(
            name, spec["zone"], _token(spec, "CLOUDFLARE_API_TOKEN"), **extra
        )
    raise ImproperlyConfigured(f"PAGE_CACHE_PURGERS: unknown purger {spec!r}.")


def configured() -> dict[str, Purger]:
    """The configured purgers, by name."""
    purgers = [
        from_spec(spec.strip() if isinstance(spec, str) else spec)
        for spec in conf.settings.PAGE_CACHE_PURGERS
        if not isinstance(spec, str) or spec.strip()
    ]
    return {purger.name: purger for purger in purgers}


def enqueue(names) -> list[PurgeRequest]:
    """Write the outbox for ``names`` (one request per purger); the drain
    follows outside the request (``pagecache.tasks.send_purges_soon``).
    Nothing is written when no purger is set."""
    purgers = configured()
    tokens = sorted({cdn.token(name) for name in names})
    if not purgers or not tokens:
        return []
    return PurgeRequest.objects.bulk_create(
        PurgeRequest(purger=name, names=tokens) for name in purgers
    )


def pages_retired(sender, names=(), **kwargs) -> list[PurgeRequest]:
    """Write the outbox for retired pages (``pagecache.signal_handlers``).
    Sent after the commit: a failure here is logged, never raised to the
    writer, whose change is already saved."""
    try:
        return enqueue(names)
    except (DatabaseError, ImproperlyConfigured):
        logger.exception("Could not write the purge outbox for %s", list(names))
        return []


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones."""
    base = conf.settings.PAGE_CACHE_PURGE_BACKOFF
    return min(MAX_BACKOFF, base * 2 ** (attempts - 1))


def _claim(now) -> tuple[str, list[PurgeRequest]]:
    """Take up to a batch of due requests for this drainer, atomically."""
    limit = conf.settings.PAGE_CACHE_PURGE_BATCH
    ids = list(PurgeRequest.objects.due(now).values_list("pk", flat=True)[:limit])
    if not ids:
        return "", []
    claim = uuid.uuid4().hex
    lease = len(ids) * conf.settings.PAGE_CACHE_PURGE_TIMEOUT + 60
    # The same conditions again: another drainer may have taken some meanwhile.
    PurgeRequest.objects.due(now).filter(pk__in=ids).update(
        claim=claim, claimed_until=now + datetime.timedelta(seconds=lease)
    )
    return claim, list(PurgeRequest.objects.filter(claim=claim, status="pending"))


def _batches(requests, max_names):
    """Requests grouped so that each group's names fit in one call (a single
    request with more names is sent in several calls)."""
    group, names = [], set()
    for request in requests:
        if group and len(names | set(request.names)) > max_names:
            yield group, sorted(names)
            group, names = [], set()
        group.append(request)
        names |= set(request.names)
    if group:
        yield group, sorted(names)


def drain() -> dict[str, int]:
    """Send what is due, once: ``{"sent": n, "failed": n, "gave_up": n}``.

    Each request is claimed by one drainer (an UPDATE with a lease), sent, and
    marked done, or retried later with exponential backoff.
    """
    counts = {"sent": 0, "failed": 0, "gave_up": 0}
    now = timezone.now()
    claim, requests = _claim(now)
    if not requests:
        return counts
    purgers = configured()
    by_purger = {}
    for request in requests:
        by_purger.setdefault(request.purger, []).append(request)
    for name, pending in by_purger.items():
        purger = purgers.get(name)
        if purger is None:
            _finish(pending, PurgeRequest.Status.FAILED, "purger no longer configured")
            logger.error("Purge requests for %s dropped: not configured", name)
            counts["gave_up"] += len(pending)
            continue
        for group, names in _batches(pending, purger.max_names):
            try:
                for start in range(0, len(names), purger.max_names):
                    purger.purge(names[start : start + purger.max_names])
            except PurgeError as error:
                counts["failed" if _retry(group, str(error)) else "gave_up"] += len(
                    group
                )
            else:
                _finish(group, PurgeRequest.Status.DONE, "")
                counts["sent"] += len(group)
    return counts


def _finish(requests, status, error) -> None:
    PurgeRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        status=status,
        finished_at=timezone.now(),
        claim="",
        claimed_until=None,
        last_error=error,
    )


def _retry(requests, error) -> bool:
    """Put failed requests back, later; False when they have run out of tries."""
    attempts = requests[0].attempts + 1
    ids = [r.pk for r in requests]
    if attempts >= conf.settings.PAGE_CACHE_PURGE_ATTEMPTS:
        logger.error(
            "Purge of %s at %s failed %d times, giving up: %s",
            " ".join(requests[0].names)[:200],
            requests[0].purger,
            attempts,
            error,
        )
        PurgeRequest.objects.filter(pk__in=ids).update(attempts=attempts)
        _finish(requests, PurgeRequest.Status.FAILED, error)
        return False
    delay = backoff(attempts)
    logger.warning(
        "Purge at %s failed (attempt %d), retrying in %.0f s: %s",
        requests[0].purger,
        attempts,
        delay,
        error,
    )
    # Requests in one group may differ in attempts; each keeps its own count.
    for request in requests:
        request.attempts += 1
    with transaction.atomic():
        for request in requests:
            PurgeRequest.objects.filter(pk=request.pk).update(
                attempts=request.attempts,
                due_at=timezone.now()
                + datetime.timedelta(seconds=backoff(request.attempts)),
                claim="",
                claimed_until=None,
                last_error=error,
            )
    return True


def next_due() -> float | None:
    """Seconds until the next pending request is due (0: now), None if none."""
    request = (
        PurgeRequest.objects.filter(status=PurgeRequest.Status.PENDING)
        .order_by("due_at")
        .only("due_at")
        .first()
    )
    if request is None:
        return None
    return max(0.0, (request.due_at - timezone.now()).total_seconds())


class Background:
    """One drainer thread per process, started by the first ``wake()``.

    It drains, then sleeps until the next retry is due or it is woken again.
    At exit, a last drain sends what this process has just written.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._thread = None
        self._pid = None

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()
        with self._lock:
            # A forked process (a gunicorn worker) starts its own thread.
            if self._thread is None or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="pagecache-purges", daemon=True
                )
                self._thread.start()
                atexit.register(self._at_exit)

    def wait_idle(self, timeout: float) -> bool:
        """Until the thread has drained what it was woken for (tests)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait(self._sleep)
            self._wake.clear()
            self._sleep = self._pass()
            if not self._wake.is_set():
                self._idle.set()

    _sleep = None

    def _pass(self) -> float | None:
        """One drain; how long to sleep after it (None: until woken)."""
        try:
            drain()
            due = next_due()
        except Exception:  # noqa: BLE001 - the thread must outlive a bad pass
            logger.exception("Draining the purge outbox failed")
            due = 60.0
        finally:
            connections.close_all()
        return None if due is None else max(due, 0.5)

    def _at_exit(self) -> None:
        if self._pid != os.getpid():
            return
        # Let a pass under way finish (its claims would otherwise wait for
        # their lease to lapse), then send what is left.
        self._idle.wait(conf.settings.PAGE_CACHE_PURGE_TIMEOUT + 5)
        if self._idle.is_set() and self._sleep is None:
            return  # its last pass left nothing pending
        try:
            drain()
        except (OperationalError, InterfaceError) as exc:
            # The database is gone before the process (a test run drops its
            # database first; a server shutting down): the purges stay in
            # the outbox, and the next process's drain or run_periodic sends
            # them. Nothing is lost, so no traceback.
            logger.warning("Purges left in the outbox at exit: %s", exc)
        except Exception:  # noqa: BLE001 - never fail an exit
            logger.exception("Draining the purge outbox at exit failed")


background = Background()
