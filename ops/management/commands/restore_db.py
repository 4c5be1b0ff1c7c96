"""Restore a backup written by ``backup_db`` over the current database.

SQLite: the backup API copies the file's pages into the live database.
PostgreSQL: ``pg_restore --clean --if-exists --single-transaction``, so a failed
restore leaves the database as it was. Stop the app servers first (or accept
that requests during the restore may fail); run ``migrate`` afterwards if the
backup is older than the code.
"""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ops.management.commands.backup_db import engine_kind, pg_environment


def restore_database(source: Path, using: str = DEFAULT_DB_ALIAS) -> None:
    if not source.is_file():
        raise CommandError(f"No backup at {source}")
    connection = connections[using]
    if engine_kind(connection) == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise CommandError(f"{source} is not a sound SQLite database")
            connection.ensure_connection()
            backup.backup(connection.connection)
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"Cannot restore {source}: {exc}") from exc
        finally:
            backup.close()
    else:
        args, env = pg_environment(connection.settings_dict)
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            connection.settings_dict["NAME"],
            str(source),
        ]
        # Our own session would hold locks pg_restore must take.
        connection.close()
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
    connection.close()


class Command(BaseCommand):
    help = "Restore the database from a backup_db file (replaces current data)."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="A file written by backup_db")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--yes",
            "--noinput",
            action="store_true",
            dest="yes",
            help="Do not ask before replacing data",
        )

    def handle(self, *args, **options):
        source = Path(options["backup"])
        if not options["yes"]:
            answer = input(
                f"Replace every row of the {options['database']} database "
                f"with {source}? Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        restore_database(source, options["database"])
        self.stdout.write(f"Restored the database from {source}")
