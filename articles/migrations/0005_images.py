import importlib

import django.db.models.deletion
from django.db import migrations, models

import articles.images
import articles.models

search_migration = importlib.import_module("articles.migrations.0003_search")


def restore_sqlite_search_triggers(apps, schema_editor):
    """SQLite rebuilds articles_article for the changes above, dropping the
    full-text triggers of 0003_search with the old table: create them again."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in search_migration.SQLITE_BACKWARD[:3]:
        schema_editor.execute(statement)
    for statement in search_migration.SQLITE_FORWARD[2:]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0004_workflow"),
    ]

    operations = [
        # Reversed last: restores the triggers when this migration is unapplied.
        migrations.RunPython(
            migrations.RunPython.noop, restore_sqlite_search_triggers
        ),
        migrations.AddField(
            model_name="article",
            name="lead_image_height",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="lead_image_width",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="article",
            name="lead_image",
            field=articles.images.CleanImageField(
                blank=True,
                height_field="lead_image_height",
                help_text="JPEG, PNG, WebP or GIF (first frame), at most 20 MB. "
                "It is re-encoded: location and camera data are removed.",
                upload_to=articles.models.upload_path,
                width_field="lead_image_width",
            ),
        ),
        migrations.AlterField(
            model_name="author",
            name="photo",
            field=articles.images.CleanImageField(
                blank=True, upload_to=articles.models.upload_path
            ),
        ),
        migrations.CreateModel(
            name="ArticleRedirect",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("old_path", models.CharField(max_length=400, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="old_addresses",
                        to="articles.article",
                    ),
                ),
            ],
        ),
        migrations.RunPython(
            restore_sqlite_search_triggers, migrations.RunPython.noop
        ),
    ]
