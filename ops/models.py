from django.db import models


class PeriodicRun(models.Model):
    """A periodic job's state (``ops.periodic``): when it last started and
    finished, how that went, and who runs it now. The one lock that keeps
    ``manage.py run_periodic`` single-run across machines: a conditional
    UPDATE of this row (``claim()``), with a lease that lapses if the holder
    dies."""

    name = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    locked_by = models.CharField(max_length=64, blank=True)
    succeeded = models.BooleanField(null=True)
    last_result = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
