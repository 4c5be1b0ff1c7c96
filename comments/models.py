import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments import signals

MAX_DEPTH = 3
MOST_COMMENTED_CACHE_KEY = "comments:most-commented"


def purge_most_commented() -> None:
    """Forget the cached "Most Commented" list; the next page rebuilds it."""
    cache.delete(MOST_COMMENTED_CACHE_KEY)


def comments_moderated() -> None:
    """Bulk moderation (no model signals): Most Commented and pages follow."""
    purge_most_commented()
    signals.comments_changed.send(sender=Comment, comment=None)


class CommentQuerySet(models.QuerySet):
    def approved(self):
        """Shown to readers and counted: the one meaning of a visible comment."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self):
        """Held for a moderator."""
        return self.filter(status=Comment.Status.PENDING)

    def rejected(self):
        return self.filter(status=Comment.Status.REJECTED)

    def spam(self):
        return self.filter(status=Comment.Status.SPAM)

    def on_live_stories(self):
        return self.filter(article__in=Article.objects.published())

    def set_status(self, status: str, *, by=None) -> int:
        """Moderate many comments at once; counts and caches follow.

        Approving clears old reports, so a comment a moderator has cleared
        needs fresh reports from distinct readers to be held again.
        """
        with transaction.atomic():
            pks = list(self.values_list("pk", flat=True))
            changed = Comment.objects.filter(pk__in=pks).update(status=status)
            if status == Comment.Status.APPROVED:
                CommentReport.objects.filter(comment__in=pks).delete()
                Comment.objects.filter(pk__in=pks).update(report_count=0)
            transaction.on_commit(
                lambda: signals.comment_moderated.send(
                    sender=Comment, comment_ids=pks, status=status, by=by
                )
            )
        comments_moderated()
        return changed


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    class Reason(models.TextChoices):
        LINKS = "links", _("Too many links")
        WORD_HOLD = "word-hold", _("Word list (hold)")
        WORD_REJECT = "word-reject", _("Word list (reject)")
        TOO_FAST = "too-fast", _("Posted implausibly fast (flood)")
        REPORTED = "reported", _("Reported by readers")
        PREMODERATION = "premoderation", _("Pre-moderation")

    article = models.ForeignKey(
        Article,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("story"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
        help_text=_("The comment this one replies to, on the same story."),
    )
    depth = models.PositiveSmallIntegerField(
        default=1, help_text=_("1 for a top-level comment; replies go up to 3.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    name = models.CharField(_("display name"), max_length=100)
    email = models.EmailField(
        blank=True, help_text=_("Optional; never shown to readers.")
    )
    body = models.TextField(max_length=5000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    held_reason = models.CharField(
        _("reason"), max_length=20, choices=Reason, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    ip_hash = models.CharField(
        _("IP hash"),
        max_length=64,
        blank=True,
        help_text=_("A keyed hash of the poster's address; the address is not kept."),
    )
    reader_hash = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "A keyed hash naming the poster's browser (from the signed form "
            "token): tells apart readers who share one address."
        ),
    )
    user_agent = models.CharField(max_length=300, blank=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    fingerprint = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_(
            "Poster, day and text, hashed: the database refuses a second "
            "identical comment even when two arrive at the same instant."
        ),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["article", "status", "created_at"],
                name="comment_article_status_idx",
            ),
            models.Index(fields=["status", "created_at"], name="comment_status_idx"),
            models.Index(fields=["ip_hash", "created_at"], name="comment_poster_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(depth__gte=1, depth__lte=MAX_DEPTH),
                name="comment_depth_range",
            ),
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=~Q(fingerprint=""),
                name="comment_unique_fingerprint",
            ),
        ]
        permissions = [("moderate_comment", _("Can moderate comments"))]

    def __str__(self):
        return f"{self.name}: {self.body[:40]}"

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @staticmethod
    def fingerprint_for(ip_hash: str, body: str, when, reader_hash: str = "") -> str:
        """Same poster, same calendar day (UTC), same text: the same value.

        A poster is an address, and the browser there when it is known, so
        two readers in one office may both write "Thank you".
        """
        poster = f"{ip_hash}:{reader_hash}" if reader_hash else ip_hash
        raw = f"{poster}\n{when.date().isoformat()}\n{body}"
        return hashlib.blake2b(raw.encode(), digest_size=32).hexdigest()

    def attach_to(self, parent: "Comment | None") -> None:
        """Reply under ``parent``; below the deepest level, reply beside it."""
        if parent is None:
            self.parent, self.depth = None, 1
            return
        if parent.depth >= MAX_DEPTH:
            self.parent_id, self.depth = parent.parent_id, MAX_DEPTH
        else:
            self.parent, self.depth = parent, parent.depth + 1

    def report(self, reporter_hash: str, threshold: int) -> bool:
        """Record one reader's report; enough distinct readers send it back.

        Returns True when this report took the comment back to pending.
        """
        with transaction.atomic():
            _, created = CommentReport.objects.get_or_create(
                comment=self, reporter_hash=reporter_hash
            )
            if not created:
                return False
            Comment.objects.filter(pk=self.pk).update(
                report_count=F("report_count") + 1
            )
            held = (
                Comment.objects.approved()
                .filter(pk=self.pk, report_count__gte=threshold)
                .update(
                    status=Comment.Status.PENDING, held_reason=Comment.Reason.REPORTED
                )
            )
        if held:
            comments_moderated()
        self.refresh_from_db(fields=["status", "held_reason", "report_count"])
        return bool(held)


class CommentReport(models.Model):
    """One reader's report of one comment; a reader counts once per comment."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports"
    )
    reporter_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter_hash"], name="comment_report_once"
            ),
        ]

    def __str__(self):
        return gettext("Report on comment %(pk)s") % {"pk": self.comment_id}


class ModerationWord(models.Model):
    class Action(models.TextChoices):
        HOLD = "hold", _("Hold for review")
        REJECT = "reject", _("Reject")

    word = models.CharField(
        max_length=100,
        unique=True,
        help_text=_("Matched as a whole word or phrase, ignoring case."),
    )
    action = models.CharField(max_length=10, choices=Action, default=Action.HOLD)

    class Meta:
        ordering = ["word"]
        verbose_name = _("word list entry")
        verbose_name_plural = _("word list")

    def __str__(self):
        return self.word

    def save(self, *args, **kwargs):
        self.word = " ".join(self.word.casefold().split())
        super().save(*args, **kwargs)


class StoryCommentSettings(models.Model):
    """Per-story moderation mode; a story without a row follows the site mode."""

    class Mode(models.TextChoices):
        PRE = "pre", _("Pre-moderation: hold every comment")
        POST = "post", _("Post-moderation: publish unless a check holds it")

    article = models.OneToOneField(
        Article,
        on_delete=models.CASCADE,
        related_name="comment_settings",
        verbose_name=_("story"),
    )
    mode = models.CharField(_("moderation"), max_length=10, choices=Mode)

    class Meta:
        verbose_name = _("story comment settings")
        verbose_name_plural = _("story comment settings")

    def __str__(self):
        return f"{self.article}: {self.get_mode_display()}"


class RateLimitCounter(models.Model):
    """A fixed-window counter for when the cache is not shared between workers."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
