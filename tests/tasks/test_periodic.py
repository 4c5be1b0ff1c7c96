"""``manage.py run_periodic``: every due job once, whoever else calls it."""

import datetime
import io
import threading

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from ops import periodic
from ops.models import PeriodicRun
from tests.factories import make_article
from viewcounts import counter
from viewcounts.models import ArticleViewTotal

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("run_periodic", *args, stdout=out, stderr=out)
    return out.getvalue().splitlines()


def hold_the_beacons_flush():
    """This interval's flush was had: views wait in the buffer for the job."""
    cache.add("viewcounts:flush-due", 1, timeout=600)


def line_for(lines, name) -> str:
    [line] = [line for line in lines if line.startswith(f"{name}:")]
    return line


def test_list_names_every_job_and_its_last_run():
    lines = run("--list")
    assert [line.split(" ")[0] for line in lines] == [j.name for j in periodic.jobs()]
    assert all("never run" in line for line in lines)
    run("--job", "clear_sessions")
    [line] = [line for line in run("--list") if line.startswith("clear_sessions ")]
    assert "(daily; next " in line
    assert line.endswith("ok: expired sessions deleted")


def test_every_job_runs_and_says_what_it_did(settings):
    settings.VIEWCOUNTS_REDIS_URL = ""
    article = make_article()
    hold_the_beacons_flush()
    counter.increment(article.pk, n=4)
    lines = run()
    assert {line.split(":")[0] for line in lines} == {j.name for j in periodic.jobs()}
    assert line_for(lines, "flush_view_counts").startswith(
        "flush_view_counts: 4 views written"
    )
    assert ArticleViewTotal.objects.get(article=article).views == 4
    assert not any("FAILED" in line for line in lines)


def test_a_second_call_runs_only_what_is_due_again_and_changes_nothing(settings):
    settings.VIEWCOUNTS_REDIS_URL = ""
    article = make_article()
    hold_the_beacons_flush()
    counter.increment(article.pk, n=3)
    run()
    again = run()
    # Each call: the jobs of every call; the daily and hourly ones wait.
    for job in periodic.jobs():
        line = line_for(again, job.name)
        if job.every:
            assert line == f"{job.name}: skipped (not due)"
        else:
            assert "skipped" not in line
    assert ArticleViewTotal.objects.get(article=article).views == 3


def test_a_job_is_due_again_after_its_interval():
    run("--job", "prune_audit")
    assert run("--job", "prune_audit") == ["prune_audit: skipped (not due)"]
    PeriodicRun.objects.filter(name="prune_audit").update(
        started_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert "skipped" not in run("--job", "prune_audit")[0]


def test_two_calls_at_once_run_a_job_once(monkeypatch):
    """The second caller finds the job held by the first, mid-run."""
    started, release = threading.Event(), threading.Event()
    runs = []

    def slow():
        runs.append(threading.current_thread().name)
        started.set()
        assert release.wait(30)
        return "done"

    monkeypatch.setattr(
        periodic, "JOBS", [periodic.Job("slow", datetime.timedelta(0), slow, "test")]
    )
    first_lines = []

    def first():
        try:
            first_lines.extend(run())
        finally:
            connection.close()

    thread = threading.Thread(target=first, name="first")
    thread.start()
    assert started.wait(30)
    try:
        second = run()
    finally:
        release.set()
        thread.join(30)
    assert second == ["slow: skipped (running elsewhere)"]
    assert runs == ["first"]
    assert first_lines[0].startswith("slow: done")
    # Finished: the next call (an every-call job) runs it again.
    assert run()[0].startswith("slow: done")


def test_a_failing_job_is_recorded_the_others_run_and_it_is_tried_again(monkeypatch):
    outcomes = iter([RuntimeError("storage unreachable"), "fine now"])

    def flaky():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(
        periodic,
        "JOBS",
        [
            periodic.Job("flaky", datetime.timedelta(days=1), flaky, "test"),
            periodic.Job("steady", datetime.timedelta(days=1), lambda: "ok", "test"),
        ],
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="Failed: flaky"):
        call_command("run_periodic", stdout=out, stderr=out)
    lines = out.getvalue().splitlines()
    assert "flaky: FAILED: RuntimeError('storage unreachable')" in lines
    assert line_for(lines, "steady").startswith("steady: ok")
    flaky_run = PeriodicRun.objects.get(name="flaky")
    assert flaky_run.succeeded is False and flaky_run.locked_until is None
    # A daily job that failed is due again at the next call; the other waits.
    lines = run()
    assert line_for(lines, "flaky").startswith("flaky: fine now")
    assert line_for(lines, "steady") == "steady: skipped (not due)"


def test_a_job_held_by_a_machine_that_died_is_taken_after_its_lease(monkeypatch):
    monkeypatch.setattr(
        periodic,
        "JOBS",
        [periodic.Job("job", datetime.timedelta(0), lambda: "ran", "test")],
    )
    now = timezone.now()
    PeriodicRun.objects.create(
        name="job", started_at=now, locked_until=now + datetime.timedelta(minutes=5)
    )
    assert run() == ["job: skipped (running elsewhere)"]
    PeriodicRun.objects.update(locked_until=now - datetime.timedelta(seconds=1))
    assert run()[0].startswith("job: ran")


def test_an_unknown_job_is_refused():
    with pytest.raises(CommandError, match="Unknown job nope"):
        call_command("run_periodic", "--job", "nope")
