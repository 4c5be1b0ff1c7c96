"""The Moderator group: exactly the permissions needed to moderate comments.

Used by the data migration (with historical models) and after every migrate
or flush, so the group always exists with this exact set and nothing more.
"""

from django.apps import apps as global_apps

MODERATOR_GROUP = "Moderator"
MODERATOR_PERMISSIONS = (
    "view_comment",
    "change_comment",
    "delete_comment",
    "moderate_comment",
    "view_commentreport",
    "view_moderationword",
    "add_moderationword",
    "change_moderationword",
    "delete_moderationword",
    "view_storycommentsettings",
    "add_storycommentsettings",
    "change_storycommentsettings",
    "delete_storycommentsettings",
)


def ensure_moderator_group(apps=global_apps, using="default") -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="comments", codename__in=MODERATOR_PERMISSIONS
    )
    group, _ = Group.objects.using(using).get_or_create(name=MODERATOR_GROUP)
    group.permissions.set(permissions)


def ensure_moderator_group_after_migrate(
    sender, using="default", apps=global_apps, **kwargs
):
    try:
        apps.get_model("comments", "Comment")
    except LookupError:  # migrating backwards past comments' first migration
        return
    ensure_moderator_group(apps, using)
