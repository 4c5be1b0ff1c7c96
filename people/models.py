from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def language_choices():
    """The desk's languages: ``settings.LANGUAGES``, read when asked, so
    adding one needs no migration."""
    return settings.LANGUAGES


class DeskLanguage(models.Model):
    """The language a colleague reads the desk in; blank: the browser's.

    The reader site always speaks the site's language (``LANGUAGE_CODE``);
    this is the desk's only. Read at login into the session
    (``people.language``), where ``newsroom.locale`` finds it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="desk_language",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=language_choices,
        help_text=_("Blank: the language your browser asks for."),
    )

    class Meta:
        verbose_name = _("desk language")
        verbose_name_plural = _("desk languages")

    def __str__(self):
        return f"{self.user}: {self.language or '-'}"
