"""The story admin: list, change form with its workflow buttons, bulk actions.

Who may see, change and publish a story is ``articles.workflow``; what a save
sets off (revision, redirect, renditions, signals) is ``articles.services``,
which the change form, the actions and the revision restore all go through.
"""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from articles import images, services, workflow
from articles.admin.filters import (
    AuthorListFilter,
    TagListFilter,
    WorkflowStateFilter,
)
from articles.admin.forms import ArticleForm
from articles.admin.revisions import StoryRevisionsMixin
from articles.models import Article, Byline


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    fields = ["author", "role", "order"]
    ordering = ["order", "pk"]
    autocomplete_fields = ["author"]

    # The parent story's object-level right applies to its bylines too: a
    # forged inline POST on someone else's (or a published) story changes nothing.
    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(
            request, obj
        )

    def _may_edit(self, request, obj):
        return obj is None or workflow.can_edit(request.user, obj)


@admin.register(Article)
class ArticleAdmin(StoryRevisionsMixin, admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "thumbnail",
        "headline",
        "section",
        "workflow_status",
        "published_at",
        "byline_names",
        "is_top_story",
    ]
    list_display_links = ["thumbnail", "headline"]
    list_select_related = ["section"]
    list_filter = [
        WorkflowStateFilter,
        "status",
        "section",
        TagListFilter,
        AuthorListFilter,
        "is_top_story",
    ]
    search_fields = ["headline", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline]
    actions = ["publish", "schedule", "unpublish"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "body"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        ("Filing", {"fields": ["section", "tags"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "is_top_story",
                    "comments_enabled",
                ]
            },
        ),
    ]

    # Permissions: model-level from the user's groups, object-level from
    # articles.workflow. get_queryset narrows every view (change, history,
    # delete, actions, revisions) to the stories the user may see.

    def get_queryset(self, request):
        # The byline column reads prefetched rows: no query per story.
        bylines = Byline.objects.select_related("author").order_by("order", "pk")
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=bylines))
        )
        return workflow.visible_stories(request.user, queryset)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed
        return allowed and workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None:
            return allowed
        return allowed and workflow.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            fields += [f for f in workflow.PUBLISHING_FIELDS if f not in fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        step = (
            workflow.requested_step(request.POST) if request.method == "POST" else None
        )
        return type(
            form.__name__,
            (form,),
            {
                "workflow_step": step,
                "media_error": getattr(request, "media_error", None),
            },
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            step = workflow.requested_step(request.POST)
            if not workflow.may_take_step(request.user, step):
                raise PermissionDenied
        extra_context = {
            **(extra_context or {}),
            "workflow_buttons": self.workflow_buttons(request, object_id),
        }
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.MediaUnavailable as error:
            # Rolled back, no file left behind. The form is shown again, with
            # what the editor typed and the storage's error next to the
            # picture: the second pass's form refuses to validate.
            request.media_error = str(error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def workflow_buttons(self, request, object_id):
        """The buttons for the user's role: (name, label, is_default)."""
        if workflow.can_publish(request.user):
            buttons = [
                ("_save", "Save", True),
                (workflow.PUBLISH_NOW, "Publish now", False),
                (workflow.SCHEDULE, "Schedule", False),
            ]
            if object_id is not None:  # nothing to take down on the add page
                buttons.append((workflow.UNPUBLISH, "Unpublish", False))
            return buttons
        return [
            ("_save", "Save draft", True),
            (workflow.SUBMIT_FOR_REVIEW, "Submit for review", False),
        ]

    def save_model(self, request, obj, form, change):
        """The workflow's checks only: ``save_related()`` saves the story,
        through ``services.save_story()``, with its bylines and tags."""
        if not change:
            obj.created_by = request.user
        if not workflow.can_publish(request.user):
            # Read-only for this user, so the form ignores them; this also
            # refuses anything that reached the instance another way.
            self._keep_publishing_fields(obj, change)
        step = workflow.requested_step(request.POST)
        if not workflow.may_take_step(request.user, step):
            raise PermissionDenied
        if not form.workflow_applied:
            try:
                workflow.apply_step(obj, step)
            except workflow.WorkflowError as error:
                # The form's clean() refuses these first; this is the last guard.
                raise PermissionDenied(str(error)) from error

    def _keep_publishing_fields(self, obj, change):
        if change:
            saved = Article.objects.values(*workflow.PUBLISHING_FIELDS).get(pk=obj.pk)
            for field, value in saved.items():
                setattr(obj, field, value)
        else:
            obj.status = Article.Status.DRAFT
            obj.published_at = None
            obj.is_top_story = False

    def save_related(self, request, form, formsets, change):
        # The row, then the inlines and tags, then the revision that includes them.
        services.save_story(
            form.instance,
            by=request.user,
            related=partial(super().save_related, request, form, formsets, change),
        )

    def response_change(self, request, obj):
        step = workflow.requested_step(request.POST)
        if step is not None:
            self.message_user(request, self._step_message(step, obj), messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        step = workflow.requested_step(request.POST)
        if step is not None:
            self.message_user(request, self._step_message(step, obj), messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)

    def _step_message(self, step, obj):
        if step == workflow.SUBMIT_FOR_REVIEW:
            return f"“{obj}” was submitted for review."
        if step == workflow.UNPUBLISH:
            return f"“{obj}” was unpublished and is a draft again."
        if obj.is_scheduled:
            return f"“{obj}” is {workflow.status_label(obj).lower()}."
        return f"“{obj}” is published."

    @admin.display(description="status", ordering="status")
    def workflow_status(self, article):
        return workflow.status_label(article)

    @admin.display(description="picture")
    def thumbnail(self, article):
        """The smallest rendition (no query, no file access), else the original."""
        if not article.lead_image:
            return ""
        if article.lead_image_width:
            width = images.rendition_widths(article.lead_image_width)[0]
            name = images.rendition_name(article.lead_image.name, width, "jpg")
            url = article.lead_image.storage.url(name)
        else:
            url = article.lead_image.url
        return format_html(
            '<img src="{}" alt="" width="64" height="36" class="story-thumb">', url
        )

    @admin.display(description="bylines")
    def byline_names(self, article):
        return ", ".join(byline.author.name for byline in article.bylines.all())

    # Actions: only for publish_article holders (Django drops them from the
    # menu and refuses a forged POST), and each re-checks before writing.

    def _check_publisher(self, request):
        if not workflow.can_publish(request.user):
            raise PermissionDenied

    def _warn_missing_alt_text(self, request, queryset):
        """Stories with a lead image but no alt text are not published (the
        per-story buttons refuse them too): say which."""
        blocked = list(
            queryset.missing_alt_text().values_list("headline", flat=True)[:6]
        )
        if blocked:
            names = ", ".join(f"“{headline}”" for headline in blocked[:5])
            if len(blocked) > 5:
                names += ", …"
            self.message_user(
                request,
                f"Not published: describe the lead image (alt text) first: {names}.",
                messages.WARNING,
            )

    @admin.action(description="Publish the selected stories", permissions=["publish"])
    def publish(self, request, queryset):
        """One UPDATE; stories that already have a publication time keep it.

        Stories with a lead image but no alt text are left as they are.
        """
        self._check_publisher(request)
        self._warn_missing_alt_text(request, queryset)
        count = services.publish_stories(queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%d story published.", "%d stories published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(
        description="Schedule the selected stories at their publication time",
        permissions=["publish"],
    )
    def schedule(self, request, queryset):
        """Only stories whose publication time is still to come are scheduled."""
        self._check_publisher(request)
        self._warn_missing_alt_text(request, queryset)
        count = services.schedule_stories(queryset, by=request.user)
        skipped = queryset.ready_to_publish().count() - count
        self.message_user(
            request,
            ngettext("%d story scheduled.", "%d stories scheduled.", count) % count,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d story has no publication time in the future: not scheduled.",
                    "%d stories have no publication time in the future: not scheduled.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(
        description="Unpublish the selected stories (back to draft)",
        permissions=["publish"],
    )
    def unpublish(self, request, queryset):
        self._check_publisher(request)
        count = services.unpublish_stories(queryset, by=request.user)
        message = ngettext(
            "%d story moved back to draft.", "%d stories moved back to draft.", count
        )
        self.message_user(request, message % count, messages.SUCCESS)
