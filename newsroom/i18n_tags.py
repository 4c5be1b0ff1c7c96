"""Template tags of the project's language machinery (``{% load newsroom_i18n %}``,
registered in ``settings.TEMPLATES``): ``newsroom.locale``."""

from django import template

from newsroom import locale

register = template.Library()


@register.simple_tag
def javascript_catalogue_url(language=None):
    """The JavaScript catalogue's address for ``language`` (the active
    language by default): ``<script src="..." defer>`` before the scripts
    that call ``gettext()``."""
    return locale.catalogue_url(language)
