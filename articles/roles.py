"""The newsroom's roles: Reporter and Editor groups with exact permission sets.

(The Moderator group belongs to ``comments.roles``.) Used by the data migration
with historical models, by ``manage.py setup_roles``, and after every migrate
or flush, so each group always exists with exactly this set and nothing more.
What a Reporter may do with one particular story is decided per object in
``articles.workflow``.

Feature apps add what a role may do with their models through ``extend_role()``
in ``AppConfig.ready()`` (comments: editors moderate), so the stories know no
feature app and the set stays exact: ``ensure_roles()`` sets both together.
"""

from django.apps import apps as global_apps

REPORTER_GROUP = "Reporter"
EDITOR_GROUP = "Editor"

REPORTER_PERMISSIONS = (
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    ("articles", "view_section"),
    ("articles", "view_author"),
    # Bylines are edited in the story form's inline, on the reporter's own drafts.
    ("articles", "add_byline"),
    ("articles", "change_byline"),
    ("articles", "delete_byline"),
    ("articles", "view_byline"),
    ("taggit", "view_tag"),
)

EDITOR_PERMISSIONS = (
    *(
        (app_label, f"{action}_{model}")
        for app_label, model in [
            ("articles", "article"),
            ("articles", "section"),
            ("articles", "author"),
            ("articles", "byline"),
            ("taggit", "tag"),
        ]
        for action in ("add", "change", "delete", "view")
    ),
    ("articles", "publish_article"),
)

ROLES = {REPORTER_GROUP: REPORTER_PERMISSIONS, EDITOR_GROUP: EDITOR_PERMISSIONS}

# (app label, codename) pairs feature apps grant a role: extend_role().
_extensions: dict[str, set[tuple[str, str]]] = {name: set() for name in ROLES}


def extend_role(name: str, permissions) -> None:
    """Give role ``name`` permissions on a feature app's models as well."""
    _extensions[name].update(permissions)


def role_permissions(name: str) -> set[tuple[str, str]]:
    """Everything role ``name`` holds: its own set and what features added."""
    return {*ROLES[name], *_extensions[name]}


def ensure_roles(apps=global_apps, using="default") -> dict[str, int]:
    """Create or reset the groups; returns how many permissions each got.

    A permission not created yet (its app migrates later) is left out; the
    feature app's own ``post_migrate`` handler calls this again.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {pair for name in ROLES for pair in role_permissions(name)}
    found = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.using(using)
        .filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        )
        .values_list("pk", "content_type__app_label", "codename")
    }
    counts = {}
    for name in ROLES:
        group, _ = Group.objects.using(using).get_or_create(name=name)
        ids = [found[pair] for pair in role_permissions(name) if pair in found]
        group.permissions.set(ids)
        counts[name] = len(ids)
    return counts


def ensure_roles_after_migrate(sender, using="default", apps=global_apps, **kwargs):
    try:
        apps.get_model("articles", "ArticleRevision")
    except LookupError:  # migrating backwards past the workflow migration
        return
    ensure_roles(apps, using)
