"""Read replicas: which reads may go to a replica, and which stay on the primary.

``DATABASE_REPLICA_URLS`` (settings) adds the aliases ``replica1``,
``replica2``, ... beside ``default``, the primary. Reads stay on the primary
unless a request says otherwise: management commands, tasks, the shell and
migrations never read a replica, so nothing that writes can act on what it
read from a lagging copy.

``ReplicaReadsMiddleware`` lets a request read from a replica when all of these
hold:

- it is a GET, HEAD or OPTIONS request outside the admin;
- the same client has not written in the last ``DATABASE_REPLICA_STICKY_SECONDS``
  (a request that wrote sets a short cookie that says so, so a reader who
  just posted a comment reads their own write; a view-count beacon, whose
  write nobody reads back, does not: ``not_sticky()``);
- nothing in it will be kept: the page cache renders what it will store (or
  what a CDN will cache) with ``primary_reads()``, because a page rendered from
  a lagging replica would be served for a whole entry lifetime after the
  purge that should have retired it.

Inside a transaction on the primary every read goes to the primary too.
"""

import itertools
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

PRIMARY = "default"
REPLICA_PREFIX = "replica"
# The cookie that keeps a client on the primary for a few seconds after it
# wrote. It carries the time until which it holds; it is no secret (forging
# it only sends one's own reads to the primary).
STICKY_COOKIE = "newsroom_primary"

# False: the primary. Otherwise the replica this request reads from: one
# per request, so a story and its related rows come from one copy.
_reads_from_replica: ContextVar[str | bool] = ContextVar(
    "newsroom_reads_from_replica", default=False
)
# What the request wrote: "yes", "exempt" (a write the client never reads
# back, such as a view-count beacon), or "" (nothing).
_wrote: ContextVar[str] = ContextVar("newsroom_request_wrote", default="")
_turns = itertools.count()
_turns_lock = threading.Lock()


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


def reading_from_replica() -> bool:
    return bool(_reads_from_replica.get())


def _next_replica() -> str | bool:
    aliases = replica_aliases()
    if not aliases:
        return False
    with _turns_lock:
        turn = next(_turns)
    return aliases[turn % len(aliases)]


@contextmanager
def replica_reads():
    """Reads in this block may go to a replica (the request says it may):
    the next one in turn, the same for every read of the block."""
    token = _reads_from_replica.set(_next_replica())
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


@contextmanager
def primary_reads():
    """Reads in this block go to the primary: a render that will be kept."""
    token = _reads_from_replica.set(False)
    try:
        yield
    finally:
        _reads_from_replica.reset(token)


def pin_primary() -> None:
    """From here to the end of this request (or task), read the primary."""
    _reads_from_replica.set(False)


def not_sticky() -> None:
    """This request's writes are none the client reads back (a view-count
    beacon): they do not keep it on the primary afterwards."""
    _wrote.set("exempt")


class ReplicaRouter:
    """Writes go to the primary; reads to a replica only when allowed.

    Requests take turns on the replicas (round robin across the process);
    one request reads one replica. Migrations run on the primary only: the
    replicas follow it by streaming replication.
    """

    def db_for_read(self, model, **hints):
        replica = _reads_from_replica.get()
        if not replica or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return replica

    def db_for_write(self, model, **hints):
        # A request that writes reads its own writes from here on.
        pin_primary()
        if not _wrote.get():
            _wrote.set("yes")
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same data: rows read from a replica may be
        # related to rows of the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def sticky_until(request) -> float:
    try:
        return float(request.COOKIES.get(STICKY_COOKIE, "0"))
    except ValueError:
        return 0.0


class ReplicaReadsMiddleware:
    """Let the reads of a request go to a replica when that is safe (see the
    module's docstring), and keep a client that wrote on the primary for a
    few seconds.

    Belongs before the page-cache middleware: hits never reach the database,
    and a miss's render is put back on the primary by the page cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL_PREFIX.strip("/") + "/"

    def may_read_replica(self, request) -> bool:
        return (
            request.method in SAFE_METHODS
            and not request.path.startswith(self.admin_prefix)
            and sticky_until(request) < time.time()
        )

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        if not self.may_read_replica(request):
            wrote = _wrote.set("")
            try:
                with primary_reads():
                    response = self.get_response(request)
                kept_on_primary = _wrote.get() == "yes"
            finally:
                _wrote.reset(wrote)
            if kept_on_primary:
                seconds = settings.DATABASE_REPLICA_STICKY_SECONDS
                response.set_cookie(
                    STICKY_COOKIE,
                    f"{time.time() + seconds:.0f}",
                    max_age=seconds,
                    secure=request.is_secure(),
                    httponly=True,
                    samesite="Lax",
                )
            return response
        with replica_reads():
            return self.get_response(request)
