"""Who writes notes: editors add, change and delete them; reporters read them.

Deleting a note is ``corrections.delete_correction``, held by the Editor group
(and superusers) only, so a note cannot quietly disappear. Added to the roles
of ``articles.roles`` with ``extend_role()`` in ``CorrectionsConfig.ready()``;
the groups are reset after every migrate.
"""

from django.apps import apps as global_apps

from articles import roles as story_roles

DELETE_PERMISSION = "corrections.delete_correction"

EDITOR_PERMISSIONS = (
    ("corrections", "view_correction"),
    ("corrections", "add_correction"),
    ("corrections", "change_correction"),
    ("corrections", "delete_correction"),
    ("corrections", "view_correctionrevision"),
)
REPORTER_PERMISSIONS = (
    ("corrections", "view_correction"),
    ("corrections", "view_correctionrevision"),
)


def extend_roles() -> None:
    story_roles.extend_role(story_roles.EDITOR_GROUP, EDITOR_PERMISSIONS)
    story_roles.extend_role(story_roles.REPORTER_GROUP, REPORTER_PERMISSIONS)


def ensure_roles_after_migrate(sender, using="default", apps=global_apps, **kwargs):
    """The groups were reset before these permissions existed on a fresh
    database (articles migrates first): now they do."""
    try:
        apps.get_model("corrections", "Correction")
    except LookupError:  # migrating backwards past the first migration
        return
    story_roles.ensure_roles_after_migrate(sender, using=using, apps=apps)
