"""Run the periodic jobs that are due, each once, for cron or a systemd timer
(``docs/deploy.md``): every minute, on any number of machines at once."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ops import periodic
from ops.models import PeriodicRun

EVERY = {
    datetime.timedelta(0): "each call",
    periodic.HOUR: "hourly",
    periodic.DAY: "daily",
}


class Command(BaseCommand):
    help = (
        "Run every due periodic job once (view-count flush, purges, scheduled "
        "changes, pruning). Safe on several machines at once: each job runs "
        "on one. Exits non-zero if a job failed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--list", action="store_true", help="List the jobs and their last run."
        )
        parser.add_argument(
            "--job",
            action="append",
            dest="selected",
            metavar="NAME",
            help="Run only this job (may be repeated).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run the chosen jobs even if not due (never one running elsewhere).",
        )

    def handle(self, *args, list=False, selected=None, force=False, **options):
        known = {job.name for job in periodic.jobs()}
        unknown = sorted(set(selected or ()) - known)
        if unknown:
            raise CommandError(
                f"Unknown job {', '.join(unknown)}; see run_periodic --list."
            )
        if list:
            self._list()
            return
        failed = []
        for outcome in periodic.run_due(selected, force=force):
            name = outcome.job.name
            if not outcome.ran:
                self.stdout.write(f"{name}: skipped ({outcome.result})")
            elif outcome.succeeded:
                self.stdout.write(f"{name}: {outcome.result} ({outcome.seconds:.2f} s)")
            else:
                failed.append(name)
                self.stderr.write(f"{name}: FAILED: {outcome.result}")
        if failed:
            raise CommandError(f"Failed: {', '.join(failed)}.")

    def _list(self):
        runs = {run.name: run for run in PeriodicRun.objects.all()}
        now = timezone.now()
        for job in periodic.jobs():
            run = runs.get(job.name)
            every = EVERY.get(job.every, f"every {job.every}")
            due = periodic.next_due(job, run)
            when = (
                "due now" if due is None or due <= now else f"next {due:%Y-%m-%d %H:%M}"
            )
            last = "never run"
            if run and run.started_at:
                if run.locked_until and run.locked_until >= now:
                    state = "running"
                else:
                    state = "ok" if run.succeeded else "FAILED"
                last = (
                    f"last {run.started_at:%Y-%m-%d %H:%M} {state}: {run.last_result}"
                )
            self.stdout.write(f"{job.name} ({every}; {when}) {job.help}. {last}")
