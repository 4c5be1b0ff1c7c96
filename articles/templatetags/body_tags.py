"""The story body as readers get it (see ``articles/bodyimages.py``)."""

from django import template

from articles import bodyimages

register = template.Library()


@register.filter
def body_pictures(body):
    """A sanitised body with its editor pictures drawn as ``<picture>``."""
    return bodyimages.with_pictures(body)
