"""The purge outbox: what the CDN or proxy still has to forget.

Written when pages are retired (``pagecache.signals.pages_retired``), drained
outside the request by ``pagecache.purgers`` (a background thread, or
``manage.py send_purges``). The pages themselves live in the cache, not here.
"""

from django.db import models
from django.utils import timezone


class PurgeRequestQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending, due, and not held by a drainer (or its hold has lapsed)."""
        now = now or timezone.now()
        return self.filter(status=PurgeRequest.Status.PENDING, due_at__lte=now).filter(
            models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        )

    def finished_before(self, moment):
        return self.exclude(status=PurgeRequest.Status.PENDING).filter(
            finished_at__lt=moment
        )


class PurgeRequest(models.Model):
    """Names to purge at one purger; retried with exponential backoff."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Gave up"

    purger = models.CharField(max_length=200)
    names = models.JSONField()
    status = models.CharField(max_length=7, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    # A drainer holds the request until then (a lease: a dead one lets go).
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = PurgeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return f"{self.purger}: {' '.join(self.names)[:80]}"
