"""PostgreSQL clusters, streaming replicas and PgBouncer of the tests' own.

Each runs as the ``postgres`` user (PostgreSQL and PgBouncer refuse to run as
root) in a fresh folder under /tmp, on a free port, and is stopped and removed
when the block ends. The machine's shared PostgreSQL (5432) is only ever a
server behind a PgBouncer of ours, never stopped or changed.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.faults.servers import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
USER = "postgres"


def _as_postgres(args, **kwargs):
    if os.getuid() == 0:
        args = ["runuser", "-u", USER, "--", *map(str, args)]
    return subprocess.run(
        args, check=True, capture_output=True, text=True, timeout=120, **kwargs
    )


def _folder(name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"newsroom-{name}-"))
    if os.getuid() == 0:
        account = pwd.getpwnam(USER)
        os.chown(folder, account.pw_uid, account.pw_gid)
    return folder


def psql(port: int, sql: str, database: str = "postgres") -> str:
    return _as_postgres(
        [
            PG_BIN / "psql",
            "-h",
            "127.0.0.1",
            "-p",
            port,
            "-d",
            database,
            "-AtXq",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ]
    ).stdout.strip()


def _wait_ready(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while subprocess.run(
        [PG_BIN / "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]
    ).returncode:
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL on port {port} did not start")
        time.sleep(0.2)


class Cluster:
    def __init__(self, data: Path, port: int):
        self.data, self.port = data, port

    @property
    def url(self) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/newsroom"

    def start(self) -> None:
        _as_postgres(
            [
                PG_BIN / "pg_ctl",
                "-D",
                self.data,
                "-l",
                self.data / "server.log",
                "-w",
                "-o",
                f"-p {self.port} -k {self.data}",
                "start",
            ]
        )
        _wait_ready(self.port)

    def stop(self) -> None:
        subprocess.run(
            [
                *(["runuser", "-u", USER, "--"] if os.getuid() == 0 else []),
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.data),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )

    def sql(self, statement: str, database: str = "newsroom") -> str:
        return psql(self.port, statement, database)


@contextmanager
def primary_cluster():
    """A new primary with streaming replication on, and a ``newsroom`` database."""
    folder = _folder("primary")
    data = folder / "data"
    _as_postgres(
        [
            PG_BIN / "initdb",
            "-D",
            data,
            "-U",
            USER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]
    )
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            "listen_addresses = '127.0.0.1'\n"
            "wal_level = replica\n"
            "max_wal_senders = 5\n"
            "hot_standby = on\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "shared_buffers = 32MB\n"
        )
    with open(data / "pg_hba.conf", "a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    cluster = Cluster(data, free_port())
    try:
        cluster.start()
        cluster.sql("CREATE DATABASE newsroom", database="postgres")
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def streaming_replica(primary: Cluster):
    """A hot standby of ``primary``, made with ``pg_basebackup``."""
    folder = _folder("replica")
    data = folder / "data"
    _as_postgres(
        [
            PG_BIN / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            primary.port,
            "-U",
            USER,
            "-D",
            data,
            "-R",
            "-X",
            "stream",
            # Now, not after a spread checkpoint (minutes on an idle server).
            "--checkpoint=fast",
            "--no-sync",
        ]
    )
    replica = Cluster(data, free_port())
    try:
        replica.start()
        yield replica
    finally:
        replica.stop()
        shutil.rmtree(folder, ignore_errors=True)


def wait_replayed(primary: Cluster, replica: Cluster, seconds: float = 30) -> None:
    """Until the replica has replayed everything the primary has written."""
    target = primary.sql("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + seconds
    while replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t":
        if time.monotonic() > deadline:
            raise RuntimeError("the replica did not catch up")
        time.sleep(0.1)


POOL_ROLE = "newsroom_pool"


def shared_sql(sql: str) -> None:
    """One statement on the machine's PostgreSQL (roles and databases of ours)."""
    with psycopg.connect(
        "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
    ) as connection:
        connection.execute(sql)


def pool_role(name: str = POOL_ROLE) -> str:
    """The role the site uses through PgBouncer, set up as docs/deploy.md
    says: its session settings belong to the role, not to the connection."""
    shared_sql(
        f"DO $$ BEGIN CREATE ROLE {name} LOGIN SUPERUSER; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    shared_sql(f"ALTER ROLE {name} SET statement_timeout = '5s'")
    shared_sql(f"ALTER ROLE {name} SET jit = off")
    return name


def pgbouncer_binary() -> str:
    return shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@contextmanager
def pgbouncer(server_port: int = 5432, pool_mode: str = "transaction", users=(USER,)):
    """A PgBouncer in ``pool_mode`` in front of the PostgreSQL on
    ``server_port``, every database passed through, for ``users`` (trusted).
    Yields the process, with its ``port`` and ``log``."""
    folder = _folder("pgbouncer")
    port = free_port()
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={server_port}\n"
        "[pgbouncer]\n"
        "listen_addr = 127.0.0.1\n"
        f"listen_port = {port}\n"
        f"unix_socket_dir = {folder}\n"
        "auth_type = trust\n"
        f"auth_file = {folder / 'users.txt'}\n"
        f"pool_mode = {pool_mode}\n"
        "max_client_conn = 200\n"
        "default_pool_size = 10\n"
        # A test database is dropped at the end: idle server connections to
        # it go quickly, so the DROP does not find them.
        "server_idle_timeout = 1\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
        f"pidfile = {folder / 'pgbouncer.pid'}\n"
    )
    (folder / "users.txt").write_text("".join(f'"{user}" ""\n' for user in users))
    if os.getuid() == 0:
        account = pwd.getpwnam(USER)
        for path in folder.iterdir():
            os.chown(path, account.pw_uid, account.pw_gid)
    command = [pgbouncer_binary(), str(ini)]
    if os.getuid() == 0:
        command = ["runuser", "-u", USER, "--", *command]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_ready(port)
        process.port = port
        process.log = folder / "pgbouncer.log"
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
