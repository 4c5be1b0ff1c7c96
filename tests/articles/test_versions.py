"""No lost updates: every save bumps the story's version, and a save from an
older version is refused by the UPDATE itself (``services.StoryChanged``)."""

import io
import sqlite3
import threading

import pytest
from django.db import close_old_connections, connection, transaction
from django.test.utils import CaptureQueriesContext
from PIL import Image

from articles import services
from articles.images import CleanImage
from articles.models import Article, ArticleRevision, Byline
from tests import racing
from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_article, make_author, make_draft

pytestmark = pytest.mark.django_db


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buffer, "JPEG")
    return buffer.getvalue()


def fresh(story) -> Article:
    """Another copy of the story, as a second editor's form would load it."""
    return Article.objects.get(pk=story.pk)


def test_a_new_story_starts_at_version_one_and_each_save_bumps_it(db):
    story = make_draft()
    assert story.version == 1
    services.save_story(story)
    assert story.version == 2
    services.save_story(story, expected_version=2)
    assert story.version == 3
    assert fresh(story).version == 3


def test_a_story_saved_through_the_service_for_the_first_time_is_version_one(db):
    section = make_article().section
    story = Article(headline="New", slug="new", section=section)

    services.save_story(story, expected_version=None)

    assert fresh(story).version == 1


def test_the_check_is_in_the_update_itself(db):
    story = make_draft()

    with CaptureQueriesContext(connection) as queries:
        services.save_story(story, expected_version=1)

    claims = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and '"version" = 1' in q["sql"]
    ]
    assert len(claims) == 1
    assert '"version" = ("articles_article"."version" + 1)' in claims[0]


def test_a_save_from_an_older_version_is_refused_and_nothing_is_stored(
    db, django_capture_on_commit_callbacks
):
    theirs_by = make_role_user("Editor")
    theirs_by.first_name, theirs_by.last_name = "Eugene", "Park"
    theirs_by.save()
    story = make_article(headline="Fire at the docks", authors=[make_author()])
    mine = fresh(story)  # my form, opened at version 1
    theirs = fresh(story)
    theirs.headline = "Fire at the docks: two hurt"
    services.save_story(theirs, by=theirs_by, expected_version=1)
    revisions = ArticleRevision.objects.filter(article=story).count()
    bylines = list(Byline.objects.filter(article=story).values_list("pk", flat=True))

    mine.headline = "Fire at the docks is out"
    related_called = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(services.StoryChanged) as caught:
            services.save_story(
                mine,
                by=make_role_user("Editor"),
                related=lambda: related_called.append(True),
                expected_version=1,
            )

    stored = fresh(story)
    assert stored.headline == "Fire at the docks: two hurt"
    assert stored.version == 2
    assert ArticleRevision.objects.filter(article=story).count() == revisions
    assert list(Byline.objects.filter(article=story).values_list("pk", flat=True)) == (
        bylines
    )
    assert related_called == [] and callbacks == []
    error = caught.value
    assert error.expected_version == 1
    assert error.version == 2
    assert error.current.headline == "Fire at the docks: two hurt"
    assert error.revision.created_by == theirs_by
    assert "saved by someone else" in str(error)


def test_a_refused_save_stores_no_picture(db, settings):
    story = make_draft()
    services.save_story(fresh(story))  # someone else: version 2

    # As the change form hands it over: an upload the row's save stores.
    story.lead_image = CleanImage(jpeg_bytes(), extension="jpg", width=64, height=48)
    story.lead_image_alt = "A picture"
    with pytest.raises(services.StoryChanged):
        services.save_story(story, expected_version=1)

    media = settings.MEDIA_ROOT
    stored = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    assert not fresh(story).lead_image
    # The field writes the file when the row is saved, after the check.
    assert stored == []


def test_without_an_expected_version_a_save_behaves_as_before_and_still_bumps(db):
    story = make_draft(headline="Old")
    services.save_story(fresh(story))
    stale = Article.objects.get(pk=story.pk)
    services.save_story(fresh(story))  # version 3

    stale.headline = "From the shell"
    services.save_story(stale)

    stored = fresh(story)
    assert stored.headline == "From the shell"
    assert stored.version == 4 and stale.version == 4


def test_a_deleted_story_is_refused_with_no_current_story(db):
    story = make_draft()
    Article.objects.filter(pk=story.pk).delete()

    with pytest.raises(services.StoryChanged) as caught:
        services.save_story(story, expected_version=1)

    assert caught.value.current is None and caught.value.version is None
    assert "deleted" in str(caught.value)
    assert not Article.objects.filter(pk=story.pk).exists()


def test_restoring_a_revision_bumps_the_version(db):
    story = make_draft(headline="First")
    services.save_story(story)
    first = ArticleRevision.objects.filter(article=story).latest("created_at", "pk")
    story.headline = "Second"
    services.save_story(story)
    opened = fresh(story)  # a form opened before the restore

    services.restore_revision(story, first)

    assert fresh(story).version == opened.version + 1
    opened.headline = "Third"
    with pytest.raises(services.StoryChanged):
        services.save_story(opened, expected_version=opened.version)
    assert fresh(story).headline == "First"


@pytest.mark.parametrize(
    "action", ["publish_stories", "schedule_stories", "unpublish_stories"]
)
def test_bulk_actions_bump_each_story_they_write_once(db, action):
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(days=1)
    if action == "unpublish_stories":
        chosen = [make_article(), make_article()]
    else:
        chosen = [make_draft(published_at=later), make_draft(published_at=later)]
    other = make_draft()
    opened = [fresh(story) for story in chosen]

    written = getattr(services, action)(
        Article.objects.filter(pk__in=[s.pk for s in chosen]), by=None
    )

    assert written == 2
    assert [fresh(story).version for story in chosen] == [2, 2]
    assert fresh(other).version == 1
    # A form opened before the bulk action is refused afterwards.
    with pytest.raises(services.StoryChanged):
        services.save_story(opened[0], expected_version=1)


def _save_in_thread(pk, headline, expected, results, barrier=None, hold=None):
    """One editor's save, on its own database connection (its own thread)."""
    try:
        story = Article.objects.get(pk=pk)
        story.headline = headline
        if barrier is not None:
            barrier.wait()
        with transaction.atomic():
            services.save_story(story, expected_version=expected)
            if hold is not None:
                # Keep the row locked, the transaction open, until told.
                hold["saved"].set()
                hold["release"].wait(30)
        results.append(("saved", headline))
    except services.StoryChanged as error:
        results.append(("refused", error.version))
    except Exception as error:  # reported by the test, not lost in a thread
        results.append(("error", repr(error)))
    finally:
        close_old_connections()
        connection.close()


def _postgresql_only():
    # SQLite's test database is a shared in-memory one: connections of
    # other threads share its cache, whose table locks fail at once
    # ("database table is locked") instead of waiting like writers on a
    # file do (BEGIN IMMEDIATE, the busy timeout). Two threads cannot race
    # on it, so the threaded races run on PostgreSQL; on SQLite the race is
    # run by processes on a file copy of the database (below), and the
    # refusal itself is tested above on both.
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL (see the comment)")


@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_from_the_same_version_have_exactly_one_winner():
    _postgresql_only()
    story = make_draft(headline="Start")
    for round_ in range(5):
        version = fresh(story).version
        results = []
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(
                target=_save_in_thread,
                args=(story.pk, f"{name} {round_}", version, results, barrier),
            )
            for name in ("Mine", "Theirs")
        ]
        revisions = ArticleRevision.objects.filter(article=story).count()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)

        outcomes = sorted(kind for kind, _ in results)
        assert outcomes == ["refused", "saved"], results
        [winner] = [value for kind, value in results if kind == "saved"]
        [refused_at] = [value for kind, value in results if kind == "refused"]
        stored = fresh(story)
        assert stored.headline == winner
        assert stored.version == version + 1 == refused_at
        assert ArticleRevision.objects.filter(article=story).count() == revisions + 1


@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_on_the_row_lock_is_refused_once_the_other_commits():
    """A read-then-write check would let the second save through: it read
    version 1 before the first committed. The UPDATE waits for the row and
    then sees version 2."""
    _postgresql_only()
    story = make_draft(headline="Start")
    results = []
    hold = {"saved": threading.Event(), "release": threading.Event()}
    first = threading.Thread(
        target=_save_in_thread, args=(story.pk, "First", 1, results, None, hold)
    )
    first.start()
    assert hold["saved"].wait(30), results
    second = threading.Thread(
        target=_save_in_thread, args=(story.pk, "Second", 1, results)
    )
    second.start()
    with connection.cursor() as cursor:
        for _attempt in range(600):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.05)
        else:
            hold["release"].set()
            pytest.fail("the second save never waited for the row lock")
    hold["release"].set()
    first.join(60)
    second.join(60)

    assert results == [("saved", "First"), ("refused", 2)]
    assert fresh(story).headline == "First"
    assert fresh(story).version == 2


# One contender: Django set up on its own connection, the story loaded at a
# version (as a form opened then), "ready", then the save at the start line.
CONTENDER = """
import os, sys, time
import django
django.setup()
from articles import services
from articles.models import Article
story = Article.objects.get(pk=int(sys.argv[1]))
story.headline = sys.argv[2]
go = sys.argv[3]
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
try:
    services.save_story(story, expected_version=story.version)
except services.StoryChanged as error:
    print("refused", error.version, flush=True)
else:
    print("saved", story.version, flush=True)
"""


def _stored_after(story, tmp_path):
    """(headline, version, revisions) as the contenders left them."""
    if connection.vendor == "sqlite":
        db = sqlite3.connect(tmp_path / "race.sqlite3")
        headline, version = db.execute(
            "SELECT headline, version FROM articles_article WHERE id = ?", [story.pk]
        ).fetchone()
        [count] = db.execute(
            "SELECT count(*) FROM articles_articlerevision WHERE article_id = ?",
            [story.pk],
        ).fetchone()
        db.close()
        return headline, version, count
    stored = fresh(story)
    return stored.headline, stored.version, stored.revisions.count()


@pytest.mark.django_db(transaction=True)
def test_processes_saving_from_the_same_version_have_exactly_one_winner(tmp_path):
    """Runs on both databases: separate processes, as gunicorn workers are."""
    story = make_draft(headline="Start")
    headlines = [f"Contender {n}" for n in range(4)]
    results = [
        out.split()
        for out in racing.race(
            CONTENDER,
            [[str(story.pk), headline] for headline in headlines],
            racing.database_for_processes(tmp_path),
            tmp_path,
        )
    ]

    assert sorted(kind for kind, _version in results) == ["refused"] * 3 + ["saved"]
    assert {version for _kind, version in results} == {"2"}
    winner = headlines[[kind for kind, _ in results].index("saved")]
    assert _stored_after(story, tmp_path) == (winner, 2, 1)
