"""Who moderates comments: the Moderator group, and editors.

Moderating is the ``comments.moderate_comment`` permission, not membership of
a group: the Moderator group holds exactly the permissions needed for the
queue, and the Editor group (``articles.roles``) gets the same set through
``extend_role()`` (``CommentsConfig.ready()``). Used by the data migration
(with historical models) and after every migrate or flush, so both groups
always hold this exact set and nothing more.
"""

from django.apps import apps as global_apps

from articles import roles as story_roles

MODERATE_PERMISSION = "comments.moderate_comment"

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
# The desk's editors run the queue too.
EDITOR_PERMISSIONS = tuple(("comments", codename) for codename in MODERATOR_PERMISSIONS)


def extend_editor_role() -> None:
    story_roles.extend_role(story_roles.EDITOR_GROUP, EDITOR_PERMISSIONS)


def can_moderate(user) -> bool:
    return user.is_active and user.has_perm(MODERATE_PERMISSION)


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
    # The Editor group was reset before the comment permissions existed on a
    # fresh database (articles migrates first): now they do.
    story_roles.ensure_roles_after_migrate(sender, using=using, apps=apps)
