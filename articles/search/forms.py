"""The reader's search form: the query and the filters beside it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from articles.models import Article, Section, TaggedArticle

MAX_QUERY_LENGTH = 200


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        widget=forms.SearchInput(
            attrs={"maxlength": MAX_QUERY_LENGTH, "enterkeyhint": "search"}
        ),
    )
    section = forms.ModelChoiceField(
        queryset=Section.objects.only("name", "slug"),
        to_field_name="slug",
        required=False,
        label=_("Section"),
        empty_label=_("All sections"),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_q(self):
        # Long queries are cut, not refused: the first words are what matter.
        return self.cleaned_data["q"][:MAX_QUERY_LENGTH].strip()

    def clean_tag(self):
        """A tag of at least one live story; any other is "no such tag".

        A tag used only on drafts or scheduled stories gets the same answer as
        one that does not exist, so the form does not tell that it does.
        """
        slug = self.cleaned_data["tag"].strip()
        if not slug:
            return None
        live = TaggedArticle.objects.filter(
            content_object__in=Article.objects.published().order_by().values("pk")
        )
        tag = Tag.objects.filter(slug=slug, pk__in=live.values("tag_id")).first()
        if tag is None:
            raise forms.ValidationError(_("There is no such tag."))
        return tag

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned
