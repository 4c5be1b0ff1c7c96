"""The story admin: list, change form with its workflow buttons, bulk actions.

Who may see, change and publish a story is ``articles.workflow``; what a save
sets off (revision, redirect, renditions, signals) is ``articles.services``,
which the change form, the actions and the revision restore all go through.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from articles import images, services, staging, uploads, workflow
from articles.admin import editor_views, translations
from articles.admin.conflicts import MERGE, StoryConflictMixin
from articles.admin.filters import (
    AuthorListFilter,
    TagListFilter,
    WorkflowStateFilter,
)
from articles.admin.forms import (
    OVERRIDE,
    PUBLISHING_STEPS,
    ArticleForm,
    BylineFormSet,
)
from articles.admin.pending import PendingChangesMixin
from articles.admin.revisions import StoryRevisionsMixin
from articles.models import HEADLINE_LIMIT, Article, Byline


class BylineInline(admin.TabularInline):
    """Bylines near the top of the form, in the order readers see them:
    dragged into place, or moved with the up and down buttons (the script,
    ``static/articles/admin/story-form.js``, writes the order numbers)."""

    model = Byline
    formset = BylineFormSet
    template = "admin/articles/article/byline_inline.html"
    extra = 1
    fields = ["author", "role", "order"]
    ordering = ["order", "pk"]
    autocomplete_fields = ["author"]
    BYLINE_LABELS = {"author": _("Author"), "role": _("Role"), "order": _("Order")}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        step = (
            workflow.requested_step(request.POST) if request.method == "POST" else None
        )
        return type(
            formset.__name__,
            (formset,),
            {
                "workflow_step": step,
                "override_warnings": request.method == "POST"
                and OVERRIDE in request.POST,
            },
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        label = self.BYLINE_LABELS.get(db_field.name)
        if field is not None and label:
            # A table cell has no <label>: name each control for screen readers.
            field.widget.attrs["aria-label"] = label
            if db_field.name == "order":
                field.widget.attrs["class"] = "byline-order"
        return field

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
        # Pending changes carry bylines too (ArticleAdmin refuses any other
        # POST from someone who may only stage).
        return (
            obj is None
            or workflow.can_edit(request.user, obj)
            or workflow.can_stage(request.user, obj)
        )


@admin.register(Article)
class ArticleAdmin(
    StoryConflictMixin, StoryRevisionsMixin, PendingChangesMixin, admin.ModelAdmin
):
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
    # The headline is the link: a picture with empty alt text would be a link
    # with no name for a screen reader.
    list_display_links = ["headline"]
    # The desk's list (templates/admin/change_list.html, desk.css): a wide
    # headline column, the filters folded above it, cards on a phone.
    change_list_template = "admin/articles/story_list.html"
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
    # No prepopulated_fields: Django's script cuts the slug mid-word at the
    # column's length. The form's script makes it from the headline, cut
    # between words (articles.slugs), and so does the server when it is empty.
    inlines = [BylineInline]
    actions = ["publish", "schedule", "unpublish"]
    # The change form (templates/admin/articles/article/change_form.html)
    # puts the bylines right after the first fieldset.
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek"]}),
        (None, {"fields": ["body"], "classes": ["story-body"]}),
        (
            _("Lead image"),
            {
                "fields": [
                    "lead_image",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        (_("Filing"), {"fields": ["section", "tags", "language", "translation_of"]}),
        (
            _("Search and social"),
            {
                "fields": ["seo_headline", "seo_description", "social_image"],
                "classes": ["collapse"],
                "description": _(
                    "Optional: what search engines, social cards and feeds show "
                    "instead of the headline, standfirst and lead image."
                ),
            },
        ),
        (
            _("Publishing"),
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

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": gettext("Stories"), **(extra_context or {})}
        )

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
        # A reporter's own published story: pending changes only
        # (PendingChangesMixin.changeform_view refuses any other POST).
        return allowed and (
            workflow.can_edit(request.user, obj)
            or workflow.can_stage(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if obj is None:
            return allowed
        return allowed and workflow.can_edit(request.user, obj)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # A colleague's story is hidden by get_queryset(), but it is there:
        # say so (without its headline) rather than "Perhaps it was deleted?".
        if str(object_id).isdigit() and Article.objects.filter(pk=object_id).exists():
            self.message_user(
                request,
                gettext(
                    "You may not edit that story: reporters edit only the stories "
                    "they wrote. Ask an editor if you need it."
                ),
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        return super()._get_obj_does_not_exist_redirect(request, opts, object_id)

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
                "editor": request.user,
                "override_warnings": request.method == "POST"
                and OVERRIDE in request.POST,
                "conflict_merge": request.method == "POST" and MERGE in request.POST,
            },
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and request.POST.get(OVERRIDE) in PUBLISHING_STEPS:
            # "Publish anyway" names the step it repeats: press that button too.
            post = request.POST.copy()
            post[post[OVERRIDE]] = "1"
            request.POST = post
        if request.method == "POST":
            step = workflow.requested_step(request.POST)
            if not workflow.may_take_step(request.user, step):
                raise PermissionDenied
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.MediaUnavailable as error:
            # Rolled back, no file left behind. The form is shown again, with
            # what the editor typed and the storage's error next to the
            # picture: the second pass's form refuses to validate.
            request.media_error = str(error)
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StoryChanged:
            # Saved by someone else after the form's own check: rolled back,
            # nothing stored. Run again, the form now sees the new version
            # and the editor gets the conflict screen, with all they sent.
            return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        form = context["adminform"].form
        if request.method == "POST":
            # Shown again after an error: the pictures sent with it are kept.
            form.keep_uploads()
        formsets = [
            inline.formset for inline in context.get("inline_admin_formsets", [])
        ]
        if change and form.story_changed:
            conflict = self.story_conflict(request, obj, form, formsets)
            if conflict is not None and not form.conflict_merge:
                return self.conflict_response(request, conflict, form)
            if conflict is not None:
                context.update(self.merge_context(conflict, form, formsets))
        step = (
            workflow.requested_step(request.POST) if request.method == "POST" else None
        )
        context.update(
            {
                "workflow_buttons": self.workflow_buttons(
                    request, self._stored_state(obj)
                ),
                "show_override": step is not None
                and workflow.can_publish(request.user)
                and (
                    form.has_overridable_warnings
                    or any(f.has_overridable_warnings for f in formsets)
                ),
                "override_name": OVERRIDE,
                "override_step": step,
                "headline_limit": HEADLINE_LIMIT,
                "body_image_url": reverse("admin:articles_article_body_image"),
                "tag_suggestions_url": reverse(
                    "admin:articles_article_tag_suggestions"
                ),
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _stored_state(self, obj):
        """The story's state as stored (the form may hold unsaved changes)."""
        if obj is None or obj.pk is None:
            return None
        return Article.objects.only("status", "published_at").filter(pk=obj.pk).first()

    def workflow_buttons(self, request, stored):
        """The buttons that apply to the user's role and the story's stored
        state (``stored``: None on the add page): (name, label, is_default).

        A draft or a story in review can be published or scheduled; a live
        story can be updated or taken down; a scheduled one published at once
        or taken back to draft. Nothing is offered that would do nothing.
        """
        live = stored is not None and stored.is_published
        scheduled = stored is not None and stored.is_scheduled
        if workflow.can_publish(request.user):
            if live:
                return [
                    ("_save", gettext("Update"), True),
                    (workflow.UNPUBLISH, gettext("Unpublish"), False),
                ]
            if scheduled:
                return [
                    ("_save", gettext("Save"), True),
                    (workflow.PUBLISH_NOW, gettext("Publish now"), False),
                    (workflow.UNPUBLISH, gettext("Back to draft"), False),
                ]
            return [
                ("_save", gettext("Save draft"), True),
                (workflow.PUBLISH_NOW, gettext("Publish now"), False),
                (workflow.SCHEDULE, pgettext("verb", "Schedule"), False),
            ]
        if stored is not None and stored.status == Article.Status.REVIEW:
            return [("_save", gettext("Save"), True)]
        return [
            ("_save", gettext("Save draft"), True),
            (workflow.SUBMIT_FOR_REVIEW, gettext("Submit for review"), False),
        ]

    def save_model(self, request, obj, form, change):
        """The workflow's checks only: ``save_related()`` saves the story,
        through ``services.save_story()``, with its bylines and tags."""
        if staging.requested_step(request.POST):
            return  # pending changes: the story's row is not written
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
        if staging.requested_step(request.POST):
            return self.stage_changes(request, form, formsets)
        if form.translation_sent:
            # Sets the story's group before the save below records it.
            services.link_translation(
                form.instance, form.cleaned_data["translation_of"], by=request.user
            )
        # The row, then the inlines and tags, then the revision that includes them.
        services.save_story(
            form.instance,
            by=request.user,
            related=partial(super().save_related, request, form, formsets, change),
            expected_version=form.cleaned_data["version"] if change else None,
        )
        for kept in form.taken_uploads:
            # Stored with the story: the kept copy goes once that commits.
            transaction.on_commit(partial(uploads.discard, kept))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "body-image/",
                wrap(partial(editor_views.body_image_upload, self)),
                name="articles_article_body_image",
            ),
            path(
                "translation-choices/",
                wrap(partial(translations.translation_choices, self)),
                name="articles_article_translation_choices",
            ),
            path(
                "tag-suggestions/",
                wrap(partial(editor_views.tag_suggestions, self)),
                name="articles_article_tag_suggestions",
            ),
            *super().get_urls(),
        ]

    @property
    def media(self):
        return super().media + forms.Media(
            css={
                "all": ["articles/admin/story-form.css", "articles/admin/conflict.css"]
            },
            js=["articles/admin/story-form.js"],
        )

    def response_change(self, request, obj):
        if staging.requested_step(request.POST):
            return self.staging_response(request, obj)
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
            return gettext("“%(story)s” was submitted for review.") % {"story": obj}
        if step == workflow.UNPUBLISH:
            return gettext("“%(story)s” was unpublished and is a draft again.") % {
                "story": obj
            }
        if obj.is_scheduled:
            when = formats.date_format(
                timezone.localtime(obj.published_at), "DATETIME_FORMAT"
            )
            return gettext("“%(story)s” is scheduled for %(when)s.") % {
                "story": obj,
                "when": when,
            }
        return gettext("“%(story)s” is published.") % {"story": obj}

    @admin.display(description=_("status"), ordering="status")
    def workflow_status(self, article):
        pending = staging.list_label(article)
        label = workflow.status_label(article)
        return f"{label} · {pending}" if pending else label

    @admin.display(description=_("picture"))
    def thumbnail(self, article):
        """The smallest rendition (no query, no file access), else the original."""
        if not article.lead_image:
            return format_html('<span class="{}"></span>', "story-thumb-none")
        if article.lead_image_width:
            width = images.rendition_widths(article.lead_image_width)[0]
            name = images.rendition_name(article.lead_image.name, width, "jpg")
            url = article.lead_image.storage.url(name)
        else:
            url = article.lead_image.url
        return format_html(
            '<img src="{}" alt="" width="64" height="36" class="story-thumb">', url
        )

    @admin.display(description=_("bylines"))
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
                gettext(
                    "Not published: describe the lead image (alt text) first: "
                    "%(names)s."
                )
                % {"names": names},
                messages.WARNING,
            )

    @admin.action(
        description=_("Publish the selected stories"), permissions=["publish"]
    )
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
        description=_("Schedule the selected stories at their publication time"),
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
        description=_("Unpublish the selected stories (back to draft)"),
        permissions=["publish"],
    )
    def unpublish(self, request, queryset):
        self._check_publisher(request)
        count = services.unpublish_stories(queryset, by=request.user)
        message = ngettext(
            "%d story moved back to draft.", "%d stories moved back to draft.", count
        )
        self.message_user(request, message % count, messages.SUCCESS)
