"""Who covers live: editors start, end and delete; reporters post.

Editors add, change and delete coverage and updates. Reporters read the
coverage and post and edit updates on the stories they are on (the
object-level rule is ``live.permissions``); deleting an update is the
editors'. Added to ``articles.roles`` with ``extend_role()`` in
``LiveConfig.ready()``; the groups are reset after every migrate.
"""

from django.apps import apps as global_apps

from articles import roles as story_roles

EDITOR_PERMISSIONS = tuple(
    ("live", f"{action}_{model}")
    for model in ("livecoverage", "liveupdate")
    for action in ("add", "change", "delete", "view")
)
REPORTER_PERMISSIONS = (
    ("live", "view_livecoverage"),
    ("live", "view_liveupdate"),
    ("live", "add_liveupdate"),
    ("live", "change_liveupdate"),
)


def extend_roles() -> None:
    story_roles.extend_role(story_roles.EDITOR_GROUP, EDITOR_PERMISSIONS)
    story_roles.extend_role(story_roles.REPORTER_GROUP, REPORTER_PERMISSIONS)


def ensure_roles_after_migrate(sender, using="default", apps=global_apps, **kwargs):
    """The groups were reset before these permissions existed on a fresh
    database (articles migrates first): now they do."""
    try:
        apps.get_model("live", "LiveUpdate")
    except LookupError:  # migrating backwards past the first migration
        return
    story_roles.ensure_roles_after_migrate(sender, using=using, apps=apps)
