import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_story_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("data", models.JSONField()),
                ("base", models.JSONField(help_text="The live story the changes were made on.")),
                ("base_version", models.PositiveIntegerField(blank=True, null=True)),
                ("state", models.CharField(choices=[("draft", "Changes pending"), ("review", "Pending review"), ("scheduled", "Update scheduled")], default="draft", max_length=10)),
                ("publish_at", models.DateTimeField(blank=True, null=True, verbose_name="publish the changes at")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("article", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="pending_change", to="articles.article")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("updated_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "pending changes",
                "verbose_name_plural": "pending changes",
                "indexes": [models.Index(fields=["state", "publish_at"], name="pending_state_due_idx")],
                "constraints": [models.CheckConstraint(condition=models.Q(models.Q(("state", "scheduled"), _negated=True), ("publish_at__isnull", False), _connector="OR"), name="pending_scheduled_has_time")],
            },
        ),
    ]
