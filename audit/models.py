from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


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
        deleted, _ = models.QuerySet.delete(self.older_than(before))
        return deleted


class AuditEntry(models.Model):
    """One thing that happened: who, what, when, from where, to which object.

    Append-only: saving an entry that is already stored raises, and so do the
    queryset's ``update()`` and ``delete()``. The object is named by content
    type and id (it may be deleted later) with its name as it was then.
    """

    class Action(models.TextChoices):
        PUBLISHED = "published", "Story published"
        SCHEDULED = "scheduled", "Story scheduled"
        UNPUBLISHED = "unpublished", "Story unpublished"
        DELETED = "deleted", "Story deleted"
        RESTORED = "restored", "Revision restored"
        COMMENT_MODERATED = "comment-moderated", "Comment moderated"
        LOGGED_IN = "logged-in", "Logged in"
        LOGIN_FAILED = "login-failed", "Login failed"
        LOGGED_OUT = "logged-out", "Logged out"
        GROUPS_CHANGED = "groups-changed", "Groups changed"
        PERMISSIONS_CHANGED = "permissions-changed", "Permissions changed"
        ACCOUNT_CHANGED = "account-changed", "Staff, superuser or active changed"
        SETTINGS_CHANGED = "settings-changed", "Settings changed"
        CORRECTION_ADDED = "correction-added", "Correction added"
        CORRECTION_CHANGED = "correction-changed", "Correction changed"
        CORRECTION_DELETED = "correction-deleted", "Correction deleted"
        PRUNED = "pruned", "Audit log pruned"

    class Via(models.TextChoices):
        WEB = "web", "Web request"
        COMMAND = "command", "Command"
        SHELL = "shell", "Shell"

    when = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The username then: the account may be renamed or deleted later.
    actor_name = models.CharField("who", max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="object type",
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("object", max_length=200, blank=True)
    # The trusted client address (newsroom.clientip); None outside a request.
    address = models.GenericIPAddressField("from", null=True, blank=True)
    via = models.CharField(max_length=10, choices=Via, default=Via.WEB)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-when", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log entries"

    def __str__(self):
        who = self.actor_name or "someone"
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
