"""Editors compose and send newsletters, and answer readers' data requests
(export, erasure). Added to ``articles.roles`` in ``ready()``."""

from django.apps import apps as global_apps

from articles import roles as story_roles

EDITOR_PERMISSIONS = (
    ("newsletters", "view_issue"),
    ("newsletters", "add_issue"),
    ("newsletters", "change_issue"),
    ("newsletters", "send_issue"),
    ("newsletters", "view_subscriber"),
    ("newsletters", "delete_subscriber"),
)


def extend_roles() -> None:
    story_roles.extend_role(story_roles.EDITOR_GROUP, EDITOR_PERMISSIONS)


def ensure_roles_after_migrate(sender, using="default", apps=global_apps, **kwargs):
    """The groups were reset before these permissions existed on a fresh
    database: now they do."""
    try:
        apps.get_model("newsletters", "Issue")
    except LookupError:
        return
    story_roles.ensure_roles_after_migrate(sender, using=using, apps=apps)
