from django.apps import AppConfig, apps
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_migrate,
    post_save,
    pre_save,
)
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit log: subscribes to what the stories, the comments and
    ``django.contrib.auth`` send; nothing imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth import signals as auth_signals

        from articles import roles as story_roles
        from articles import signals as story_signals
        from audit import signal_handlers as handlers
        from comments import signals as comment_signals
        from comments.models import ModerationWord, StoryCommentSettings
        from corrections import signals as correction_signals
        from twofactor import signals as twofactor_signals

        subscriptions = {
            story_signals.story_published: handlers.story_published,
            story_signals.story_unpublished: handlers.story_unpublished,
            story_signals.story_scheduled: handlers.story_scheduled,
            story_signals.stories_changed_in_bulk: handlers.stories_changed_in_bulk,
            story_signals.story_deleted: handlers.story_deleted,
            story_signals.story_restored: handlers.story_restored,
            story_signals.pending_changes_published: (
                handlers.pending_changes_published
            ),
            comment_signals.comment_moderated: handlers.comment_moderated,
            correction_signals.correction_added: handlers.correction_added,
            correction_signals.correction_changed: handlers.correction_changed,
            auth_signals.user_logged_in: handlers.logged_in,
            auth_signals.user_logged_out: handlers.logged_out,
            auth_signals.user_login_failed: handlers.login_failed,
            twofactor_signals.second_factor_failed: handlers.second_factor_failed,
            twofactor_signals.second_factor_added: handlers.second_factor_added,
            twofactor_signals.second_factor_removed: handlers.second_factor_removed,
        }
        for signal, handler in subscriptions.items():
            signal.connect(handler, dispatch_uid=f"audit_{handler.__name__}")

        User = get_user_model()
        pre_save.connect(
            handlers.remember_account_flags, sender=User, dispatch_uid="audit_flags"
        )
        post_save.connect(
            handlers.account_saved, sender=User, dispatch_uid="audit_account"
        )
        for through in handlers.relations():
            m2m_changed.connect(
                handlers.membership_changed,
                sender=through,
                dispatch_uid=f"audit_m2m_{through._meta.label_lower}",
            )
        # The newsroom's settings kept in the database: the word list and
        # each story's comment settings.
        for model in (ModerationWord, StoryCommentSettings):
            _listen_to_rows(model, handlers.settings_saved, handlers.settings_deleted)
        # Partners' access, where those apps are installed: found by label,
        # as the audit log imports neither (pyproject.toml's contracts).
        for app_label, model_name in handlers.ACCESS_MODELS:
            if apps.is_installed(app_label):
                _listen_to_rows(
                    apps.get_model(app_label, model_name),
                    handlers.access_saved,
                    handlers.access_deleted,
                )

        # Editors read the log (articles.roles); after a migrate the Editor
        # group is set again, now that this app's permission exists.
        story_roles.extend_role(
            story_roles.EDITOR_GROUP, [("audit", "view_auditentry")]
        )
        post_migrate.connect(
            story_roles.ensure_roles_after_migrate,
            sender=self,
            dispatch_uid="audit_editor_role",
        )


def _listen_to_rows(model, saved, deleted):
    """``saved`` after each save of a ``model`` row, ``deleted`` after each
    deletion, once however often ``ready()`` runs."""
    label = model._meta.label_lower
    post_save.connect(saved, sender=model, dispatch_uid=f"audit_{label}")
    post_delete.connect(deleted, sender=model, dispatch_uid=f"audit_{label}_deleted")
