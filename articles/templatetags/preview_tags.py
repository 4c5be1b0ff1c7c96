from django import template

from articles import preview

register = template.Library()


@register.simple_tag(takes_context=True)
def preview_url_for(context, article):
    """A signed, expiring preview link of ``article`` for the signed-in editor."""
    request = context.get("request")
    if article is None or article.pk is None or request is None:
        return ""
    return preview.preview_url(article, request.user)
