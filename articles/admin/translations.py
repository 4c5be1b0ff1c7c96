"""Linking a story to its translations from the story form.

``TranslationForm`` gives the change form its "Translation of" box: a story
found as the editor types (the admin's own select2, fed by
``translation_choices``, among the stories the editor may see), or nothing to
unlink. ``ArticleAdmin.save_related`` hands the choice to
``services.link_translation()`` inside the save's transaction.
"""

import json

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from articles import workflow
from articles.models import Article

CHOICES_PER_PAGE = 20
QUERY_LIMIT = 100


def story_label(story: Article) -> str:
    """How a story is named in the box: "[ko] 헤드라인 (12)"."""
    return f"[{story.language}] {story.headline} ({story.pk})"


class StoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return story_label(obj)


class StoryAutocomplete(AutocompleteSelect):
    """The admin's autocomplete box over stories, without a foreign key:
    ``Article.translation_key`` is a shared value, not a relation, so the
    options come from ``translation_choices`` rather than the admin's
    ``autocomplete`` view (which serves relations only)."""

    def __init__(self, attrs=None):
        forms.Select.__init__(self, attrs)
        self.db = None
        self.i18n_name = ""

    def get_url(self):
        return reverse("admin:articles_article_translation_choices")

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = forms.Select.build_attrs(self, base_attrs, extra_attrs)
        attrs.update(
            {
                "data-ajax--cache": "true",
                "data-ajax--delay": 250,
                "data-ajax--type": "GET",
                "data-ajax--url": self.get_url(),
                # Sent along by autocomplete.js; translation_choices ignores them.
                "data-app-label": "articles",
                "data-model-name": "article",
                "data-field-name": "translation_of",
                "data-theme": "admin-autocomplete",
                "data-allow-clear": json.dumps(not self.is_required),
                "data-placeholder": "",
                "class": (attrs.get("class", "") + " admin-autocomplete").strip(),
            }
        )
        return attrs

    def optgroups(self, name, value, attr=None):
        """Only the chosen story is rendered; the others arrive as typed."""
        wanted = {str(v) for v in value if v not in (None, "")}
        options = [self.create_option(name, "", "", False, 0)]
        stories = self.choices.queryset.filter(pk__in=wanted) if wanted else []
        for index, story in enumerate(stories, start=1):
            options.append(
                self.create_option(name, story.pk, story_label(story), True, index)
            )
        return [(None, options, 0)]


class TranslationForm(forms.ModelForm):
    """The base of ``ArticleForm``: the "Translation of" box.

    Its first value is the group's oldest other story (the original, as a
    rule). Refused: the story itself, a story in the same language, and a
    group that already has a version in this story's language.
    """

    translation_of = StoryChoiceField(
        queryset=Article.objects.only("pk", "headline", "language", "translation_key"),
        required=False,
        widget=StoryAutocomplete,
        label=gettext_lazy("Translation of"),
        help_text=gettext_lazy(
            "The same story in another language: type a few words of its "
            "headline. Both stories then link to each other. Clear the box to "
            "unlink this story from its translations."
        ),
    )

    editor = None  # the user sending the form (ArticleAdmin.get_form)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("translation_of")
        if field is None:
            return
        stories = Article.objects.only("pk", "headline", "language", "translation_key")
        if self.editor is not None:
            stories = workflow.visible_stories(self.editor, stories)
        if self.instance.pk is not None:
            stories = stories.exclude(pk=self.instance.pk)
        field.queryset = stories
        key = self.instance.translation_key
        if key is not None and self.instance.pk is not None:
            field.initial = (
                Article.objects.filter(translation_key=key)
                .exclude(pk=self.instance.pk)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )

    @property
    def translation_sent(self) -> bool:
        """Whether the form sent the box at all: a writer that leaves it out
        (an older script, a test client) keeps the story's links as they are;
        only an emptied box unlinks."""
        return (
            "translation_of" in self.fields
            and self.add_prefix("translation_of") in self.data
            and "translation_of" in getattr(self, "cleaned_data", {})
        )

    def clean(self):
        cleaned = super().clean()
        other = cleaned.get("translation_of")
        if other is not None:
            try:
                self._check_translation(other, cleaned)
            except ValidationError as error:
                self.add_error("translation_of", error)
        return cleaned

    def _check_translation(self, other, cleaned):
        language = cleaned.get("language") or self.instance.language
        if other.language == language:
            raise ValidationError(
                _("“%(headline)s” is in the same language as this story.")
                % {"headline": other.headline},
                code="same_language",
            )
        group = Article.objects.none()
        if other.translation_key is not None:
            group = Article.objects.filter(translation_key=other.translation_key)
        if self.instance.pk is not None:
            group = group.exclude(pk=self.instance.pk)
        taken = group.filter(language=language).only("headline").first()
        if taken is not None:
            name = get_language_info(language)["name_translated"]
            raise ValidationError(
                _("That story already has a %(language)s version: “%(headline)s”.")
                % {"language": name, "headline": taken.headline},
                code="language_taken",
            )
        if (
            other.translation_key is None
            and self.editor is not None
            and not workflow.can_edit(self.editor, other)
        ):
            # Linking gives the other story the group's key: a save of it.
            raise ValidationError(
                _("You may not edit “%(headline)s”: ask an editor to link them.")
                % {"headline": other.headline},
                code="not_editable",
            )


def translation_choices(model_admin, request):
    """GET ``?term=&page=``: select2's answer, the stories whose headline
    holds ``term`` among those the user may see, newest first."""
    if not model_admin.has_view_or_change_permission(request):
        return JsonResponse({"results": [], "pagination": {"more": False}}, status=403)
    term = request.GET.get("term", "").strip()[:QUERY_LIMIT]
    page = request.GET.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < len(page) < 4 else 1
    stories = workflow.visible_stories(
        request.user, Article.objects.only("pk", "headline", "language")
    )
    if term:
        stories = stories.filter(headline__icontains=term)
    start = (page - 1) * CHOICES_PER_PAGE
    found = list(stories.order_by("-pk")[start : start + CHOICES_PER_PAGE + 1])
    return JsonResponse(
        {
            "results": [
                {"id": str(story.pk), "text": story_label(story)}
                for story in found[:CHOICES_PER_PAGE]
            ],
            "pagination": {"more": len(found) > CHOICES_PER_PAGE},
        }
    )
