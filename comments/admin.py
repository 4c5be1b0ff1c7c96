"""The moderators' screens: the comment queue, reports, word lists, per-story
settings.

A moderator holds no story permission: every screen here names only the
stories ``articles.workflow.known_stories()`` lets the user know of (live
ones, and those they may see in the story admin), so a draft's or a scheduled
story's headline never reaches a moderator through a comment, a report, a
filter or the settings' story field.

Moderating is the ``comments.moderate_comment`` permission (moderators and
editors hold it: ``comments.roles``). The queue opens on pending comments;
each row has Approve, Reject and Spam buttons, plain POST forms that return to
the list, which ``static/newsroom/admin/moderation.js`` sends without a reload
(with keyboard shortcuts). Both go through ``moderation.moderate()``.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import (
    Http404,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles import workflow
from articles.models import Article
from comments import moderation, roles
from comments.models import Comment, CommentReport, ModerationWord, StoryCommentSettings

# The largest id any database here stores: a longer number matches nothing.
MAX_ID = 2**63 - 1

# The row buttons: (status, label, keyboard shortcut).
ROW_BUTTONS = (
    (Comment.Status.APPROVED, _("Approve"), "a"),
    (Comment.Status.REJECTED, _("Reject"), "r"),
    (Comment.Status.SPAM, pgettext_lazy("a moderation button", "Spam"), "s"),
)


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


def known_pending(request):
    """Pending comments on the stories the user may know of."""
    return Comment.objects.pending().filter(
        article__in=known_stories(request).values("pk")
    )


class QueueStatusFilter(admin.SimpleListFilter):
    """Status, with the queue (pending) as the list's default: "All" is a
    choice of its own (``?status=all``)."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"
    # The field filter's parameter this one replaced: bookmarks keep working.
    OLD_PARAMETER = "status__exact"

    def __init__(self, request, params, model, model_admin):
        if self.OLD_PARAMETER in params and self.parameter_name not in params:
            params[self.parameter_name] = params.pop(self.OLD_PARAMETER)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [*Comment.Status.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or Comment.Status.PENDING

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if value in Comment.Status.values:
            return queryset.filter(status=value)
        return queryset.none()  # an unknown value lists nothing

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }


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
    list_display_links = ("excerpt",)
    list_filter = (
        QueueStatusFilter,
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

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": _("Comments"), **(extra_context or {})}
        )

    def has_moderate_permission(self, request):
        return roles.can_moderate(request.user)

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if self.has_moderate_permission(request):
            return (*columns, "row_buttons")
        return columns

    def desk_badge(self, request):
        """The navigation's pending count (``newsroom.admin.DeskSite``)."""
        if not self.has_moderate_permission(request):
            return None
        return known_pending(request).count()

    def get_urls(self):
        moderate = self.admin_site.admin_view(require_POST(self.moderate_view))
        return [
            path(
                "<path:object_id>/moderate/",
                moderate,
                name="comments_comment_moderate",
            ),
            *super().get_urls(),
        ]

    def moderate_view(self, request, object_id):
        """POST ``status`` (approved, rejected, spam): one comment moderated.

        Needs the moderate permission (403) and CSRF (the middleware's 403);
        an id that is not one of the user's comments is a 404, an unknown
        status a 400. Answers JSON to the list's script (``Accept:
        application/json``), else returns to the list (``next``) with a message.
        """
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        if not (object_id.isascii() and object_id.isdigit()) or int(object_id) > MAX_ID:
            raise Http404(gettext("No such comment."))
        comment = self.get_queryset(request).filter(pk=int(object_id)).first()
        if comment is None:
            raise Http404(gettext("No such comment."))
        status = request.POST.get("status", "")
        if status not in moderation.MODERATOR_STATUSES:
            return HttpResponseBadRequest(
                gettext("Bad request: unknown status."), content_type="text/plain"
            )
        moderation.moderate(comment, status)
        label = comment.get_status_display()
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {
                    "id": comment.pk,
                    "status": comment.status,
                    "label": label,
                    "pending": known_pending(request).count(),
                }
            )
        message = gettext("Comment by %(name)s: %(status)s.") % {
            "name": comment.name,
            "status": label.lower(),
        }
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._return_url(request))

    def _return_url(self, request):
        url = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ) and url.startswith(reverse("admin:comments_comment_changelist")):
            return url
        return reverse("admin:comments_comment_changelist")

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("moderate"))
    def row_buttons(self, obj):
        """Buttons of the one form outside the list's own (forms do not nest):
        ``form="row-moderation"`` with this comment's address."""
        url = reverse("admin:comments_comment_moderate", args=[obj.pk])
        buttons = format_html_join(
            "",
            '<button type="submit" form="row-moderation" formaction="{}" '
            'name="status" value="{}" class="desk-mod desk-mod-{}" '
            'data-shortcut="{}" aria-keyshortcuts="{}">{}</button>',
            (
                (url, status, status, key, key, label)
                for status, label, key in ROW_BUTTONS
                if status != obj.status
            ),
        )
        return format_html('<span class="desk-mod-buttons">{}</span>', buttons)

    def _moderate(self, request, queryset, status):
        changed = queryset.set_status(status)
        if status == Comment.Status.APPROVED:
            message = ngettext(
                "%(count)d comment approved.", "%(count)d comments approved.", changed
            )
        elif status == Comment.Status.REJECTED:
            message = ngettext(
                "%(count)d comment rejected.", "%(count)d comments rejected.", changed
            )
        else:
            message = ngettext(
                "%(count)d comment marked as spam.",
                "%(count)d comments marked as spam.",
                changed,
            )
        self.message_user(request, message % {"count": changed}, messages.SUCCESS)

    @admin.action(permissions=["moderate"], description=_("Approve selected comments"))
    def approve(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED)

    @admin.action(permissions=["moderate"], description=_("Reject selected comments"))
    def reject(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.REJECTED)

    @admin.action(permissions=["moderate"], description=_("Mark selected as spam"))
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM)


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

    @admin.display(description=_("approved comments"))
    def approved_comments(self, obj):
        return getattr(obj, "n_approved", 0)

    @admin.display(description=_("pending comments"))
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
