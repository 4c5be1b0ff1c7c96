from datetime import timedelta

from django.utils import timezone

from live import services
from live.models import LiveCoverage, LiveUpdate


def make_coverage(story, **overrides):
    fields = {
        "story": story,
        "started_at": timezone.now() - timedelta(hours=1),
        "summary": "Rolling coverage of the harbour closure.",
    }
    fields.update(overrides)
    return LiveCoverage.objects.create(**fields)


def make_update(coverage, text="Crews reached the breakwater at noon.", **overrides):
    fields = {
        "coverage": coverage,
        "text": text,
        "published_at": timezone.now() - timedelta(seconds=30),
    }
    fields.update(overrides)
    by = fields.pop("by", None)
    return services.save_update(LiveUpdate(**fields), by=by)
