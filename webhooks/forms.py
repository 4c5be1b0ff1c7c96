from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from webhooks import events, transport
from webhooks.models import Subscription


class SubscriptionForm(forms.ModelForm):
    """The address is checked as a delivery would check it (shape, and every
    address the host resolves to public), so a mistake shows beside the
    field rather than as failed deliveries later. Deliveries check again:
    what a name resolves to can change."""

    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=events.SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        initial=events.DEFAULT_EVENTS,
        help_text=_("What is sent to this address."),
    )
    url = forms.CharField(
        label=_("Address"),
        max_length=transport.MAX_URL_LENGTH,
        widget=forms.URLInput(attrs={"size": 60}),
        help_text=_(
            "The receiver's address, https:// preferred. It must be on the "
            "public internet; redirects are not followed."
        ),
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            transport.check(url)
        except transport.Refused as error:
            raise ValidationError(str(error), code="refused") from error
        return url
