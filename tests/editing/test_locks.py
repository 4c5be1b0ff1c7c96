"""Edit locks: take, keep, go stale, release, take over (editing.locks)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from editing import locks
from editing.models import EditLock
from tests.editing.conftest import make_colleague
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_opening_a_free_story_takes_its_lock(story, reporter):
    state = locks.take(story, reporter)

    assert state.state == locks.HELD
    lock = EditLock.objects.get(story=story)
    assert lock.holder == reporter
    assert lock.heartbeat_at == lock.since


def test_a_colleague_opening_a_held_story_is_told_who_and_since_when(
    story, reporter, editor, settings
):
    settings.TIME_ZONE = "Asia/Seoul"
    opened = timezone.now()
    locks.take(story, reporter, now=opened)

    state = locks.take(story, editor, now=opened + timedelta(seconds=30))

    assert state.state == locks.LOCKED
    assert state.holder_name == "Ria Cho"
    local = timezone.localtime(opened)
    assert state.message() == f"Ria Cho has been editing since {local:%H:%M}."
    assert EditLock.objects.get(story=story).holder == reporter


def test_the_name_falls_back_to_the_username(story, editor):
    nameless = make_colleague("Editor", username="jkim")
    locks.take(story, nameless)

    assert locks.take(story, editor).holder_name == "jkim"


def test_a_time_on_another_day_carries_the_date(story, reporter, editor):
    yesterday = timezone.now() - timedelta(days=1)
    locks.take(story, reporter, now=yesterday)

    state = locks.take(story, editor, now=yesterday + timedelta(seconds=10))

    assert str(timezone.localtime(yesterday).year) in locks.when(yesterday)
    assert locks.when(yesterday) in state.message()


def test_a_heartbeat_keeps_the_lock_and_its_since(story, reporter, editor):
    start = timezone.now()
    locks.take(story, reporter, now=start)
    for minute in range(1, 6):
        state = locks.heartbeat(story, reporter, now=start + timedelta(minutes=minute))
        assert state.state == locks.HELD

    lock = EditLock.objects.get(story=story)
    assert lock.since == start
    assert lock.heartbeat_at == start + timedelta(minutes=5)
    assert locks.take(story, editor, now=start + timedelta(minutes=6)).state == (
        locks.LOCKED
    )


def test_a_lock_without_a_heartbeat_for_two_minutes_is_stale_and_free(
    story, reporter, editor, settings
):
    settings.EDITING_LOCK_STALE_SECONDS = 120
    start = timezone.now()
    locks.take(story, reporter, now=start)

    assert locks.take(story, editor, now=start + timedelta(seconds=119)).state == (
        locks.LOCKED
    )
    state = locks.take(story, editor, now=start + timedelta(seconds=121))

    assert state.state == locks.HELD
    lock = EditLock.objects.get(story=story)
    assert (lock.holder, lock.since) == (editor, start + timedelta(seconds=121))
    assert EditLock.objects.count() == 1
    # The first holder's late heartbeat learns a colleague has it now.
    late = locks.heartbeat(story, reporter, now=start + timedelta(seconds=130))
    assert late.state == locks.LOCKED
    assert late.holder_name == "Jane Kim"


def test_the_holders_own_stale_lock_is_taken_back_by_its_heartbeat(story, reporter):
    start = timezone.now()
    locks.take(story, reporter, now=start)

    state = locks.heartbeat(story, reporter, now=start + timedelta(minutes=10))

    assert state.state == locks.HELD


def test_leaving_the_form_releases_the_lock_at_once(story, reporter, editor):
    locks.take(story, reporter)

    assert locks.release(story, reporter) is True
    assert locks.current(story) is None
    assert locks.take(story, editor).state == locks.HELD


def test_a_colleague_cannot_release_someone_elses_lock(story, reporter, editor):
    locks.take(story, reporter)

    assert locks.release(story, editor) is False
    assert locks.current(story).holder == reporter


def test_an_editor_takes_over_and_the_holder_is_told_at_the_next_heartbeat(
    story, other_editor, editor
):
    start = timezone.now()
    locks.take(story, other_editor, now=start)
    taken_at = start + timedelta(seconds=60)

    mine = locks.take_over(story, editor, now=taken_at)

    assert mine.state == locks.HELD
    assert mine.message().startswith("You took over editing from Eugene Park at ")
    told = locks.heartbeat(story, other_editor, now=taken_at + timedelta(seconds=20))
    assert told.state == locks.TAKEN
    assert told.message().startswith(
        f"Jane Kim took over editing at {locks.when(taken_at)}."
    )
    assert told.as_json(other_editor)["state"] == "taken"
    lock = EditLock.objects.get(story=story)
    assert (lock.holder, lock.taken_from, lock.since) == (
        editor,
        other_editor,
        taken_at,
    )


def test_the_previous_holder_is_not_given_the_lock_back_by_a_heartbeat(
    story, other_editor, editor
):
    locks.take(story, other_editor)
    locks.take_over(story, editor)
    locks.release(story, editor)

    told = locks.heartbeat(story, other_editor)

    assert told.state == locks.TAKEN
    assert locks.current(story) is None
    # Opening the form again is a fresh start: the lock is theirs again.
    assert locks.take(story, other_editor).state == locks.HELD
    assert EditLock.objects.get(story=story).taken_from is None


def test_taking_over_a_free_or_own_lock_just_takes_it(story, editor):
    assert locks.take_over(story, editor).state == locks.HELD
    assert locks.take_over(story, editor).state == locks.HELD
    assert EditLock.objects.get(story=story).taken_from is None


def test_only_editors_who_may_edit_the_story_may_take_over(story, reporter, editor):
    assert locks.can_take_over(editor, story)
    assert not locks.can_take_over(reporter, story)
    assert not locks.can_take_over(make_user(staff=True), story)


def test_the_lock_goes_with_its_story(story, reporter):
    locks.take(story, reporter)
    story.delete()

    assert EditLock.objects.count() == 0


def test_holders_names_the_live_locks_of_many_stories_in_one_query(
    story, reporter, editor, django_assert_num_queries
):
    from tests.factories import make_article

    others = [make_article() for _ in range(5)]
    locks.take(story, reporter)
    locks.take(others[0], editor)
    locks.take(others[1], editor, now=timezone.now() - timedelta(hours=1))

    with django_assert_num_queries(1):
        held = locks.holders([story.pk, *(o.pk for o in others)])
        names = {pk: locks.display_name(lock.holder) for pk, lock in held.items()}

    assert names == {story.pk: "Ria Cho", others[0].pk: "Jane Kim"}
