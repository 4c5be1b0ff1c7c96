from django.core.management.base import BaseCommand

from articles import staging


class Command(BaseCommand):
    help = (
        "Publish the scheduled pending changes whose time has come (embargoed "
        "updates). Safe to run every minute from cron on several machines at "
        "once: each set of changes is published exactly once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many are due; publish nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            count = staging.due_count()
            self.stdout.write(f"{count} scheduled update(s) due; nothing published.")
            return
        count = staging.publish_due()
        self.stdout.write(f"{count} scheduled update(s) published.")
