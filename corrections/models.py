"""Corrections and clarifications: dated notes attached to a story.

A note is plain text (escaped wherever it is shown). Editing one leaves a
``CorrectionRevision`` with what it said before and who changed it, whoever
the writer (the admin, the shell): ``Correction.save()`` records it, so a
note cannot be edited away silently. Deleting one is the
``corrections.delete_correction`` permission, which only editors hold
(``corrections/roles.py``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article

# A note's time may run a little ahead of the server's clock (a desk machine
# set slightly fast), never into the future: the page cache is not told when
# a dated note falls due, so a note is shown from the moment it is saved.
CLOCK_SKEW = timedelta(minutes=1)
# What a revision keeps, and what counts as an edit.
REVISED_FIELDS = ("kind", "text", "published_at", "placement")


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Shown to readers: the notes of live stories."""
        return self.filter(story__in=Article.objects.published().values("pk"))

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        EDITORS_NOTE = "editors_note", _("Editor's note")

    class Placement(models.TextChoices):
        TOP = "top", _("Top of the story")
        BOTTOM = "bottom", _("Bottom of the story")

    story = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField(
        max_length=2000,
        help_text=_("Plain text: what was wrong and what is right."),
    )
    published_at = models.DateTimeField(
        _("time"), default=timezone.now, help_text=_("The time shown with the note.")
    )
    placement = models.CharField(
        max_length=10, choices=Placement, default=Placement.TOP
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["story", "published_at"]),
            models.Index(fields=["-published_at", "-id"], name="correction_newest"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on “{self.story.headline}”"

    def save(self, *args, by=None, **kwargs):
        """Save; an edit of what readers see first keeps the old version."""
        with transaction.atomic(using=kwargs.get("using")):
            if self.pk is not None:
                before = (
                    Correction.objects.filter(pk=self.pk)
                    .values(*REVISED_FIELDS)
                    .first()
                )
                if before and any(
                    before[name] != getattr(self, name) for name in REVISED_FIELDS
                ):
                    CorrectionRevision.objects.create(
                        correction=self, changed_by=by, **before
                    )
            elif by is not None and self.created_by_id is None:
                self.created_by = by
            # Who saved it, for the signals (corrections/signal_handlers.py).
            self._saved_by = by
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.story.get_absolute_url()}#correction-{self.pk}"

    def clean(self):
        self.text = (self.text or "").strip()
        if not self.text:
            raise ValidationError({"text": _("Say what was corrected.")})
        if self.published_at and self.published_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError(
                {
                    "published_at": _(
                        "A note is dated now or earlier, not in the future."
                    )
                }
            )

    @property
    def anchor(self) -> str:
        return f"correction-{self.pk}"


class CorrectionRevision(models.Model):
    """What a note said before an edit, and who edited it."""

    correction = models.ForeignKey(
        Correction, on_delete=models.CASCADE, related_name="revisions"
    )
    kind = models.CharField(max_length=20, choices=Correction.Kind)
    text = models.TextField()
    published_at = models.DateTimeField(_("time"))
    placement = models.CharField(max_length=10, choices=Correction.Placement)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return gettext("Before %(time)s") % {
            "time": f"{self.changed_at:%Y-%m-%d %H:%M}"
        }


def notes_for(story: Article) -> list[Correction]:
    """A story's notes, oldest first, fetched once per story instance (the
    page's JSON-LD and both places on the page share one query)."""
    notes = story.__dict__.get("_correction_notes")
    if notes is None:
        notes = list(
            Correction.objects.filter(story_id=story.pk).order_by("published_at", "pk")
        )
        for note in notes:
            note.story = story
        story.__dict__["_correction_notes"] = notes
    return notes


def latest_time(notes) -> datetime | None:
    """When the newest of ``notes`` is dated (None without notes)."""
    return max((note.published_at for note in notes), default=None)
