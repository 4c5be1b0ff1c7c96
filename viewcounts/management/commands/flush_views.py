from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from viewcounts import counter, rules


class Command(BaseCommand):
    help = (
        "Add buffered story views to the daily rows and totals, each exactly "
        "once. Safe to run twice at once or again after a crash."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be written; change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            report = counter.flush_views(dry_run=dry_run)
            pruned = 0 if dry_run else rules.prune_recent_views()
        except DatabaseError as exc:
            raise CommandError(f"Flush failed, nothing lost: {exc}") from exc
        if dry_run:
            self.stdout.write(
                f"Would write {report.pending} views "
                f"({len(report.applied)} leftover Redis batches to apply, "
                f"{len(report.already_applied)} already applied)."
            )
        else:
            self.stdout.write(
                f"Wrote {report.views} views; {len(report.applied)} leftover Redis "
                f"batches applied, {len(report.already_applied)} already applied."
            )
        if report.busy:
            self.stdout.write("Another flush is draining the Redis leftovers.")
        if report.redis_error:
            # Not a failure: views are buffered in the database; only what an
            # earlier release left in Redis waits for Redis to come back.
            self.stderr.write(
                "Could not check Redis for views left by an earlier release "
                f"(nothing lost, they wait): {report.redis_error}"
            )
        if pruned:
            self.stdout.write(f"Pruned {pruned} expired dedup marks.")
