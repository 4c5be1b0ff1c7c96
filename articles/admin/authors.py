from django import forms
from django.contrib import admin

from articles import services
from articles.models import Author


class AuthorForm(forms.ModelForm):
    """The admin makes the form for Author from this (modelform_factory)."""

    # Set by AuthorAdmin when the media storage refused this very POST's photo:
    # the form shows it next to the photo, with what the editor typed kept.
    media_error = None

    def clean(self):
        cleaned = super().clean()
        if self.media_error:
            self.add_error(
                "photo" if "photo" in self.fields else None, self.media_error
            )
        return cleaned


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorForm
    list_display = ["name", "job_title", "user"]
    list_select_related = ["user"]
    # Also what the bylines inline's author autocomplete searches.
    search_fields = ["name", "job_title"]
    prepopulated_fields = {"slug": ["name"]}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "media_error", None)
        if error is None:
            return form
        return type(form.__name__, (form,), {"media_error": error})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except OSError as error:
            # The admin's transaction rolled the row back and the storage left
            # no partial file: show the form again with the storage's error.
            request.media_error = services.media_message(error)
            return super().changeform_view(request, object_id, form_url, extra_context)
