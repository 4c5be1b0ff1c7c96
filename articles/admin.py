"""Editors' screens: stories with their bylines and tags, sections, authors.

The editorial workflow (who may see, change, publish a story) is decided in
``articles.workflow`` and enforced here on every view, inline and action.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from articles import images, redirects, revisions, tracking, workflow
from articles.models import Article, ArticleRevision, Author, Byline, Section


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


class AuthorListFilter(admin.SimpleListFilter):
    """Stories by one person, whatever their role in the byline."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        return list(Author.objects.values_list("pk", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.by_author(int(value))


class WorkflowStateFilter(admin.SimpleListFilter):
    """Draft, in review, scheduled (published, time to come) or live."""

    title = "workflow state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("published", "Published (live)"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case "draft":
                return queryset.filter(status=Article.Status.DRAFT)
            case "review":
                return queryset.filter(status=Article.Status.REVIEW)
            case "scheduled":
                return queryset.scheduled(now)
            case "published":
                return queryset.published(now)
        return queryset


class ArticleForm(forms.ModelForm):
    """Applies the pressed workflow button to the form's status and time.

    Done in clean(), before the model's own validation runs, so a story is
    validated as it will be saved (e.g. alt text required to publish).
    """

    workflow_step = None  # set per request by ArticleAdmin.get_form
    workflow_applied = False

    def clean(self):
        cleaned = super().clean()
        step = self.workflow_step
        if step is None:
            return cleaned
        if step == workflow.SUBMIT_FOR_REVIEW and self.instance.pk:
            if self.instance.status not in (
                Article.Status.DRAFT,
                Article.Status.REVIEW,
            ):
                self.add_error(None, "Only a draft can be submitted for review.")
            return cleaned
        if step in workflow.EDITOR_BUTTONS and "status" in self.fields:
            probe = Article(
                status=cleaned.get("status") or self.instance.status,
                published_at=cleaned.get("published_at"),
            )
            try:
                workflow.apply_step(probe, step)
            except workflow.WorkflowError as error:
                self.add_error("published_at", str(error))
            else:
                cleaned["status"] = probe.status
                cleaned["published_at"] = probe.published_at
                self.workflow_applied = True
        return cleaned


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "thumbnail",
        "headline",
        "section",
        "workflow_status",
        "published_at",
        "byline_names",
        "is_top_story",
        "views_total",
        "views_week",
    ]
    list_display_links = ["thumbnail", "headline"]
    list_select_related = ["section"]
    list_filter = [
        WorkflowStateFilter,
        "status",
        "section",
        "tags",
        AuthorListFilter,
        "is_top_story",
    ]
    search_fields = ["headline", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline]
    readonly_fields = ["views_per_day"]
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
        ("Readers", {"fields": ["views_per_day"], "classes": ["collapse"]}),
    ]

    # Permissions: model-level from the user's groups, object-level from
    # articles.workflow. get_queryset narrows every view (change, history,
    # delete, actions, revisions) to the stories the user may see.

    def get_queryset(self, request):
        # The byline column reads prefetched rows: no query per story.
        bylines = Byline.objects.select_related("author").order_by("order", "pk")
        # View counts are annotations (articles.tracking): sortable, no N+1.
        queryset = tracking.with_view_counts(
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
        return type(form.__name__, (form,), {"workflow_step": step})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            step = workflow.requested_step(request.POST)
            if not workflow.may_take_step(request.user, step):
                raise PermissionDenied
        extra_context = {
            **(extra_context or {}),
            "workflow_buttons": self.workflow_buttons(request, object_id),
        }
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
        old_url = redirects.public_url(obj.pk) if change else None
        old_image = (
            Article.objects.filter(pk=obj.pk)
            .values_list("lead_image", "lead_image_width")
            .first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        redirects.record_url_change(obj, old_url)
        images.make_renditions(obj.lead_image)
        if old_image and old_image[0] != obj.lead_image.name:
            images.forget_unused(*old_image)

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
        super().save_related(request, form, formsets, change)
        # After the inlines and tags: the revision includes them.
        revisions.record(form.instance, request.user)

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

    @admin.display(description="views", ordering="total_views")
    def views_total(self, article):
        return intcomma(article.total_views)

    @admin.display(description="views, 7 days", ordering="views_7d")
    def views_week(self, article):
        return intcomma(article.views_7d)

    @admin.display(description="views per day, last 30 days")
    def views_per_day(self, article):
        if article.pk is None:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            (
                (date_format(day, "D j M Y"), intcomma(count))
                for day, count in tracking.daily_views(article, 30)
            ),
        )
        return format_html(
            "<table><thead><tr><th>Day</th><th>Views</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    # Actions: only for publish_article holders (Django drops them from the
    # menu and refuses a forged POST), and each re-checks before writing.

    def _check_publisher(self, request):
        if not workflow.can_publish(request.user):
            raise PermissionDenied

    def _record_all(self, request, pks):
        revisions.record_many(pks, request.user)

    def _ready_to_publish(self, request, queryset):
        """Stories that may go live; warns about those with a lead image but
        no alt text (the per-story buttons refuse those too)."""
        missing_alt = queryset.filter(lead_image_alt="").exclude(lead_image="")
        blocked = list(missing_alt.values_list("headline", flat=True)[:6])
        if blocked:
            names = ", ".join(f"“{headline}”" for headline in blocked[:5])
            if len(blocked) > 5:
                names += ", …"
            self.message_user(
                request,
                f"Not published: describe the lead image (alt text) first: {names}.",
                messages.WARNING,
            )
        return queryset.exclude(pk__in=missing_alt.values("pk"))

    @admin.action(description="Publish the selected stories", permissions=["publish"])
    def publish(self, request, queryset):
        """One UPDATE; stories that already have a publication time keep it.

        Stories with a lead image but no alt text are left as they are.
        """
        self._check_publisher(request)
        now = timezone.now()
        queryset = self._ready_to_publish(request, queryset)
        pks = list(queryset.values_list("pk", flat=True))
        count = Article.objects.filter(pk__in=pks).update(
            status=Article.Status.PUBLISHED,
            published_at=Coalesce(F("published_at"), Value(now)),
            updated_at=now,
        )
        self._record_all(request, pks)
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
        now = timezone.now()
        ready = self._ready_to_publish(request, queryset)
        pks = list(ready.filter(published_at__gt=now).values_list("pk", flat=True))
        count = Article.objects.filter(pk__in=pks).update(
            status=Article.Status.PUBLISHED, updated_at=now
        )
        self._record_all(request, pks)
        skipped = ready.count() - count
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
        pks = list(queryset.values_list("pk", flat=True))
        count = Article.objects.filter(pk__in=pks).update(
            status=Article.Status.DRAFT, updated_at=timezone.now()
        )
        self._record_all(request, pks)
        message = ngettext(
            "%d story moved back to draft.", "%d stories moved back to draft.", count
        )
        self.message_user(request, message % count, messages.SUCCESS)

    # Revisions: history, diff, restore, behind the same object-level checks.

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/revisions/",
                wrap(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                wrap(self.revision_diff_view),
                name="articles_article_revision",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                wrap(self.revision_restore_view),
                name="articles_article_revision_restore",
            ),
            *super().get_urls(),
        ]

    def _visible_story(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such story.")
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _may_restore(self, request, obj):
        return workflow.can_publish(request.user) and self.has_change_permission(
            request, obj
        )

    def _revision_context(self, request, obj, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "may_restore": self._may_restore(request, obj),
            **extra,
        }

    def revisions_view(self, request, object_id):
        """Template admin/articles/article/revisions.html: who, when, what."""
        obj = self._visible_story(request, object_id)
        rows = list(
            ArticleRevision.objects.filter(article=obj)
            .select_related("created_by")
            .defer("data")
            .order_by("-created_at", "-pk")
        )
        context = self._revision_context(
            request, obj, title=f"Revisions of “{obj}”", revisions=rows
        )
        return TemplateResponse(
            request, "admin/articles/article/revisions.html", context
        )

    def revision_diff_view(self, request, object_id, revision_id):
        """Template admin/articles/article/revision_diff.html.

        Compares a revision with ``?against=<id>`` (another revision of the
        same story), by default the one before it.
        """
        obj = self._visible_story(request, object_id)
        revision = get_object_or_404(
            ArticleRevision.objects.select_related("created_by"),
            pk=revision_id,
            article=obj,
        )
        story_revisions = ArticleRevision.objects.filter(article=obj)
        against_id = request.GET.get("against", "")
        if against_id.isdigit():
            against = get_object_or_404(story_revisions, pk=int(against_id))
        else:
            against = (
                story_revisions.filter(
                    Q(created_at__lt=revision.created_at)
                    | Q(created_at=revision.created_at, pk__lt=revision.pk)
                )
                .order_by("-created_at", "-pk")
                .first()
            )
        old, new = (against, revision)
        if against is not None and (against.created_at, against.pk) > (
            revision.created_at,
            revision.pk,
        ):
            old, new = revision, against
        changes = revisions.diff(old.data if old else {}, new.data)
        context = self._revision_context(
            request,
            obj,
            title=f"Changes to “{obj}”",
            old=old,
            new=new,
            changes=changes,
        )
        return TemplateResponse(
            request, "admin/articles/article/revision_diff.html", context
        )

    def revision_restore_view(self, request, object_id, revision_id):
        """Template admin/articles/article/revision_restore.html (confirm)."""
        obj = self._visible_story(request, object_id)
        if not self._may_restore(request, obj):
            raise PermissionDenied
        revision = get_object_or_404(ArticleRevision, pk=revision_id, article=obj)
        if request.method == "POST":
            revisions.restore(revision, request.user)
            self.log_change(request, obj, f"Restored revision {revision.pk}.")
            when = date_format(
                timezone.localtime(revision.created_at), "DATETIME_FORMAT"
            )
            self.message_user(
                request,
                f"“{obj}” was restored to the version of {when}.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        changes = revisions.diff(revisions.snapshot(obj), revision.data)
        context = self._revision_context(
            request,
            obj,
            title=f"Restore “{obj}”?",
            revision=revision,
            changes=changes,
        )
        return TemplateResponse(
            request, "admin/articles/article/revision_restore.html", context
        )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "user"]
    list_select_related = ["user"]
    search_fields = ["name", "job_title"]
    prepopulated_fields = {"slug": ["name"]}
