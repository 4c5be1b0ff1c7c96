import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from pagecache import purgers
from pagecache.models import PurgeRequest


class Command(BaseCommand):
    help = (
        "Send the purges waiting in the outbox to the CDN or proxy (each once; "
        "safe beside the background drainers), and forget old finished ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-days",
            type=int,
            default=7,
            help="Days finished purge requests are kept (default 7).",
        )

    def handle(self, *args, keep_days=7, **options):
        totals = {"sent": 0, "failed": 0, "gave_up": 0}
        while True:
            counts = purgers.drain()
            for name, count in counts.items():
                totals[name] += count
            # A full batch may mean more is due; failures wait for their turn.
            if counts["sent"] + counts["gave_up"] == 0:
                break
        cutoff = timezone.now() - datetime.timedelta(days=keep_days)
        pruned, _ = PurgeRequest.objects.finished_before(cutoff).delete()
        self.stdout.write(
            f"Sent {totals['sent']}, to retry {totals['failed']}, "
            f"gave up {totals['gave_up']}; removed {pruned} old requests."
        )
