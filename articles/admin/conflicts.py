"""The story admin's conflict screen: a save of a story that changed since
its form was opened.

The change form carries the version it was opened at. When the story is
stored at another one, by the form's own check or by the save's UPDATE
(``services.StoryChanged``, after which ``ArticleAdmin`` runs the form
again), the editor gets ``admin/articles/article/conflict.html`` instead of
a save: who saved in between and when, theirs against mine field by field,
and three ways on, each carrying mine in hidden fields so nothing typed is
lost:

- keep theirs: the fresh form (mine is dropped);
- keep mine: mine sent again, at the version just shown, through the same
  change view and its checks (and the workflow button first pressed);
- merge by hand: the change form again with mine in the fields, the
  current version, and theirs shown with each field that differs.

A mixin of ``ArticleAdmin``: its change view's object-level checks apply.
"""

from django.contrib.admin import helpers
from django.core.exceptions import NON_FIELD_ERRORS
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy

from articles import conflicts, staging, workflow
from articles.admin.forms import OVERRIDE, STORY_CHANGED, KeepingFileWidget

# The conflict screen's "Merge by hand" button.
MERGE = "_conflict_merge"
# Never carried on: a fresh token comes with the screen's own forms, and
# the version is the one the screen shows.
NOT_CARRIED = {"csrfmiddlewaretoken", "version", MERGE}
# What the change form's buttons send: kept for "keep mine", which repeats
# the step first asked for, dropped for "merge by hand", which saves nothing.
BUTTONS = {"_save", "_continue", "_addanother", "_saveasnew", OVERRIDE}
BUTTONS.update(workflow.ALL_BUTTONS, staging.BUTTONS)

# The rest of "Save your version over theirs, ...".
STEP_LABELS = {
    workflow.SUBMIT_FOR_REVIEW: pgettext_lazy("keep mine", "and submit it for review"),
    workflow.PUBLISH_NOW: pgettext_lazy("keep mine", "and publish it"),
    workflow.SCHEDULE: pgettext_lazy("keep mine", "and schedule it"),
    workflow.UNPUBLISH: pgettext_lazy("keep mine", "and unpublish it"),
}


class StoryConflictMixin:
    conflict_template = "admin/articles/article/conflict.html"

    def story_conflict(self, request, obj, form, formsets):
        return conflicts.load(
            obj.pk,
            form,
            formsets,
            opened_version=form.cleaned_data.get("version", 0)
            if hasattr(form, "cleaned_data")
            else 0,
        )

    def conflict_response(self, request, conflict, form):
        """Template admin/articles/article/conflict.html: theirs against mine,
        keep theirs, keep mine, merge by hand."""
        story = conflict.story
        carried = carried_fields(request.POST, form)
        step = workflow.requested_step(request.POST)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": story,
            "title": gettext("“%(story)s” was changed while you were editing it")
            % {"story": story},
            "conflict": conflict,
            "changes": conflict.changes,
            "keep_mine_fields": carried,
            "merge_fields": [(k, v) for k, v in carried if k not in BUTTONS],
            "merge_name": MERGE,
            "step_label": STEP_LABELS.get(step, ""),
        }
        # 409: the save was refused because of the story's state; the page
        # is the way on, not an error of the editor's.
        return TemplateResponse(request, self.conflict_template, context, status=409)

    def merge_context(self, conflict, form, formsets) -> dict:
        """The change form again, for merging by hand: mine in the fields, the
        version just read, and theirs shown with each field that differs."""
        data = form.data.copy()
        data[form.add_prefix("version")] = str(conflict.story.version)
        form.data = data
        errors = form.errors.get(NON_FIELD_ERRORS)
        if errors is not None:
            errors.data = [
                error
                for error in errors.as_data()
                if getattr(error, "code", None) != STORY_CHANGED
            ]
            if not errors.data:
                del form.errors[NON_FIELD_ERRORS]
        notes = {}
        for change in conflict.changes:
            note = render_to_string(
                "admin/articles/article/includes/conflict_theirs.html",
                {"change": change, "conflict": conflict},
            )
            notes[change["key"]] = note
            field = form.fields.get(change["key"])
            if field is not None:
                field.help_text = format_html("{}{}", note, field.help_text or "")
                # The bound field copied the help text when it was made.
                form[change["key"]].help_text = field.help_text
        return {
            "story_conflict": conflict,
            "conflict_notes": notes,
            "errors": helpers.AdminErrorList(form, formsets),
        }


def carried_fields(post, form) -> list[tuple[str, str]]:
    """The sent form as (name, value) pairs for hidden inputs; pictures as
    the tokens of their kept copies (``ArticleForm.keep_uploads()``)."""
    kept = {}
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, KeepingFileWidget) and widget.kept is not None:
            kept[widget.kept_name(form.add_prefix(name))] = str(widget.kept.token)
    pairs = [
        (name, value)
        for name, values in post.lists()
        if name not in NOT_CARRIED and name not in kept
        for value in values
    ]
    return pairs + list(kept.items())
