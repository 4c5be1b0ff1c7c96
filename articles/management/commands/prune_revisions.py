from django.core.management.base import BaseCommand, CommandError

from articles import revisions


class Command(BaseCommand):
    help = (
        "Delete all but the newest ARTICLE_REVISIONS_KEEP (default 50) revisions "
        "of every story. Safe to run any number of times."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="Revisions to keep per story (default: ARTICLE_REVISIONS_KEEP).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be deleted; delete nothing.",
        )

    def handle(self, *args, keep, dry_run, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be at least 1.")
        count = revisions.prune(keep=keep, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {count} old revision{'s' if count != 1 else ''}.")
