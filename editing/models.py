"""What the story form keeps while someone works on it: locks and autosaves.

Both live in the database, so every process and machine sees the same lock
and an autosave outlives the browser that wrote it. Neither touches the
story's row or makes a revision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EditLock(models.Model):
    """Who is editing a story now: one row per story, taken atomically
    (``editing.locks``). Soft: it warns colleagues, it does not stop a save;
    the version check of ``save_story()`` does that.

    ``heartbeat_at`` is None once the holder left the form; a lock whose
    heartbeat is older than ``EDITING_LOCK_STALE_SECONDS`` is free too.
    After a takeover ``taken_from`` is the previous holder, whose page is told
    at its next heartbeat.
    """

    story = models.OneToOneField(
        "articles.Article", on_delete=models.CASCADE, related_name="+"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateTimeField()
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    taken_from = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("edit lock")

    def __str__(self):
        return f"Edit lock on story {self.story_id}"


class Autosave(models.Model):
    """The story form's fields as one user last typed them, unsaved.

    One per user and story, and one per user for a story not saved yet (the
    add form: ``story`` is None). ``fields`` maps each form field's name to
    its value: a string, a list of strings (a multiple choice) or a boolean (a
    check box); ``labels`` the shown text of chosen options, for choices the
    form loads on demand (the byline's author).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    story = models.ForeignKey(
        "articles.Article",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    fields = models.JSONField(default=dict)
    labels = models.JSONField(default=dict)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "story"],
                condition=Q(story__isnull=False),
                name="editing_one_autosave_per_user_and_story",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(story__isnull=True),
                name="editing_one_new_story_autosave_per_user",
            ),
        ]

    def __str__(self):
        return f"Autosave of story {self.story_id or 'not yet saved'}"
