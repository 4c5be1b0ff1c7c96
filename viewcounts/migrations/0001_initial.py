"""The view-count models move here from ``articles`` without touching the tables.

``articles/migrations/0002_article_views.py`` still creates the tables, on a
new database as on an old one; this migration and ``articles`` 0008 only move
the models in Django's state (``SeparateDatabaseAndState``), so every count an
existing database holds stays where it is. The content types follow (same
rows, new label), so the permissions granted on these models keep their
holders and the admin's history its links.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("articledailyviews", "articleviewtotal", "flushbatch", "recentview")


def move_content_types(apps, schema_editor, old="articles", new="viewcounts"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        moving = (
            ContentType.objects.using(db).filter(app_label=old, model=model).first()
        )
        if moving is None:
            continue
        # The new label's may exist already: today's code can make it while
        # the database stands before this migration (a flush's post_migrate,
        # the admin's history). Fold it into the one that moves, which the
        # grants made before the upgrade point at, rather than strand them.
        for extra in ContentType.objects.using(db).filter(app_label=new, model=model):
            fold_content_type(apps, db, extra, into=moving)
        moving.app_label = new
        moving.save(using=db, update_fields=["app_label"])


def fold_content_type(apps, db, extra, into):
    """Point what refers to ``extra`` at ``into``, then delete ``extra``."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for permission in Permission.objects.using(db).filter(content_type=extra):
        twin = (
            Permission.objects.using(db)
            .filter(content_type=into, codename=permission.codename)
            .first()
        )
        if twin is None:
            permission.content_type = into
            permission.save(using=db, update_fields=["content_type"])
            continue
        for group in Group.objects.using(db).filter(permissions=permission):
            group.permissions.add(twin)
        for user in User.objects.using(db).filter(user_permissions=permission):
            user.user_permissions.add(twin)
        permission.delete()
    # Whatever else names a content type (the admin's history, generic tags).
    for model in apps.get_models():
        if model is Permission:
            continue
        for field in model._meta.concrete_fields:
            if field.many_to_one and field.related_model is ContentType:
                rows = model._base_manager.using(db).filter(**{field.name: extra})
                rows.update(**{field.name: into})
    extra.delete()


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="viewcounts", new="articles")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0008_move_view_counts_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ArticleViewTotal",
                    fields=[
                        (
                            "article",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="view_total",
                                serialize=False,
                                to="articles.article",
                            ),
                        ),
                        ("views", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={"db_table": "articles_articleviewtotal"},
                ),
                migrations.CreateModel(
                    name="FlushBatch",
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
                        ("batch_id", models.CharField(max_length=64, unique=True)),
                        ("flushed_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={"db_table": "articles_flushbatch"},
                ),
                migrations.CreateModel(
                    name="RecentView",
                    fields=[
                        (
                            "key",
                            models.CharField(
                                max_length=80, primary_key=True, serialize=False
                            ),
                        ),
                        ("expires_at", models.DateTimeField(db_index=True)),
                    ],
                    options={"db_table": "articles_recentview"},
                ),
                migrations.CreateModel(
                    name="ArticleDailyViews",
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
                        ("day", models.DateField()),
                        ("views", models.PositiveBigIntegerField(default=0)),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="daily_views",
                                to="articles.article",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "articles_articledailyviews",
                        "verbose_name_plural": "article daily views",
                        "indexes": [
                            models.Index(
                                fields=["day", "-views"],
                                name="article_daily_views_day_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("article", "day"),
                                name="article_daily_views_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
