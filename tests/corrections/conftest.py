from datetime import timedelta

from django.utils import timezone

from corrections.models import Correction


def make_correction(story, **overrides):
    fields = {
        "story": story,
        "kind": Correction.Kind.CORRECTION,
        "text": "An earlier version of this story gave the wrong date.",
        "published_at": timezone.now() - timedelta(seconds=30),
    }
    fields.update(overrides)
    return Correction.objects.create(**fields)
