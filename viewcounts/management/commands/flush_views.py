import redis
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from viewcounts import counter, rules


class Command(BaseCommand):
    help = (
        "Move buffered story views from Redis into the database, each exactly "
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
        except (redis.RedisError, DatabaseError) as exc:
            raise CommandError(f"Flush failed, nothing lost: {exc}") from exc
        if not report.buffered:
            self.stdout.write(
                "No Redis buffer configured (VIEWCOUNTS_REDIS_URL): views are written "
                "straight to the database."
            )
        elif report.busy:
            self.stdout.write("Another flush is running; nothing to do.")
        elif dry_run:
            self.stdout.write(
                f"Would write {report.pending} views "
                f"({len(report.applied)} leftover batches to apply, "
                f"{len(report.already_applied)} already applied)."
            )
        else:
            self.stdout.write(
                f"Wrote {report.views} views in {len(report.applied)} batches; "
                f"{len(report.already_applied)} batches were already applied."
            )
        if pruned:
            self.stdout.write(f"Pruned {pruned} expired dedup marks.")
