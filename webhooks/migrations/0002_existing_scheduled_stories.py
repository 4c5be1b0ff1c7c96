"""Stories already waiting for their time when webhooks arrive: recorded, so
their going live is announced like any other (webhooks.signal_handlers)."""

from django.db import migrations
from django.utils import timezone


def record_scheduled(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ScheduledStory = apps.get_model("webhooks", "ScheduledStory")
    waiting = Article.objects.filter(
        status="published", published_at__gt=timezone.now()
    ).values_list("pk", "published_at")
    ScheduledStory.objects.bulk_create(
        [ScheduledStory(story_id=pk, due_at=when) for pk, when in waiting],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_initial")]

    operations = [migrations.RunPython(record_scheduled, migrations.RunPython.noop)]
