from django.contrib.auth.management import create_permissions
from django.db import migrations

from comments.roles import MODERATOR_GROUP, ensure_moderator_group


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure the
    # comment permissions exist now so the group gets them.
    app_config = apps.get_app_config("comments")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None
    ensure_moderator_group(apps, schema_editor.connection.alias)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=MODERATOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("comments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
