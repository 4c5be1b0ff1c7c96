"""The periodic jobs, and the lock that runs each once however many machines
call ``manage.py run_periodic`` (cron or a systemd timer, every minute:
``docs/deploy.md``).

A job is due when it has never run, its last start is ``every`` ago (zero:
each call), or it failed last time. ``claim()`` takes it with one conditional
UPDATE of its ``PeriodicRun`` row, so of two machines calling at once exactly
one runs it, and the other reports it as taken; the lease lets another
machine take it again if the holder died mid-run. Every job is idempotent:
run twice, the end state is the same.
"""

import datetime
import io
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import staging
from articles import tasks as article_tasks
from newsletters import tasks as newsletter_tasks
from ops.models import PeriodicRun
from pagecache import tasks as pagecache_tasks
from pagecache.models import PurgeRequest
from viewcounts import counter
from viewcounts import tasks as viewcount_tasks
from webhooks import tasks as webhook_tasks

MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# Finished purge requests and task results are kept this long (for the
# admin), then pruned.
PURGES_KEPT = datetime.timedelta(days=7)
TASK_RESULTS_KEPT = datetime.timedelta(days=14)
# django-axes' login records (AccessLog, AccessFailureLog) are kept this long.
AXES_LOGS_KEPT_DAYS = 30


@dataclass(frozen=True)
class Job:
    name: str
    every: datetime.timedelta
    run: Callable[[], str]  # does the work; says what it did, in a few words
    help: str
    # How long a run may hold the job before another machine may take it.
    lease: datetime.timedelta = datetime.timedelta(minutes=15)


def _flush_view_counts() -> str:
    return f"{counter.flush_view_counts.call()} views written"


def _send_purges() -> str:
    counts = pagecache_tasks.send_purges.call()
    return (
        f"{counts['sent']} sent, {counts['failed']} to retry, "
        f"{counts['gave_up']} given up"
    )


def _publish_due_changes() -> str:
    return f"{staging.publish_due()} scheduled changes published"


def _send_newsletters() -> str:
    return newsletter_tasks.send_daily()


def _send_webhooks() -> str:
    counts = webhook_tasks.sweep.call()
    return (
        f"{counts['stories']} scheduled stories announced, "
        f"{counts['deliveries']} deliveries sent"
    )


def _prune_view_marks() -> str:
    return f"{viewcount_tasks.prune_recent_views.call()} expired marks deleted"


def _prune_kept_uploads() -> str:
    return f"{article_tasks.prune_kept_uploads.call()} stale uploads deleted"


def _prune_preview_links() -> str:
    return f"{article_tasks.prune_preview_links.call()} old share links deleted"


def _prune_purge_requests() -> str:
    cutoff = timezone.now() - PURGES_KEPT
    deleted, _ = PurgeRequest.objects.finished_before(cutoff).delete()
    return f"{deleted} finished purge requests deleted"


def _prune_task_results() -> str:
    cutoff = timezone.now() - TASK_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return f"{deleted} finished task results deleted"


def _command(name: str, *args, **options) -> str:
    """Another app's command (audit and the contrib apps are not imported
    here): its last line of output."""
    out = io.StringIO()
    call_command(name, *args, stdout=out, **options)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else "done"


def _prune_audit() -> str:
    return _command("prune_audit")


def _clear_sessions() -> str:
    call_command("clearsessions")
    return "expired sessions deleted"


def _prune_axes_logs() -> str:
    if not apps.is_installed("axes"):
        return "django-axes not installed"
    logs = _command("axes_reset_logs", age=AXES_LOGS_KEPT_DAYS)
    failures = _command("axes_reset_failure_logs", age=AXES_LOGS_KEPT_DAYS)
    return f"access logs: {logs} failure logs: {failures}"


JOBS = [
    Job(
        "flush_view_counts",
        datetime.timedelta(0),
        _flush_view_counts,
        "buffered views into the daily rows and totals (viewcounts)",
    ),
    Job(
        "send_purges",
        datetime.timedelta(0),
        _send_purges,
        "the purge outbox to the CDN or proxy, retries included (pagecache)",
    ),
    Job(
        "publish_due_changes",
        datetime.timedelta(0),
        _publish_due_changes,
        "scheduled pending changes whose time has come (articles.staging)",
    ),
    Job(
        "send_newsletters",
        datetime.timedelta(0),
        _send_newsletters,
        "the daily digest and topic round-up at NEWSLETTER_DAILY_DIGEST_AT, "
        "and what a stalled send left (newsletters)",
    ),
    Job(
        "send_webhooks",
        datetime.timedelta(0),
        _send_webhooks,
        "scheduled stories that went live, and due webhook retries (webhooks)",
    ),
    Job(
        "prune_view_marks",
        HOUR,
        _prune_view_marks,
        "expired reader marks and per-network tallies (viewcounts)",
    ),
    Job(
        "prune_kept_uploads",
        HOUR,
        _prune_kept_uploads,
        "uploads kept across a failed validation, once stale (articles)",
    ),
    Job(
        "prune_preview_links",
        DAY,
        _prune_preview_links,
        "share links expired or revoked 30 days ago (articles)",
    ),
    Job(
        "prune_purge_requests",
        DAY,
        _prune_purge_requests,
        "purge requests finished 7 days ago (pagecache)",
    ),
    Job(
        "prune_task_results",
        DAY,
        _prune_task_results,
        "background task results finished 14 days ago (django-tasks-db)",
    ),
    Job(
        "prune_audit",
        DAY,
        _prune_audit,
        "audit entries older than AUDIT_RETENTION_DAYS (audit)",
    ),
    Job(
        "clear_sessions",
        DAY,
        _clear_sessions,
        "expired sessions (clearsessions)",
    ),
    Job(
        "prune_axes_logs",
        DAY,
        _prune_axes_logs,
        f"django-axes' login logs older than {AXES_LOGS_KEPT_DAYS} days",
    ),
]


def jobs() -> list[Job]:
    return list(JOBS)


def _slack(job: Job) -> datetime.timedelta:
    """A timer that fires a little early still finds the job due."""
    return min(MINUTE, job.every / 10)


def ensure_rows(names) -> None:
    PeriodicRun.objects.bulk_create(
        [PeriodicRun(name=name) for name in names], ignore_conflicts=True
    )


def claim(job: Job, *, now=None, force: bool = False) -> str:
    """Take ``job`` if it is due and nobody holds it: a token to ``finish()``
    with, or "" (not due, or taken). One UPDATE: two callers at once cannot
    both match."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    # Due: never run, last started ``every`` ago, or failed last time.
    due = (
        Q(started_at__isnull=True)
        | Q(started_at__lte=now - job.every + _slack(job))
        | Q(succeeded=False)
    )
    runs = PeriodicRun.objects.filter(free, name=job.name)
    if not force:
        runs = runs.filter(due)
    taken = runs.update(started_at=now, locked_until=now + job.lease, locked_by=token)
    return token if taken else ""


def finish(job: Job, token: str, *, succeeded: bool, result: str) -> None:
    PeriodicRun.objects.filter(name=job.name, locked_by=token).update(
        finished_at=timezone.now(),
        locked_until=None,
        locked_by="",
        succeeded=succeeded,
        last_result=result[:500],
    )


@dataclass
class Outcome:
    job: Job
    ran: bool
    succeeded: bool = True
    result: str = ""
    seconds: float = 0.0


def run_due(selected=None, *, force: bool = False) -> list[Outcome]:
    """Run every due job once (``selected``: those names only), in order; a
    failing job is recorded and the others still run."""
    chosen = [job for job in jobs() if selected is None or job.name in selected]
    ensure_rows(job.name for job in chosen)
    outcomes = []
    for job in chosen:
        token = claim(job, force=force)
        if not token:
            outcomes.append(Outcome(job, ran=False, result=_why_not(job)))
            continue
        start = time.monotonic()
        try:
            result = job.run()
        except Exception as error:  # noqa: BLE001 - recorded, then the next job
            outcome = Outcome(job, ran=True, succeeded=False, result=repr(error))
        else:
            outcome = Outcome(job, ran=True, result=result)
        outcome.seconds = time.monotonic() - start
        finish(job, token, succeeded=outcome.succeeded, result=outcome.result)
        outcomes.append(outcome)
    return outcomes


def _why_not(job: Job) -> str:
    run = PeriodicRun.objects.filter(name=job.name).first()
    if run and run.locked_until and run.locked_until >= timezone.now():
        return "running elsewhere"
    return "not due"


def next_due(job: Job, run: PeriodicRun | None):
    """When ``job`` is next due (None: now)."""
    if run is None or run.started_at is None or not job.every:
        return None
    return run.started_at + job.every
