"""A Django cache on a SQLite file: shared by every process of one machine.

The embedded default (no Redis) needs a cache that every gunicorn worker
reads and writes alike, or the page cache's content version would be one per
process. Django's own backends do not fit: ``LocMemCache`` lives in one
process, ``FileBasedCache`` and ``DatabaseCache`` implement ``add()`` and
``incr()`` as a read followed by a write (two workers can both "add" the same
key, two increments can become one). Here every operation is one statement,
so SQLite's write lock makes it atomic across processes:

- ``add()``: ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` the old entry has
  expired, ``RETURNING``: a row back means this call added it;
- ``incr()``/``decr()``: integers are stored as SQLite integers, not pickled,
  and moved with ``UPDATE ... SET value = value + ? RETURNING value``;
- ``get_many()``: one ``SELECT ... WHERE key IN (...)``.

The file sits apart from the site's database (``DATA_DIR/cache.sqlite3``):
cache writes never queue behind an editor's transaction, and the file can be
deleted at any time (stop the site first, or expect misses until it is
recreated). It runs in WAL mode with ``synchronous=NORMAL`` (a power cut may
lose the last writes, which for a cache means misses) and is memory-mapped, so
a hit is a few microseconds of SQLite with no copy through the page cache.

Each process and thread has its own connection, opened on first use and
reopened after a fork (the process id is checked on every call). Whatever
goes wrong with the file (missing directory, not a database, read-only disk,
locked past the busy timeout) is logged once a minute and answered as a miss:
``get()`` returns the default, ``set()`` stores nothing, ``add()`` returns
None (as django-redis does when it ignores an outage, so callers can fall
back), ``incr()`` raises ``ValueError`` (no such key). A request never fails
because of the cache.

The size is bounded like Django's backends: past ``MAX_ENTRIES`` entries or
``MAX_BYTES`` bytes of values, expired entries go first, then the
``1/CULL_FREQUENCY`` of entries nearest to expiry (entries without a timeout,
such as the content version, last). Triggers keep the count and the bytes in
a one-row table, so the check after each write reads one row.

Values are pickled (integers excepted). Like Django's file and database
caches, the file must be writable only by the site: whoever can write it can
run code in the site's processes.

Options (``CACHES[alias]["OPTIONS"]``): ``MAX_ENTRIES`` (default 300, as in
Django), ``CULL_FREQUENCY`` (3), ``MAX_BYTES`` (256 MiB), ``BUSY_TIMEOUT``
(seconds to wait for another writer, 5), ``MMAP_SIZE`` (bytes, 256 MiB),
``RETRY_AFTER`` (seconds between attempts to reopen an unusable file, 1).
"""

import logging
import os
import pickle
import sqlite3
import threading
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

logger = logging.getLogger(__name__)

# Entries without a timeout: SQLite stores IEEE infinity in a REAL column.
FOREVER = float("inf")
INT64 = range(-(2**63), 2**63)
LOG_INTERVAL = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS cache_entries (
    key TEXT NOT NULL UNIQUE,
    value BLOB NOT NULL,
    expires REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS cache_entries_expires ON cache_entries (expires);
CREATE TABLE IF NOT EXISTS cache_stats (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    entries INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
INSERT OR IGNORE INTO cache_stats (id, entries, bytes)
    SELECT 0, count(*), coalesce(sum(length(value)), 0) FROM cache_entries;
CREATE TRIGGER IF NOT EXISTS cache_entries_insert AFTER INSERT ON cache_entries
BEGIN
    UPDATE cache_stats SET entries = entries + 1,
        bytes = bytes + length(NEW.value) WHERE id = 0;
END;
CREATE TRIGGER IF NOT EXISTS cache_entries_delete AFTER DELETE ON cache_entries
BEGIN
    UPDATE cache_stats SET entries = entries - 1,
        bytes = bytes - length(OLD.value) WHERE id = 0;
END;
CREATE TRIGGER IF NOT EXISTS cache_entries_update AFTER UPDATE OF value
    ON cache_entries
BEGIN
    UPDATE cache_stats SET bytes = bytes + length(NEW.value) - length(OLD.value)
        WHERE id = 0;
END;
"""

GET = "SELECT value FROM cache_entries WHERE key = ? AND expires > ?"
SET = (
    "INSERT INTO cache_entries (key, value, expires) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
    "expires = excluded.expires"
)
ADD = SET + " WHERE cache_entries.expires <= ? RETURNING 1"
INCR = (
    "UPDATE cache_entries SET value = value + ? WHERE key = ? AND expires > ? "
    "AND typeof(value) = 'integer' AND typeof(value + ?) = 'integer' "
    "RETURNING value"
)
HAS_KEY = "SELECT 1 FROM cache_entries WHERE key = ? AND expires > ?"
TOUCH = "UPDATE cache_entries SET expires = ? WHERE key = ? AND expires > ?"
DELETE = "DELETE FROM cache_entries WHERE key = ? RETURNING expires"
STATS = "SELECT entries, bytes FROM cache_stats WHERE id = 0"


class Unavailable(Exception):  # noqa: N818 - a state, not a programming error
    """The file cannot be used now; the operation answers as a miss."""


def _encode(value):
    # Integers are stored as SQLite integers so that incr() can move them in
    # SQL; everything else (bool included, which must come back as a bool) is
    # pickled.
    if type(value) is int and value in INT64:
        return value
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _decode(raw):
    if type(raw) is int:
        return raw
    return pickle.loads(raw)  # noqa: S301 - written only by this site


class SQLiteCache(BaseCache):
    """``BACKEND: "newsroom.sqlitecache.SQLiteCache"``, ``LOCATION``: the file."""

    def __init__(self, location, params):
        super().__init__(params)
        self.path = str(location)
        options = params.get("OPTIONS", {})
        self._max_bytes = int(options.get("MAX_BYTES", 256 * 2**20))
        self._busy_timeout = float(options.get("BUSY_TIMEOUT", 5))
        self._mmap_size = int(options.get("MMAP_SIZE", 256 * 2**20))
        self._retry_after = float(options.get("RETRY_AFTER", 1))
        self._local = threading.local()
        self._failed_at = 0.0
        self._logged_at = -LOG_INTERVAL

    def make_and_validate_key(self, key, version=None):
        # Any string is a valid SQLite key: the memcached compatibility
        # warnings Django checks for (a loop over every character of every
        # key) would be most of the cost of a hit.
        return self.make_key(key, version=version)

    # Connections

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        pid = os.getpid()
        connection = getattr(local, "connection", None)
        if connection is not None and local.pid == pid:
            return connection
        # A connection inherited through fork() belongs to the parent: leave
        # it alone (closing it could disturb the parent's) and open our own.
        local.connection = None
        if time.monotonic() - self._failed_at < self._retry_after:
            raise Unavailable
        try:
            connection = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._failed(exc)
            raise Unavailable from exc
        local.connection, local.pid = connection, pid
        return connection

    def _open(self) -> sqlite3.Connection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout,
            isolation_level=None,  # autocommit: each statement is atomic
            check_same_thread=False,
            cached_statements=64,
        )
        try:
            # WAL must be switched on outside a transaction; a concurrent
            # switch by another process waits on the busy timeout.
            connection.execute("PRAGMA journal_mode=WAL").fetchone()
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(f"PRAGMA mmap_size={self._mmap_size:d}")
            # Several processes may create the schema at once: one at a time.
            connection.executescript(f"BEGIN IMMEDIATE;{SCHEMA}COMMIT;")
        except BaseException:
            connection.close()
            raise
        return connection

    def _failed(self, exc) -> None:
        """Drop this thread's connection, remember when, log once a minute."""
        self._local.connection = None
        self._failed_at = time.monotonic()
        self._log(exc)

    def _log(self, exc) -> None:
        now = time.monotonic()
        if now - self._logged_at >= LOG_INTERVAL:
            self._logged_at = now
            logger.warning(
                "The cache file %s is unusable; answering misses: %s", self.path, exc
            )

    def _run(self, operation, default):
        """``operation(connection)``, or ``default`` when the file is unusable."""
        try:
            connection = self._connection()
        except Unavailable:
            return default
        try:
            return operation(connection)
        except (sqlite3.Error, OSError, pickle.UnpicklingError, EOFError) as exc:
            if connection.in_transaction:
                try:
                    connection.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            self._failed(exc)
            return default

    def _expiry(self, timeout) -> float:
        expires = self.get_backend_timeout(timeout)
        return FOREVER if expires is None else expires

    # Reading

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._run(lambda db: db.execute(GET, (key, time.time())).fetchone(), None)
        return default if row is None else self._decoded(row[0], default)

    def get_many(self, keys, version=None):
        made = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not made:
            return {}
        sql = (
            "SELECT key, value FROM cache_entries WHERE key IN "
            f"({', '.join('?' * len(made))}) AND expires > ?"
        )
        rows = self._run(
            lambda db: db.execute(sql, (*made, time.time())).fetchall(), []
        )
        found = {}
        for key, raw in rows:
            value = self._decoded(raw, self._missing_key)
            if value is not self._missing_key:
                found[made[key]] = value
        return found

    def _decoded(self, raw, default):
        try:
            return _decode(raw)
        except Exception as exc:  # noqa: BLE001 - a damaged entry is a miss
            self._log(exc)
            return default

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._run(
            lambda db: db.execute(HAS_KEY, (key, time.time())).fetchone(), None
        )
        return row is not None

    # Writing

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = (key, _encode(value), self._expiry(timeout))
        self._run(lambda db: self._write(db, SET, row), None)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        expires = self._expiry(timeout)
        rows = [
            (self.make_and_validate_key(key, version=version), _encode(value), expires)
            for key, value in data.items()
        ]

        def write(db):
            db.execute("BEGIN IMMEDIATE")
            db.executemany(SET, rows)
            db.execute("COMMIT")
            self._cull_if_needed(db)
            return []

        return self._run(write, list(data))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        """True if the key was absent (or expired) and is now set; False if a
        live entry was there; None if the file is unusable."""
        key = self.make_and_validate_key(key, version=version)
        row = (key, _encode(value), self._expiry(timeout), time.time())
        return self._run(lambda db: self._write(db, ADD, row) is not None, None)

    def _write(self, db, sql, params):
        # fetchall(): the statement runs to its end, so its write transaction
        # is over before anything else happens.
        rows = db.execute(sql, params).fetchall()
        self._cull_if_needed(db)
        return rows[0] if rows else None

    def incr(self, key, delta=1, version=None):
        made = self.make_and_validate_key(key, version=version)

        def increment(db):
            if delta in INT64:
                rows = db.execute(INCR, (delta, made, time.time(), delta)).fetchall()
                if rows and type(rows[0][0]) is int:
                    return rows[0][0]
            # Not a stored integer (a pickled number, no such key, an
            # overflow): read and write in one write transaction.
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(GET, (made, time.time())).fetchone()
                if row is None:
                    return None
                value = _decode(row[0]) + delta
                db.execute(
                    "UPDATE cache_entries SET value = ? WHERE key = ?",
                    (_encode(value), made),
                )
            finally:
                if db.in_transaction:
                    db.execute("COMMIT")
            return value

        value = self._run(increment, None)
        if value is None:
            raise ValueError(f"Key '{key}' not found")
        return value

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        params = (self._expiry(timeout), key, time.time())
        return bool(self._run(lambda db: db.execute(TOUCH, params).rowcount, 0))

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        rows = self._run(lambda db: db.execute(DELETE, (key,)).fetchall(), [])
        return bool(rows) and rows[0][0] > time.time()

    def delete_many(self, keys, version=None):
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        if not made:
            return
        sql = f"DELETE FROM cache_entries WHERE key IN ({', '.join('?' * len(made))})"
        self._run(lambda db: db.execute(sql, made), None)

    def clear(self):
        self._run(lambda db: db.execute("DELETE FROM cache_entries"), None)

    def close(self, **kwargs):
        # Django closes every cache when a request finishes: the connection is
        # kept for the next request (opening one costs more than a hit).
        pass

    # Culling

    def _over(self, db) -> bool:
        row = db.execute(STATS).fetchone()
        return row is not None and (
            row[0] > self._max_entries or row[1] > self._max_bytes
        )

    def _cull_if_needed(self, db) -> None:
        if not self._over(db):
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM cache_entries WHERE expires <= ?", (time.time(),))
            while self._over(db):
                entries = db.execute(STATS).fetchone()[0]
                if self._cull_frequency == 0:
                    db.execute("DELETE FROM cache_entries")
                    break
                db.execute(
                    "DELETE FROM cache_entries WHERE rowid IN (SELECT rowid FROM "
                    "cache_entries ORDER BY expires LIMIT ?)",
                    (max(1, entries // self._cull_frequency),),
                )
        finally:
            if db.in_transaction:
                db.execute("COMMIT")
