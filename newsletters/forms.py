from django import forms
from django.utils.translation import gettext_lazy as _

from newsletters import topics as topic_keys


class TopicsField(forms.MultipleChoiceField):
    """Topic keys; which exist is checked against the database in one query
    per kind (``topics.resolve``), not against a list of choices."""

    def valid_value(self, value):
        return topic_keys.parse(value) is not None


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topics = TopicsField(
        label=_("Send me"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one newsletter.")},
    )

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.key, t.label) for t in offered]
        self.resolved = {}

    def clean_topics(self):
        keys = list(dict.fromkeys(self.cleaned_data["topics"]))
        if len(keys) > topic_keys.MAX_TOPICS:
            raise forms.ValidationError(_("Choose fewer newsletters."))
        self.resolved = topic_keys.resolve(keys)
        if len(self.resolved) != len(keys):
            raise forms.ValidationError(
                _("One of these newsletters no longer exists. Please choose again.")
            )
        return keys


class ManageForm(forms.Form):
    topics = TopicsField(
        label=_("Keep sending me"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = [(t.key, t.label) for t in offered]
        self.resolved = {}

    def clean_topics(self):
        keys = list(dict.fromkeys(self.cleaned_data["topics"]))
        if len(keys) > topic_keys.MAX_TOPICS:
            raise forms.ValidationError(_("Choose fewer newsletters."))
        self.resolved = topic_keys.resolve(keys)
        return list(self.resolved)
