"""Back up the database to one file, consistently, while the site runs.

SQLite: the sqlite3 online backup API (a consistent copy even with writers
busy; a plain ``cp`` of a WAL database can copy a torn file). PostgreSQL:
``pg_dump --format=custom``, restored by ``restore_db`` with ``pg_restore``.
Media files are not in the database: back up MEDIA_ROOT separately.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

# Where to connect; the database's name is the site's (a test's own, in tests).
CONN_KEYS = ("HOST", "PORT", "USER", "PASSWORD")


def engine_kind(connection) -> str:
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise CommandError(f"No backup method for the {connection.vendor} database.")
    return connection.vendor


def pg_environment(settings_dict: dict) -> tuple[list[str], dict]:
    """libpq arguments and environment for pg_dump / pg_restore (no password in
    the process list: it goes in PGPASSWORD).

    Behind PgBouncer (``DATABASE_POOLER``) they go to PostgreSQL itself,
    ``DATABASE_DIRECT_URL``, the database keeping its name: the session
    settings they make (``search_path`` set empty) would otherwise stay on a
    pooled server connection and reach the site's next query."""
    direct = getattr(settings, "DATABASE_DIRECT_URL", "")
    if direct:
        parsed = dj_database_url.parse(direct)
        settings_dict = {**settings_dict, **{key: parsed.get(key) for key in CONN_KEYS}}
    elif getattr(settings, "DATABASE_POOLER", ""):
        raise CommandError(
            "Behind PgBouncer, set DATABASE_DIRECT_URL to PostgreSQL itself: "
            "pg_dump and pg_restore change session settings that a transaction "
            "pooler would pass on to the site."
        )
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def backup_database(output: Path, using: str = DEFAULT_DB_ALIAS) -> Path:
    connection = connections[using]
    output.parent.mkdir(parents=True, exist_ok=True)
    if engine_kind(connection) == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(output)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        args, env = pg_environment(connection.settings_dict)
        command = ["pg_dump", "--format=custom", "--no-owner", "--file", str(output)]
        command += [*args, connection.settings_dict["NAME"]]
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
    return output


class Command(BaseCommand):
    help = "Back up the database to a file (SQLite backup API, or pg_dump -Fc)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="File to write; default: DATA_DIR/backups/newsroom-<time>.<ext>",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        suffix = "sqlite3" if engine_kind(connection) == "sqlite" else "dump"
        output = options["output"] or (
            Path(settings.DATA_DIR)
            / "backups"
            / f"newsroom-{timezone.now():%Y%m%d-%H%M%S}.{suffix}"
        )
        path = backup_database(Path(output), options["database"])
        self.stdout.write(f"Backed up the database to {path}")
