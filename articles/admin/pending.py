"""The story admin's pending changes (``articles.staging``): saved from the
change form instead of going live, reopened in it, reviewed, published,
scheduled and discarded on their own screen.

A mixin of ``ArticleAdmin``. The change form's buttons (``staging.BUTTONS``)
go through the admin's own form handling, so a bad value is shown next to its
field with what was typed; then ``stage_changes()`` writes the pending changes
instead of the story (``ArticleAdmin.save_model()``/``save_related()`` hand
over to it). Who may do what is ``articles.workflow``: ``can_stage()`` to save
and submit, ``can_publish()`` to publish and schedule.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import staging, workflow
from articles.models import Article, Byline, PendingChange

# Form fields a pending change does not carry: changing them needs the live
# story itself ("Update"), so staging refuses them rather than drop them.
NOT_STAGED = (
    "slug",
    "lead_image",
    "social_image",
    *workflow.PUBLISHING_FIELDS,
)
ACTIONS = ("submit", "publish", "schedule", "unschedule", "discard")
EDITOR_ACTIONS = ("publish", "schedule", "unschedule")


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish the changes at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_(
            "In the newsroom's time zone. Readers see the live version until then."
        ),
    )

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError(_("Choose a time in the future."), code="past")
        return value


def _when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


class PendingChangesMixin:
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/pending/",
                wrap(self.pending_view),
                name="articles_article_pending",
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        # One join: the list's status column and the change form read them.
        # The changelist adds list_select_related only to a queryset that
        # has none: name those here too.
        related = self.list_select_related
        extra = related if isinstance(related, list | tuple) else ()
        return super().get_queryset(request).select_related("pending_change", *extra)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self._stages_only(request, obj):
            fields += [f for f in NOT_STAGED if f not in fields]
        return fields

    def _stages_only(self, request, obj) -> bool:
        """A reporter on their published story: pending changes, nothing else."""
        return not workflow.can_edit(request.user, obj) and workflow.can_stage(
            request.user, obj
        )

    def _pending_of(self, obj):
        return None if obj is None else staging.pending_for(obj)

    # The change form.

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        pending = self._pending_of(obj) if request.method != "POST" else None
        posted = request.method == "POST"
        step = staging.requested_step(request.POST) if posted else None
        if pending is None and step is None:
            return form
        initial = staging.form_initial(pending) if pending is not None else {}

        class PendingForm(form):
            """Opened on the pending changes; refuses, when staging, changes
            to fields pending changes do not carry."""

            def __init__(self, *args, **kwargs):
                if initial and not args and "data" not in kwargs:
                    kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
                super().__init__(*args, **kwargs)

            def clean(self):
                cleaned = super().clean()
                if step is not None:
                    for name in NOT_STAGED:
                        if name in self.fields and name in self.changed_data:
                            self.add_error(
                                name,
                                gettext(
                                    "Pending changes carry the text, section, "
                                    "bylines and tags only: change this on the "
                                    "live story, or after the changes are "
                                    "published."
                                ),
                            )
                return cleaned

        PendingForm.__name__ = form.__name__
        return PendingForm

    def get_formsets_with_inlines(self, request, obj=None):
        pending = self._pending_of(obj) if request.method != "POST" else None
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if pending is not None and inline.model is Byline:
                formset = pending_bylines_formset(formset, obj, pending)
            yield formset, inline

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            step = staging.requested_step(request.POST)
            obj = self.get_object(request, unquote(object_id)) if object_id else None
            if obj is None and step is not None:
                raise PermissionDenied  # nothing to stage on the add page
            if obj is not None:
                if step is None and not workflow.can_edit(request.user, obj):
                    raise PermissionDenied
                if step is not None and not workflow.can_stage(request.user, obj):
                    raise PermissionDenied
                if step == staging.PUBLISH_CHANGES and not workflow.can_publish(
                    request.user
                ):
                    raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def render_change_form(
        self, request, context, add=False, change=False, form_url="", obj=None
    ):
        if obj is not None and obj.pk is not None:
            stored = self._stored_state(obj)
            pending = self._pending_of(obj)
            if staging.stages(stored) and workflow.can_stage(request.user, obj):
                context["workflow_buttons"] = self.pending_buttons(
                    request, pending, context.get("workflow_buttons") or []
                )
                context["pending"] = pending
                context["pending_url"] = reverse(
                    "admin:articles_article_pending", args=[obj.pk]
                )
                context["stages_only"] = self._stages_only(request, obj)
                if pending is not None or context["stages_only"]:
                    # Only the pending changes' buttons: none writes the story.
                    context["show_save_and_continue"] = False
                    context["show_save_and_add_another"] = False
                    context["show_save_as_new"] = False
        return super().render_change_form(request, context, add, change, form_url, obj)

    def pending_buttons(self, request, pending, buttons):
        """The change form's buttons on a published story: with pending
        changes open, only theirs; otherwise the editor's buttons plus "Save
        as pending changes", or a reporter's two."""
        publisher = workflow.can_publish(request.user)
        if pending is not None:
            row = [(staging.STAGE, gettext("Save pending changes"), True)]
            if publisher:
                row.append(
                    (staging.PUBLISH_CHANGES, gettext("Publish pending changes"), False)
                )
            elif pending.state == PendingChange.State.DRAFT:
                row.append(
                    (
                        staging.SUBMIT_CHANGES,
                        gettext("Submit changes for review"),
                        False,
                    )
                )
            return row
        if publisher:
            default = [button for button in buttons if button[2]]
            rest = [button for button in buttons if not button[2]]
            stage = (staging.STAGE, gettext("Save as pending changes"), False)
            return [*default, stage, *rest]
        return [
            (staging.STAGE, gettext("Save pending changes"), True),
            (staging.SUBMIT_CHANGES, gettext("Submit changes for review"), False),
        ]

    def stage_changes(self, request, form, formsets):
        """Save what the form holds as the story's pending changes (called by
        ``save_related()`` in place of saving the story)."""
        step = staging.requested_step(request.POST)
        stored = Article.objects.select_related("section").get(pk=form.instance.pk)
        data = staging.data_from_form(form, formsets)
        pending = staging.stage(
            stored,
            data,
            by=request.user,
            submit=step == staging.SUBMIT_CHANGES,
        )
        request.staged = pending
        if step == staging.PUBLISH_CHANGES:
            try:
                staging.publish(pending, by=request.user)
            except staging.LiveChanged:
                request.staging_conflict = True
            else:
                request.staged = None

    def staging_response(self, request, obj):
        step = staging.requested_step(request.POST)
        change_url = reverse("admin:articles_article_change", args=[obj.pk])
        pending_url = reverse("admin:articles_article_pending", args=[obj.pk])
        if getattr(request, "staging_conflict", False):
            self.message_user(
                request,
                gettext(
                    "The live version of “%(story)s” changed since these changes "
                    "were made: nothing was published. Compare them below, then "
                    "publish anyway or edit the pending changes."
                )
                % {"story": obj},
                messages.WARNING,
            )
            return HttpResponseRedirect(pending_url)
        if step == staging.PUBLISH_CHANGES:
            message = gettext("The pending changes to “%(story)s” are published.")
        elif step == staging.SUBMIT_CHANGES:
            message = gettext(
                "The pending changes to “%(story)s” were submitted for review. "
                "Readers see the live version until an editor publishes them."
            )
        else:
            message = gettext(
                "The changes to “%(story)s” were saved as pending changes: "
                "readers see the live version until they are published."
            )
        message = message % {"story": obj}
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    def construct_change_message(self, request, form, formsets, add=False):
        if request.method == "POST" and staging.requested_step(request.POST):
            return ""  # nothing saved on the story; log_change() says what
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        posted = request.method == "POST"
        step = staging.requested_step(request.POST) if posted else None
        if step is not None:
            message = {
                staging.STAGE: "Saved pending changes.",
                staging.SUBMIT_CHANGES: "Submitted pending changes for review.",
                staging.PUBLISH_CHANGES: "Published pending changes.",
            }[step]
        return super().log_change(request, obj, message)

    # The pending changes' own screen.

    def pending_view(self, request, object_id):
        """Template admin/articles/article/pending.html: the pending changes
        against the live story, what changed on the live story since they
        were made, and the steps this user may take (POST ``action``)."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not workflow.can_stage(request.user, obj):
            raise Http404("No such story.")
        pending = staging.pending_for(obj)
        if pending is None:
            raise Http404("This story has no pending changes.")
        schedule_form = ScheduleForm()
        status = 200
        force = False
        if request.method == "POST":
            action = request.POST.get("action", "")
            if action not in ACTIONS:
                return HttpResponseBadRequest(gettext("Unknown action."))
            if action in EDITOR_ACTIONS and not workflow.can_publish(request.user):
                raise PermissionDenied
            if action == "submit":
                if pending.state != PendingChange.State.DRAFT:
                    return HttpResponseBadRequest(
                        gettext("These changes are already up for review or scheduled.")
                    )
                staging.submit(pending, by=request.user)
                self.message_user(
                    request,
                    gettext(
                        "The pending changes to “%(story)s” were submitted for review."
                    )
                    % {"story": obj},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(request.path)
            if action == "discard":
                staging.discard(pending)
                self.log_change(request, obj, "Discarded pending changes.")
                self.message_user(
                    request,
                    gettext(
                        "The pending changes to “%(story)s” were discarded; the "
                        "live version is unchanged."
                    )
                    % {"story": obj},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:articles_article_change", args=[obj.pk])
                )
            if action == "unschedule":
                staging.unschedule(pending, by=request.user)
                self.message_user(
                    request,
                    gettext("The update is no longer scheduled; it waits for review."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(request.path)
            if action == "schedule":
                schedule_form = ScheduleForm(request.POST)
                if schedule_form.is_valid():
                    when = schedule_form.cleaned_data["publish_at"]
                    staging.schedule(pending, when, by=request.user)
                    self.log_change(
                        request, obj, f"Scheduled pending changes for {_when(when)}."
                    )
                    self.message_user(
                        request,
                        gettext("The update to “%(story)s” is scheduled for %(when)s.")
                        % {"story": obj, "when": _when(when)},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(request.path)
                status = 400
            if action == "publish":
                force = request.POST.get("force") == "1"
                try:
                    staging.publish(pending, by=request.user, force=force)
                except staging.LiveChanged:
                    status = 409
                except PendingChange.DoesNotExist:
                    self.message_user(
                        request,
                        gettext("These changes were published or discarded meanwhile."),
                        messages.WARNING,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:articles_article_change", args=[obj.pk])
                    )
                else:
                    self.log_change(request, obj, "Published pending changes.")
                    self.message_user(
                        request,
                        gettext("The pending changes to “%(story)s” are published.")
                        % {"story": obj},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:articles_article_change", args=[obj.pk])
                    )
        live_changes = staging.live_changes(pending, obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": gettext("Pending changes to “%(story)s”") % {"story": obj},
            "pending": pending,
            "changes": staging.pending_diff(pending, obj),
            "live_changes": live_changes,
            "conflict": status == 409,
            "may_publish": workflow.can_publish(request.user),
            "schedule_form": schedule_form,
        }
        return TemplateResponse(
            request, "admin/articles/article/pending.html", context, status=status
        )


def pending_bylines_formset(formset_class, story, pending):
    """The byline formset opened on the pending bylines: the live rows kept
    for the bylines still there (in the pending order), the others marked
    for removal, and new rows for bylines the live story lacks. A save then
    posts what it would for the live story, so validation is the live
    formset's."""
    if "bylines" not in pending.data:
        return formset_class
    wanted = {}
    for author_id, _name, role, order in pending.data["bylines"]:
        wanted.setdefault((author_id, role), order)
    live = list(
        Byline.objects.filter(article=story)
        .select_related("author")
        .order_by("order", "pk")
    )
    have = {(row.author_id, row.role) for row in live}
    kept = sorted(
        (row for row in live if (row.author_id, row.role) in wanted),
        key=lambda row: wanted[(row.author_id, row.role)],
    )
    gone = [row for row in live if (row.author_id, row.role) not in wanted]
    rows = kept + gone
    new = [
        {"author": author_id, "role": role, "order": order}
        for (author_id, role), order in wanted.items()
        if (author_id, role) not in have
    ]

    class PendingBylines(formset_class):
        extra = len(new) + 1

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("initial", new)
            super().__init__(*args, **kwargs)

        def get_queryset(self):
            return rows

        def get_form_kwargs(self, index):
            kwargs = super().get_form_kwargs(index)
            if index is not None and index < len(rows):
                row = rows[index]
                key = (row.author_id, row.role)
                kwargs["initial"] = (
                    {"order": wanted[key]} if key in wanted else {"DELETE": True}
                )
            return kwargs

    PendingBylines.__name__ = formset_class.__name__
    return PendingBylines
