from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The audit log is written once and pruned by age; nothing else."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are never changed.")

    def delete(self):
        raise AppendOnlyError(
            "Audit entries are deleted only by age: manage.py prune_audit."
        )

    def older_than(self, when):
        return self.filter(when__lt=when)

    def prune(self, before) -> int:
        """Delete the entries recorded before ``before``; returns how many.

        The one deletion path (``manage.py prune_audit`` calls it).
        """
        deleted, _rows = models.QuerySet.delete(self.older_than(before))
        return deleted


class AuditEntry(models.Model):
    """One thing that happened: who, what, when, from where, to which object.

    Append-only: saving an entry that is already stored raises, and so do the
    queryset's ``update()`` and ``delete()``. The object is named by content
    type and id (it may be deleted later) with its name as it was then.
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", _("Story published")
        SCHEDULED = "scheduled", _("Story scheduled")
        UNPUBLISHED = "unpublished", _("Story unpublished")
        DELETED = "deleted", _("Story deleted")
        RESTORED = "restored", _("Revision restored")
        PENDING_PUBLISHED = "pending-published", _("Pending changes published")
        COMMENT_MODERATED = "comment-moderated", _("Comment moderated")
        LOGGED_IN = "logged-in", _("Logged in")
        LOGIN_FAILED = "login-failed", _("Login failed")
        LOGGED_OUT = "logged-out", _("Logged out")
        SECOND_FACTOR_FAILED = "second-factor-failed", _("Second factor failed")
        SECOND_FACTOR_ADDED = "second-factor-added", _("Second factor added")
        SECOND_FACTOR_REMOVED = "second-factor-removed", _("Second factor removed")
        GROUPS_CHANGED = "groups-changed", _("Groups changed")
        PERMISSIONS_CHANGED = "permissions-changed", _("Permissions changed")
        ACCOUNT_CHANGED = "account-changed", _("Staff, superuser or active changed")
        SETTINGS_CHANGED = "settings-changed", _("Settings changed")
        CORRECTION_ADDED = "correction-added", _("Correction added")
        CORRECTION_CHANGED = "correction-changed", _("Correction changed")
        CORRECTION_DELETED = "correction-deleted", _("Correction deleted")
        ACCESS_CHANGED = "access-changed", _("API key or webhook changed")
        PRUNED = "pruned", _("Audit log pruned")

    class Via(models.TextChoices):
        WEB = "web", _("Web request")
        COMMAND = "command", _("Command")
        SHELL = "shell", _("Shell")

    when = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The username then: the account may be renamed or deleted later.
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The trusted client address (newsroom.clientip); None outside a request.
    address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    via = models.CharField(max_length=10, choices=Via, default=Via.WEB)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-when", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log entries")

    def __str__(self):
        who = self.actor_name or _("someone")
        return f"{self.get_action_display()}: {self.object_repr} ({who})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are never changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            "Audit entries are deleted only by age: manage.py prune_audit."
        )


# The fields named after themselves, in the reader's language: set on the
# shown name, not passed to the field, so no migration records a translation.
for _name, _label in {
    "when": _("when"),
    "actor": _("actor"),
    "action": _("action"),
    "object_id": _("object id"),
    "via": _("via"),
    "details": _("details"),
}.items():
    AuditEntry._meta.get_field(_name).verbose_name = _label
