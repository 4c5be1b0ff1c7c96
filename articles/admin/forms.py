"""The story change form: limits said out loud, uploads kept, warnings.

- The headline has a live counter and a stated limit (``HEADLINE_LIMIT``);
  the browser is not told to stop typing (``maxlength`` cut a pasted headline
  silently), the form refuses more and says why. The same for every text field
  with a limit here: nothing is cut.
- The slug may be left empty: it is then made from the headline, cut between
  words (``articles.slugs``); one typed by hand longer than the column is an
  error.
- A picture that passed its checks survives an error elsewhere in the form:
  kept server-side (``articles.uploads``), shown as "kept: photo.jpg", and
  taken back by the next submit.
- Publishing without a byline or with a body picture lacking alt text is
  held back with a warning that an editor may override ("Publish anyway").
- The form carries the story's version it was opened at (a hidden field):
  a story saved by someone else since is not overwritten, the editor gets
  the conflict screen (``articles.conflicts``, ``ArticleAdmin``).
"""

import re

from django import forms
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget

from articles import bodyimages, slugs, uploads, workflow
from articles.admin.translations import TranslationForm
from articles.images import CleanImage, CleanImageFormField
from articles.models import HEADLINE_LIMIT, Article

# The button that publishes despite the warnings (the submit row shows it).
OVERRIDE = "_override_warnings"
# Warnings an editor may override carry this code.
NEEDS_OVERRIDE = "needs_override"
# The steps that make a story public, where warnings apply.
PUBLISHING_STEPS = (workflow.PUBLISH_NOW, workflow.SCHEDULE)
# Reading speed for the reading time, in words a minute.
WORDS_PER_MINUTE = 230
# The error of a form opened at an older version of the story.
STORY_CHANGED = "story_changed"


def word_count(html: str) -> int:
    """Words in a body (its text, tags left out): as the editor counts them."""
    text = re.sub(r"<[^>]+>", " ", html or "")
    return len(text.split())


def reading_minutes(words: int) -> int:
    """Whole minutes, at least one for any text."""
    return 0 if not words else max(1, round(words / WORDS_PER_MINUTE))


class KeepingFileWidget(AdminFileWidget):
    """The admin's file input, plus the picture kept from the last submit."""

    kept = None  # a KeptUpload, set by ArticleForm.keep_uploads()
    # A <label for> on the file input itself (inside a <fieldset> it had
    # only the legend, which leaves the input without a name for axe).
    use_fieldset = False

    def kept_name(self, name):
        return f"{name}_kept"

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if self.kept is None:
            return html
        note = format_html(
            gettext(
                "<strong>kept: {name}</strong> ({width} × {height} pixels). Not "
                "saved yet: it is stored with the story when the form is saved. "
                "Choose another file to replace it."
            ),
            name=self.kept.original_name or gettext("your picture"),
            width=self.kept.width,
            height=self.kept.height,
        )
        return html + format_html(
            '<p class="kept-upload" role="status">'
            '<input type="hidden" name="{}" value="{}">{}</p>',
            self.kept_name(name),
            self.kept.token,
            note,
        )


class BodyEditorWidget(AdminProseEditorWidget):
    """The body's rich-text editor (django-prose-editor), with spell-check on
    and the picture block (``static/articles/admin/body-figure.js``)."""

    def get_config(self):
        original = self.config
        self.config = {
            **original,
            "extensions": {
                **original.get("extensions", {}),
                # The editor turns the browser's spell-check off unless told.
                "NoSpellCheck": False,
                "BodyFigure": True,
            },
        }
        try:
            config = super().get_config()
        finally:
            self.config = original
        config["js_modules"] = [
            *config.get("js_modules", []),
            static("articles/admin/body-figure.js"),
        ]
        return config


# Django fills in the limit and the length sent (MaxLengthValidator's params).
HEADLINE_TOO_LONG = _(
    "A headline has at most %(limit_value)d characters (this one has "
    "%(show_value)d): longer ones run past three lines on story cards and are "
    "cut off in search results, feeds and social cards. Shorten it; nothing is "
    "cut for you."
)
SLUG_TOO_LONG = _(
    "An address has at most %(limit_value)d characters (this one has "
    "%(show_value)d): that is what the database keeps. Shorten it; nothing is "
    "cut for you."
)


class ArticleForm(TranslationForm):
    """Applies the pressed workflow button to the form's status and time.

    Done in clean(), before the model's own validation runs, so a story is
    validated as it will be saved (e.g. alt text required to publish).
    """

    workflow_step = None  # set per request by ArticleAdmin.get_form
    workflow_applied = False
    # Set by ArticleAdmin when the media storage refused this very POST's
    # picture (services.MediaUnavailable): the form shows it as its error.
    media_error = None
    editor = None  # the user sending the form (ArticleAdmin.get_form)
    override_warnings = False  # "Publish anyway" was pressed
    # "Merge by hand" on the conflict screen: shown again, never saved.
    conflict_merge = False

    # The story's version when the form was opened, sent back with it; the
    # save is refused if the story is stored at another one. Text, not a
    # number field: a missing or forged value is a conflict, not an error
    # on a field nobody can see.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.taken_uploads = []  # kept uploads this submit took back
        self._kept = {}
        self.story_changed = False
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
        headline = self.fields.get("headline")
        if headline is not None:
            # Two lines tall and the page's width: a long headline is seen
            # whole. One line all the same: line breaks become spaces.
            headline.widget = forms.Textarea(attrs={"rows": 2})
            headline.widget.attrs.update(
                {
                    "class": "story-headline",
                    "data-limit": HEADLINE_LIMIT,
                    "autocomplete": "off",
                    "spellcheck": "true",
                }
            )
            headline.error_messages["max_length"] = HEADLINE_TOO_LONG
            headline.help_text = gettext(
                "Up to %(limit)s characters: longer headlines do not fit story "
                "cards and are cut off by search engines and feed readers."
            ) % {"limit": HEADLINE_LIMIT}
        slug = self.fields.get("slug")
        if slug is not None:
            slug.required = False
            slug.widget.attrs.pop("maxlength", None)
            slug.widget.attrs["data-from-headline"] = slugs.SLUG_FROM_HEADLINE
            if slugs.romanize():
                # Romanised on save (articles/slugs.py): the script leaves it.
                slug.widget.attrs["data-romanize"] = "1"
            slug.widget.attrs["class"] = "vLargeTextField story-slug"
            slug.error_messages["max_length"] = SLUG_TOO_LONG
            slug.help_text = gettext(
                "The last part of the story's address. Left empty, it is made "
                "from the headline: up to %(limit)s characters, cut between words."
            ) % {"limit": slugs.SLUG_FROM_HEADLINE}
        for name in ("dek", "seo_headline", "seo_description", "lead_image_alt"):
            field = self.fields.get(name)
            if field is not None and getattr(field, "max_length", None):
                field.widget.attrs.pop("maxlength", None)
                field.widget.attrs["data-limit"] = field.max_length
        if "dek" in self.fields:
            self.fields["dek"].widget.attrs["rows"] = 3
        body = self.fields.get("body")
        if body is not None and isinstance(body.widget, AdminProseEditorWidget):
            body.widget = BodyEditorWidget(
                attrs=body.widget.attrs,
                config=body.widget.config,
                preset=body.widget.preset,
            )
        tags = self.fields.get("tags")
        if tags is not None:
            tags.widget.attrs.update(
                {"class": "vLargeTextField story-tags", "autocomplete": "off"}
            )
            tags.help_text = gettext(
                "Separate tags with commas. Suggestions come from the tags "
                "stories already use."
            )
        for field in self.fields.values():
            if isinstance(field, CleanImageFormField):
                field.widget = KeepingFileWidget(attrs=field.widget.attrs)

    # The reading figures shown under the body when the page opens (the
    # editor's script keeps them current).

    @property
    def body_words(self) -> int:
        value = self["body"].value() if "body" in self.fields else ""
        return word_count(value or "")

    @property
    def body_minutes(self) -> int:
        return reading_minutes(self.body_words)

    def clean_version(self):
        """The version the form was opened at; 0 (no story has it) when it is
        missing or not a number."""
        value = (self.cleaned_data.get("version") or "").strip()
        return int(value) if value.isdecimal() else 0

    def clean_headline(self):
        return " ".join((self.cleaned_data.get("headline") or "").split())

    def clean_slug(self):
        slug = (self.cleaned_data.get("slug") or "").strip()
        if slug:
            return slug
        headline = self.cleaned_data.get("headline") or ""
        slug = slugs.slug_from(headline)
        if headline and not slug:
            raise ValidationError(
                gettext("This headline gives no address: type a slug."),
                code="no_slug",
            )
        return slug

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            if isinstance(field, CleanImageFormField) and name not in self._errors:
                self._take_kept(name)

    def _take_kept(self, name):
        """No new file (and no "clear"): the kept one of the last submit."""
        value = self.cleaned_data.get(name)
        if isinstance(value, CleanImage) or value is False:
            return
        token = self.data.get(self.fields[name].widget.kept_name(self.add_prefix(name)))
        if not token:
            return
        kept = uploads.find(token, owner=self.editor)
        if kept is None:
            return
        self.cleaned_data[name] = uploads.take(kept)
        self._kept[name] = kept
        self.fields[name].widget.kept = kept
        self.taken_uploads.append(kept)

    def keep_uploads(self):
        """The form is shown again: keep what was uploaded with it, for the
        editor's next submit (called by ArticleAdmin.render_change_form)."""
        if self.editor is None or not self.is_bound:
            return
        for name, field in self.fields.items():
            if not isinstance(field, CleanImageFormField) or name in self._kept:
                continue
            value = getattr(self, "cleaned_data", {}).get(name)
            if not isinstance(value, CleanImage):
                continue
            upload = self.files.get(self.add_prefix(name))
            try:
                kept = uploads.keep(
                    value,
                    owner=self.editor,
                    client_name=getattr(upload, "name", ""),
                )
            except OSError:
                # The storage refuses (full, read-only): the form is shown
                # again without the kept picture, never a 500.
                continue
            self._kept[name] = kept
            field.widget.kept = kept

    @property
    def has_overridable_warnings(self) -> bool:
        return any(
            error.code == NEEDS_OVERRIDE
            for errors in self.errors.as_data().values()
            for error in errors
        )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and (
            self.conflict_merge or cleaned.get("version") != self.instance.version
        ):
            # An early look, for the conflict screen; the save's own UPDATE
            # is what refuses a story changed after this point.
            self.story_changed = True
            self.add_error(
                None,
                ValidationError(
                    gettext("Someone else saved this story since you opened it."),
                    code=STORY_CHANGED,
                ),
            )
        if self.media_error:
            field = "lead_image" if "lead_image" in self.fields else None
            self.add_error(field, self.media_error)
        step = self.workflow_step
        if step in PUBLISHING_STEPS and not self.override_warnings:
            missing = bodyimages.missing_alt_text(cleaned.get("body") or "")
            if missing and "body" in self.fields:
                self.add_error(
                    "body",
                    ValidationError(
                        ngettext(
                            "%(n)d picture in the body has no alt text: describe "
                            "it for readers who cannot see it, or press "
                            "“Publish anyway”.",
                            "%(n)d pictures in the body have no alt text: "
                            "describe them for readers who cannot see them, or "
                            "press “Publish anyway”.",
                            missing,
                        ),
                        code=NEEDS_OVERRIDE,
                        params={"n": missing},
                    ),
                )
        if step is None:
            return cleaned
        if step == workflow.SUBMIT_FOR_REVIEW and self.instance.pk:
            if self.instance.status not in (
                Article.Status.DRAFT,
                Article.Status.REVIEW,
            ):
                self.add_error(
                    None, gettext("Only a draft can be submitted for review.")
                )
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


class BylineFormSet(forms.BaseInlineFormSet):
    """Bylines in the order the editor put them (drag, or the move buttons;
    without the script, the order numbers typed), numbered 0, 1, 2 on save;
    publishing without one is held back with a warning."""

    workflow_step = None  # set per request by BylineInline.get_formset
    override_warnings = False

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            # A table cell has no <label>; on a phone the column head is hidden.
            form.fields["DELETE"].widget.attrs["aria-label"] = gettext(
                "Remove this byline"
            )

    def _live_forms(self):
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("author")
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        live = self._live_forms()
        ranked = sorted(
            enumerate(live),
            key=lambda item: (item[1].cleaned_data.get("order") or 0, item[0]),
        )
        for position, (_index, form) in enumerate(ranked):
            form.cleaned_data["order"] = position
            form.instance.order = position
        if (
            self.workflow_step in PUBLISHING_STEPS
            and not self.override_warnings
            and not live
        ):
            raise ValidationError(
                gettext(
                    "This story has no byline. Add one (start typing a name), or "
                    "press “Publish anyway” to publish it without."
                ),
                code=NEEDS_OVERRIDE,
            )

    @property
    def has_overridable_warnings(self) -> bool:
        return any(
            error.code == NEEDS_OVERRIDE for error in self.non_form_errors().as_data()
        )
