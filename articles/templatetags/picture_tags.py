from django import template
from django.utils.safestring import SafeString

from articles import images, markup

register = template.Library()


@register.simple_tag
def picture_for(image, width, height):
    """The renditions of ``image`` (see ``images.picture``); no query, no file I/O."""
    return images.picture(image, width, height)


@register.simple_tag
def picture(image, width, height, alt="", sizes="", eager=False, high_priority=False):
    """``{% picture image width height alt=... sizes=... eager=True %}``: the
    ``<picture>`` markup of ``markup.picture_html``; nothing without an image."""
    return SafeString(
        markup.picture_html(image, width, height, alt, sizes, eager, high_priority)
    )
