"""Separate processes racing on the test database: exactly-once checks that
threads cannot make on SQLite (its in-memory test database belongs to this
process), run the same way on both databases.

``database_for_processes()`` says where the contenders connect: on SQLite a
file copy of the test database (``VACUUM INTO``), on PostgreSQL the test
database itself. ``race()`` starts one Python process per argument list,
waits until each prints ``ready``, lets them all go at once (a file appears)
and returns what each printed.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_for_processes(tmp_path) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "race.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM INTO '{copy}'")
        return f"sqlite:///{copy}"
    assert connection.vendor == "postgresql"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{settings['NAME']}"


def race(code: str, arguments: list[list[str]], database_url: str, tmp_path):
    """Run ``code`` once per entry of ``arguments`` (its ``sys.argv[1:]``,
    then the path of the "go" file it waits for); returns their outputs."""
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, *args, str(go)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in arguments
    ]
    try:
        for process in processes:
            line = process.stdout.readline().strip()
            assert line == "ready", process.stderr.read()
        go.touch()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            results.append(out)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return results
