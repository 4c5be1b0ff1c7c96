"""The desk's language chooser: each colleague's own language for the admin,
independently of the reader site's (``newsroom.locale``)."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from newsroom import locale
from newsroom.locale import DESK_LANGUAGE_SESSION_KEY
from people.models import DeskLanguage


def saved_language(user) -> str:
    """The colleague's chosen language, or "" (the browser's)."""
    chosen = DeskLanguage.objects.filter(user=user).values_list("language", flat=True)
    return next(iter(chosen), "")


def remember_language(sender, request, user, **kwargs):
    """At login (``user_logged_in``): keep the choice in the new session, so
    no desk page asks the database for it."""
    if request is not None and hasattr(request, "session"):
        request.session[DESK_LANGUAGE_SESSION_KEY] = saved_language(user)


def language_options():
    """Each language in its own name, so anyone can find theirs."""
    options = [("", gettext_lazy("The browser's language"))]
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        options.append((code, info["name_local"]))
    return options


class DeskLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Desk language"),
        choices=language_options,
        required=False,
        help_text=gettext_lazy(
            "The language of the desk for you. Readers always see the site "
            "in its own language."
        ),
    )


@require_http_methods(["GET", "POST"])
def language_view(request):
    """Template admin/people/language.html: choose the desk's language."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = DeskLanguageForm(
        request.POST or None, initial={"language": saved_language(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        DeskLanguage.objects.update_or_create(
            user=request.user, defaults={"language": language}
        )
        request.session[DESK_LANGUAGE_SESSION_KEY] = language
        # The confirmation is in the language just chosen.
        with translation.override(locale.desk_language(request)):
            messages.success(request, _("The desk's language is saved."))
        return redirect(next_url or "admin:index")
    context = {
        **admin.site.each_context(request),
        "title": _("Desk language"),
        "form": form,
        "next": next_url,
    }
    return render(request, "admin/people/language.html", context)
