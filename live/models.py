"""Live coverage of a breaking story: timestamped updates and key points.

A story is live while its ``LiveCoverage`` has started and not ended. Each
``LiveUpdate`` has its own author, time and text, an optional picture, and a
stable anchor on the story page (``#update-<id>``). Pinned updates are the key
points, shown newest first above the stream.

The text of an update is plain paragraphs (escaped wherever it is shown, a
blank line between paragraphs), not the story body's rich text: during
breaking news a reporter types a few sentences into a textarea and posts, and
plain text is the same safe string in the page, the JSON-LD, the feed and
the polling endpoint with no sanitiser round trip.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.images import CleanImageField
from articles.models import Article, Author, upload_path

# An update's time may run a little ahead of the server's clock (a desk
# machine set slightly fast), never into the future: nothing tells the page
# cache when a dated update falls due.
CLOCK_SKEW = timedelta(minutes=1)
# The newest updates a story page shows (the rest: the updates feed); a page
# stays bounded however long the coverage runs.
PAGE_LENGTH = 200
# What a headline made from the text keeps (schema.org BlogPosting).
HEADLINE_LENGTH = 110


class LiveCoverage(models.Model):
    """A story marked live: when it started, whether it has ended."""

    story = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="live_coverage"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(
        _("ended"),
        null=True,
        blank=True,
        help_text=_("Set when the coverage is over: readers see “Coverage ended”."),
    )
    summary = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("Optional. One or two sentences above the updates."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("live coverage")
        verbose_name_plural = _("live coverage")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="live_coverage_ends_after_start",
            ),
        ]

    def __str__(self):
        return gettext("Live: %(headline)s") % {"headline": self.story.headline}

    def get_absolute_url(self):
        return self.story.get_absolute_url()

    def clean(self):
        if self.ended_at and self.started_at and self.ended_at < self.started_at:
            raise ValidationError(
                {"ended_at": _("Coverage ends after it started, not before.")}
            )

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None


class LiveUpdateQuerySet(models.QuerySet):
    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def key_points(self):
        return self.filter(pinned=True)

    def public(self):
        """Shown to readers: the updates of live stories."""
        return self.filter(coverage__story__in=Article.objects.published().values("pk"))


class LiveUpdate(models.Model):
    coverage = models.ForeignKey(
        LiveCoverage, on_delete=models.CASCADE, related_name="updates"
    )
    author = models.ForeignKey(
        Author,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="live_updates",
        help_text=_("Who wrote it, as readers see it."),
    )
    headline = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Optional. A few words in bold above the text."),
    )
    text = models.TextField(
        max_length=5000,
        help_text=_("Plain text; a blank line starts a new paragraph."),
    )
    picture = CleanImageField(
        upload_to=upload_path,
        blank=True,
        width_field="picture_width",
        height_field="picture_height",
        help_text=_(
            "Optional. JPEG, PNG, WebP or GIF; re-encoded without "
            "location or camera data."
        ),
    )
    picture_width = models.PositiveIntegerField(null=True, editable=False)
    picture_height = models.PositiveIntegerField(null=True, editable=False)
    picture_alt = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_("Describe the picture for readers who cannot see it."),
    )
    picture_caption = models.CharField(_("caption"), max_length=500, blank=True)
    pinned = models.BooleanField(
        _("key point"),
        default=False,
        help_text=_("Pinned: also shown in the key points above the updates."),
    )
    published_at = models.DateTimeField(
        _("time"),
        default=timezone.now,
        help_text=_("The time shown with the update."),
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

    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        verbose_name = _("live update")
        verbose_name_plural = _("live updates")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(
                fields=["coverage", "-published_at", "-id"], name="live_update_newest"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"{self.coverage.story.get_absolute_url()}#{self.anchor}"

    def get_permalink(self):
        """The update's own address: it redirects to its place on the page."""
        return reverse("live:update", args=[self.pk])

    def clean(self):
        self.text = (self.text or "").strip()
        if not self.text:
            raise ValidationError({"text": _("Write what happened.")})
        if self.picture and not self.picture_alt.strip():
            raise ValidationError(
                {
                    "picture_alt": _(
                        "Describe the picture for readers who cannot see it."
                    )
                }
            )
        if self.published_at and self.published_at > timezone.now() + CLOCK_SKEW:
            raise ValidationError(
                {"published_at": _("An update is dated now or earlier, not later.")}
            )

    @property
    def anchor(self) -> str:
        return f"update-{self.pk}"

    @property
    def title(self) -> str:
        """The headline, or the start of the text (BlogPosting, feeds, admin)."""
        if self.headline:
            return self.headline
        first = " ".join((self.text or "").split())
        return Truncator(first).chars(HEADLINE_LENGTH)

    @property
    def version(self) -> str:
        """Changes with every edit: readers' pages replace an edited update."""
        return f"{self.updated_at.timestamp():.6f}" if self.updated_at else ""

    @property
    def paragraphs(self) -> list[str]:
        blocks = [" ".join(part.split()) for part in (self.text or "").split("\n\n")]
        return [block for block in blocks if block]


def coverage_for(story: Article) -> LiveCoverage | None:
    """The story's coverage with its newest updates and their authors, read
    once per story instance: two queries (one without coverage), whatever
    the number of updates; the page's tags and JSON-LD share them."""
    if "_live_coverage" in story.__dict__:
        return story.__dict__["_live_coverage"]
    coverage = LiveCoverage.objects.filter(story_id=story.pk).first()
    if coverage is not None:
        coverage.story = story
        updates = list(
            coverage.updates.newest_first().select_related("author")[:PAGE_LENGTH]
        )
        for update in updates:
            update.coverage = coverage
        coverage.shown_updates = updates
    story.__dict__["_live_coverage"] = coverage
    return coverage


def last_change(coverage: LiveCoverage, updates) -> datetime:
    """When what readers see of the coverage last changed."""
    return max(
        [coverage.updated_at, *(update.updated_at for update in updates)],
    )
