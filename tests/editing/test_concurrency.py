"""Locks are correct across processes: racing processes, one holder.

Each contender is a separate Python process with its own database
connection (as gunicorn workers on several machines would be), started and
held at a line until all are ready, then let go at once. On SQLite the
processes share a file copy of the test database (``VACUUM INTO``); on
PostgreSQL they connect to the test database itself.
"""

import sqlite3
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from editing.models import EditLock
from tests import racing
from tests.editing.conftest import make_colleague
from tests.factories import make_article

pytestmark = pytest.mark.django_db(transaction=True)

CONTENDERS = 6

# One contender: set up Django, say "ready", wait for the start line, take.
CONTENDER = """
import os, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from articles.models import Article
from editing import locks
story = Article.objects.get(pk=int(sys.argv[1]))
user = get_user_model().objects.get(pk=int(sys.argv[2]))
go = sys.argv[3]
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
print(locks.take(story, user).state, flush=True)
"""


def race(story, users, tmp_path) -> list[str]:
    outputs = racing.race(
        CONTENDER,
        [[str(story.pk), str(user.pk)] for user in users],
        racing.database_for_processes(tmp_path),
        tmp_path,
    )
    return [out.strip() for out in outputs]


def copied_back(tmp_path):
    """The lock as the contenders left it (on SQLite, in their file)."""
    if connection.vendor == "sqlite":
        rows = sqlite3.connect(tmp_path / "race.sqlite3").execute(
            "SELECT holder_id FROM editing_editlock"
        )
        return [row[0] for row in rows]
    return list(EditLock.objects.values_list("holder_id", flat=True))


@pytest.mark.parametrize("start", ["no lock yet", "a stale lock"])
def test_processes_racing_to_take_a_lock_give_exactly_one_holder(tmp_path, start):
    editors = [make_colleague("Editor") for _ in range(CONTENDERS)]
    story = make_article()
    if start == "a stale lock":
        long_ago = timezone.now() - timedelta(hours=1)
        EditLock.objects.create(
            story=story,
            holder=make_colleague("Editor"),
            since=long_ago,
            heartbeat_at=long_ago,
        )

    results = race(story, editors, tmp_path)

    assert sorted(results) == ["held"] + ["locked"] * (CONTENDERS - 1)
    winner = editors[results.index("held")]
    assert copied_back(tmp_path) == [winner.pk]
