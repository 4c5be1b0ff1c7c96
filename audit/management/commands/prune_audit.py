"""Delete audit entries older than ``AUDIT_RETENTION_DAYS``: the only way
entries leave the log, and itself recorded."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from audit import log
from audit.conf import settings
from audit.models import AuditEntry


class Command(BaseCommand):
    help = "Delete audit entries older than AUDIT_RETENTION_DAYS (0: keep all)."

    def handle(self, *args, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if days <= 0:
            self.stdout.write("AUDIT_RETENTION_DAYS is 0: every entry is kept.")
            return
        before = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            deleted = AuditEntry.objects.prune(before)
            noun = "entry" if deleted == 1 else "entries"
            log.record(
                AuditEntry.Action.PRUNED,
                object_repr=f"pruned {deleted} {noun}",
                details={
                    "deleted": deleted,
                    "before": before.isoformat(),
                    "retention_days": days,
                },
            )
        self.stdout.write(f"Pruned {deleted} audit entries older than {days} days.")
