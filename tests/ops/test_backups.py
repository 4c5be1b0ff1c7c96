"""The restore drill: create data, back up, wipe and alter, restore, compare.

Runs on whichever database the suite runs on (SQLite: the backup API;
PostgreSQL: pg_dump -Fc / pg_restore).
"""

import io
import sqlite3

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from articles.models import Article, Author, Section
from comments.models import Comment
from tests.comments.conftest import make_comment
from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db(transaction=True)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Section, Comment)
    }


def test_a_backup_restores_every_row_after_the_data_was_wiped(tmp_path):
    author = make_author(name="Ann Drill")
    stories = [make_article(authors=[author], tags=["drill"]) for _ in range(5)]
    for story in stories:
        make_comment(story, body=f"On {story.headline}")
    before = counts()
    headlines = set(Article.objects.values_list("headline", flat=True))
    backup = tmp_path / "newsroom.backup"

    out = io.StringIO()
    call_command("backup_db", output=str(backup), stdout=out)
    assert backup.stat().st_size > 0
    assert str(backup) in out.getvalue()

    # Disaster: rows deleted, others changed, new ones added.
    Comment.objects.all().delete()
    Article.objects.filter(pk__in=[s.pk for s in stories[:3]]).delete()
    Article.objects.update(headline="Vandalised")
    make_article(headline="Written after the backup")
    assert counts() != before

    call_command("restore_db", str(backup), yes=True, stdout=io.StringIO())

    assert counts() == before
    assert set(Article.objects.values_list("headline", flat=True)) == headlines
    assert Article.objects.get(pk=stories[0].pk).tags.names()[0] == "drill"
    # The schema came back whole: no migration is missing or unapplied.
    call_command("migrate", check_unapplied=True, verbosity=0)


def test_a_backup_is_a_database_file_or_a_custom_format_dump(tmp_path):
    make_article()
    backup = tmp_path / "b"
    call_command("backup_db", output=str(backup), stdout=io.StringIO())
    head = backup.read_bytes()[:16]
    if connection.vendor == "sqlite":
        assert head.startswith(b"SQLite format 3")
        copy = sqlite3.connect(backup)
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM articles_article").fetchone() == (1,)
        copy.close()
    else:
        assert head.startswith(b"PGDMP")


def test_restoring_a_missing_or_broken_file_fails_and_changes_nothing(tmp_path):
    make_article()
    with pytest.raises(CommandError):
        call_command("restore_db", str(tmp_path / "nothing"), yes=True)
    broken = tmp_path / "broken"
    broken.write_bytes(b"this is not a backup" * 100)
    with pytest.raises(CommandError):
        call_command("restore_db", str(broken), yes=True, stdout=io.StringIO())
    assert Article.objects.count() == 1


def test_restore_asks_before_replacing_data(tmp_path, monkeypatch):
    make_article()
    backup = tmp_path / "b"
    call_command("backup_db", output=str(backup), stdout=io.StringIO())
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_db", str(backup))


def test_behind_pgbouncer_the_tools_go_to_postgresql_itself(settings):
    """pg_dump and pg_restore make session settings (an empty search_path)
    that a transaction pooler would pass on to the site's next query."""
    from django.core.management.base import CommandError

    from ops.management.commands.backup_db import pg_environment

    pooled = {"NAME": "newsroom", "HOST": "127.0.0.1", "PORT": 6432, "USER": "site"}
    settings.DATABASE_POOLER = "pgbouncer"
    settings.DATABASE_DIRECT_URL = ""
    with pytest.raises(CommandError, match="DATABASE_DIRECT_URL"):
        pg_environment(pooled)

    settings.DATABASE_DIRECT_URL = "postgres://backup:s3cret@db.internal:5432/other"
    args, env = pg_environment(pooled)
    assert args == ["--host", "db.internal", "--port", "5432", "--username", "backup"]
    assert env["PGPASSWORD"] == "s3cret"
    assert "s3cret" not in " ".join(args)
