from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from people.roles import role_choices


class InviteForm(forms.Form):
    """A colleague to invite: who, and in which role."""

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The link to set a password is sent here."),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text=_("What they sign in with: letters, digits and @ . + - _ only."),
        error_messages={
            "invalid": _("Use only letters, digits and @ . + - _ in a user name.")
        },
    )
    role = forms.ChoiceField(label=_("Role"), choices=role_choices)

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("Someone with this address has an account."))
        return email

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username

    def clean_role(self):
        name = self.cleaned_data["role"]
        group = Group.objects.filter(name=name).first()
        if group is None:
            raise forms.ValidationError(
                _("This role is not set up yet: run manage.py setup_roles.")
            )
        return group
