"""SQLite under concurrent readers and writers: no "database is locked".

Several OS processes share one SQLite file with the project's settings (WAL,
busy timeout, IMMEDIATE transactions): writers post comments and record views
through the real views while readers load pages. Every request must succeed and
every write must land.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# SQLite in a file of its own, whatever the run's database.
pytestmark = pytest.mark.own_stack

ROOT = Path(__file__).resolve().parents[2]
WRITERS, READERS, ROUNDS = 3, 2, 12


def _env(db_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "VIEWCOUNTS_REDIS_URL", "DATABASE_URL", "DEBUG"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{db_path}",
        DJANGO_SETTINGS_MODULE="tests.faults.server_settings",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "fault-tests-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        COMMENTS_RATE_LIMIT="1000",
        PYTHONPATH=str(ROOT),
    )
    return env


def run(args, env, **kwargs):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, timeout=300, **kwargs
    )


def test_concurrent_writers_and_readers_never_hit_database_is_locked(tmp_path):
    db_path = tmp_path / "busy.sqlite3"
    env = _env(db_path)
    run(["manage.py", "migrate", "--noinput", "-v0"], env)
    run(["-m", "tests.faults.sqlite_worker", "seed"], env)

    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.faults.sqlite_worker",
                role,
                str(ROUNDS),
                str(n),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for role, n in [("writer", n) for n in range(WRITERS)]
        + [("reader", n) for n in range(READERS)]
    ]
    outputs = []
    for worker in workers:
        output = worker.communicate(timeout=300)[0].decode()
        outputs.append((worker.returncode, output))
    assert all("database is locked" not in out for _, out in outputs), outputs
    assert [code for code, _ in outputs] == [0] * len(workers), outputs
    # Counted views wait in the database buffer until a flush moves them.
    run(["manage.py", "flush_views"], env, capture_output=True)

    db = sqlite3.connect(db_path)
    comments = db.execute("SELECT count(*) FROM comments_comment").fetchone()[0]
    views = db.execute("SELECT sum(views) FROM articles_articleviewtotal").fetchone()[0]
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    db.close()
    assert comments == WRITERS * ROUNDS
    assert views == WRITERS * ROUNDS
    assert mode == "wal"


@pytest.mark.parametrize("pragma", ["journal_mode", "synchronous"])
def test_the_file_database_runs_in_wal_mode_with_normal_sync(tmp_path, pragma):
    env = _env(tmp_path / "db.sqlite3")
    out = (
        run(
            [
                "manage.py",
                "shell",
                "-c",
                f"from django.db import connection; c = connection.cursor(); "
                f"c.execute('PRAGMA {pragma}'); print(c.fetchone()[0])",
            ],
            env,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert out == {"journal_mode": "wal", "synchronous": "1"}[pragma]
