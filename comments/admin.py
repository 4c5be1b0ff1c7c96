"""The moderators' screens: the comment queue, reports, word lists, per-story
settings.

A moderator holds no story permission: every screen here names only the
stories ``articles.workflow.known_stories()`` lets the user know of (live
ones, and those they may see in the story admin), so a draft's or a scheduled
story's headline never reaches a moderator through a comment, a report, a
filter or the settings' story field.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.text import Truncator

from articles import workflow
from articles.models import Article
from comments.models import Comment, CommentReport, ModerationWord, StoryCommentSettings


def known_stories(request):
    return workflow.known_stories(request.user, Article.objects.all())


class KnownStoryRawIdWidget(ForeignKeyRawIdWidget):
    """The raw-id box, naming the chosen story only if the user may know it.

    Django's widget looks its label up in every row (``?article=<id>`` on the
    add page showed any story's headline).
    """

    def __init__(self, rel, admin_site, *, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        if not str(value).isdigit() or not self.queryset.filter(pk=value).exists():
            return "", ""
        return super().label_and_url_for_value(value)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending, then reported, then the rest, newest first."""

    list_display = (
        "excerpt",
        "name",
        "article",
        "status",
        "held_reason",
        "report_count",
        "created_at",
    )
    list_filter = (
        "status",
        "held_reason",
        ("article", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("body", "name")
    list_select_related = ("article",)
    list_per_page = 50
    actions = ("approve", "reject", "mark_spam")
    fields = (
        "article",
        "parent",
        "name",
        "email",
        "body",
        "status",
        "held_reason",
        "report_count",
        "created_at",
        "ip_hash",
        "user_agent",
        "user",
    )
    readonly_fields = (
        "article",
        "parent",
        "report_count",
        "created_at",
        "ip_hash",
        "user_agent",
        "user",
    )

    def get_queryset(self, request):
        # Annotated before ordering: ModelAdmin.get_queryset orders first.
        queryset = Comment.objects.filter(
            article__in=known_stories(request).values("pk")
        ).annotate(
            queue_rank=Case(
                When(status=Comment.Status.PENDING, then=Value(0)),
                When(report_count__gt=0, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        return queryset.order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        return ("queue_rank", "-created_at", "-pk")

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    @admin.display(description="comment")
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    def _moderate(self, request, queryset, status, verb):
        changed = queryset.set_status(status)
        self.message_user(request, f"{changed} comment(s) {verb}.", messages.SUCCESS)

    @admin.action(permissions=["moderate"], description="Approve selected comments")
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(permissions=["moderate"], description="Reject selected comments")
    def reject(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REJECTED, "rejected")

    @admin.action(permissions=["moderate"], description="Mark selected as spam")
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "marked as spam")


@admin.register(ModerationWord)
class ModerationWordAdmin(admin.ModelAdmin):
    list_display = ("word", "action")
    list_filter = ("action",)
    search_fields = ("word",)


@admin.register(StoryCommentSettings)
class StoryCommentSettingsAdmin(admin.ModelAdmin):
    """Per-story moderation; lives here because articles never import comments."""

    list_display = ("article", "mode", "approved_comments", "pending_comments")
    list_filter = ("mode",)
    list_select_related = ("article",)
    raw_id_fields = ("article",)
    search_fields = ("article__headline",)
    readonly_fields = ("approved_comments", "pending_comments")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(article__in=known_stories(request).values("pk"))
            .annotate(
                n_approved=Count(
                    "article__comments",
                    filter=Q(article__comments__status=Comment.Status.APPROVED),
                ),
                n_pending=Count(
                    "article__comments",
                    filter=Q(article__comments__status=Comment.Status.PENDING),
                ),
            )
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "article":
            # A story the user may not know is "not a valid choice", exactly
            # like one that does not exist.
            stories = known_stories(request)
            kwargs["queryset"] = stories
            kwargs["widget"] = KnownStoryRawIdWidget(
                db_field.remote_field, self.admin_site, queryset=stories
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="approved comments")
    def approved_comments(self, obj):
        return getattr(obj, "n_approved", 0)

    @admin.display(description="pending comments")
    def pending_comments(self, obj):
        return getattr(obj, "n_pending", 0)


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ("comment", "created_at")
    list_select_related = ("comment",)
    readonly_fields = ("comment", "reporter_hash", "created_at")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(comment__article__in=known_stories(request).values("pk"))
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
