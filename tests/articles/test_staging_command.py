"""``manage.py publish_due_changes``: scheduled pending changes (embargoed
updates) go out when due and not before, once, however many machines run the
command at the same minute."""

import os
import sqlite3
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from articles import services, signals, staging
from articles.models import Article, ArticleRevision, PendingChange
from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_article

ROOT = Path(__file__).resolve().parents[2]


def scheduled(story, headline, when, editor):
    pending = staging.stage(story, {"headline": headline}, by=editor)
    PendingChange.objects.filter(pk=pending.pk).update(
        state=PendingChange.State.SCHEDULED, publish_at=when
    )
    return pending


def run(*args) -> str:
    out = StringIO()
    call_command("publish_due_changes", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_scheduled_changes_go_out_when_due_and_not_before(
    django_capture_on_commit_callbacks,
):
    editor = make_role_user("Editor")
    now = timezone.now()
    due = make_article(headline="Old A")
    later = make_article(headline="Old B")
    scheduled(due, "New A", now - timedelta(seconds=1), editor)
    scheduled(later, "New B", now + timedelta(minutes=30), editor)
    received = []

    def listen(sender, story, scheduled, **kwargs):
        received.append((story.pk, scheduled))

    signals.pending_changes_published.connect(listen)
    try:
        assert "1 scheduled update(s) due" in run("--dry-run")
        assert Article.objects.get(pk=due.pk).headline == "Old A"
        with django_capture_on_commit_callbacks(execute=True):
            assert "1 scheduled update(s) published" in run()
    finally:
        signals.pending_changes_published.disconnect(listen)

    assert Article.objects.get(pk=due.pk).headline == "New A"
    assert Article.objects.get(pk=later.pk).headline == "Old B"
    assert received == [(due.pk, True)]
    assert list(PendingChange.objects.values_list("article_id", flat=True)) == [
        later.pk
    ]
    # Again: nothing more to do, nothing written twice.
    revisions = ArticleRevision.objects.filter(article=due).count()
    assert "0 scheduled update(s) published" in run()
    assert ArticleRevision.objects.filter(article=due).count() == revisions
    # Its time comes.
    assert staging.publish_due(now=now + timedelta(minutes=31)) == 1
    assert Article.objects.get(pk=later.pk).headline == "New B"


@pytest.mark.django_db
def test_a_due_update_whose_story_changed_meanwhile_waits_for_an_editor():
    editor = make_role_user("Editor")
    story = make_article(headline="Old")
    pending = scheduled(story, "New", timezone.now() - timedelta(seconds=1), editor)
    live = Article.objects.get(pk=story.pk)
    live.dek = "Changed on the live story."
    services.save_story(live, by=editor)

    assert staging.publish_due() == 0
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.REVIEW and pending.publish_at is None
    assert Article.objects.get(pk=story.pk).headline == "Old"


def _command(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "publish_due_changes"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_commands_run_at_once_on_several_machines_publish_each_update_once(
    tmp_path,
):
    """Four processes of the command at the same moment, on one database:
    each due update is published exactly once (one revision, one audit
    entry), whatever the interleaving."""
    editor = make_role_user("Editor")
    past = timezone.now() - timedelta(minutes=1)
    stories = [make_article(headline=f"Old {n}") for n in range(6)]
    for n, story in enumerate(stories):
        scheduled(story, f"New {n}", past, editor)
    revisions = ArticleRevision.objects.count()

    env = {**os.environ, "PAGE_CACHE": "0"}
    settings_db = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database lives in memory: the processes share a copy on
        # disk, and the result is read back from it.
        path = tmp_path / "shared.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        env["DATABASE_URL"] = f"sqlite:///{path}"
    else:
        user = settings_db["USER"]
        password = settings_db["PASSWORD"]
        auth = f"{user}:{password}@" if password else f"{user}@"
        host = settings_db["HOST"] or "127.0.0.1"
        port = settings_db["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{auth}{host}:{port}/{settings_db['NAME']}"

    processes = [_command(env) for _ in range(4)]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0] * 4, outputs
    counts = [int(out.split()[0]) for out, _ in outputs]
    assert sum(counts) == 6, outputs

    if connection.vendor == "sqlite":
        with sqlite3.connect(path) as result:
            headlines = sorted(
                row[0]
                for row in result.execute("SELECT headline FROM articles_article")
            )
            pending = result.execute(
                "SELECT COUNT(*) FROM articles_pendingchange"
            ).fetchone()[0]
            new_revisions = result.execute(
                "SELECT COUNT(*) FROM articles_articlerevision"
            ).fetchone()[0]
    else:
        headlines = sorted(Article.objects.values_list("headline", flat=True))
        pending = PendingChange.objects.count()
        new_revisions = ArticleRevision.objects.count()
    assert headlines == [f"New {n}" for n in range(6)]
    assert pending == 0
    assert new_revisions == revisions + 6
