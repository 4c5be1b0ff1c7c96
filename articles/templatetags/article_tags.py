from django import template
from django.utils.safestring import SafeString

from articles import markup
from articles.links import cached_reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def story_card(
    context, article, level=None, eager=False, hide_section=False, hide_image=False
):
    """``{% story_card article level=3 eager=True hide_section=True %}``.

    One story in a list, with "N comments" when ``comment_counts`` is in the
    context (see ``markup.story_card_html``).
    """
    return markup.story_card_html(
        article,
        level=level,
        eager=eager,
        hide_section=hide_section,
        hide_image=hide_image,
        comment_counts=context.get("comment_counts"),
    )


@register.simple_tag(takes_context=True)
def card_meta(context, article):
    """``{% card_meta lead %}``: a card's bylines, time and "N comments" (with
    ``comment_counts`` in the context), for a story written outside
    ``{% story_card %}`` such as the front page's lead."""
    return markup.card_meta_html(article, context.get("comment_counts"))


@register.simple_tag
def byline_list(bylines, style="short"):
    """``{% byline_list article.bylines.all "closing" %}`` (prefetched bylines)."""
    return SafeString(markup.bylines_html(bylines, style))


@register.simple_tag
def time_element(value, text_format=markup.TEXT_FORMAT):
    """``{% time_element article.published_at %}``: ``<time>`` in local time,
    its text in ``text_format`` (a ``date`` filter format) if given."""
    return SafeString(markup.time_html(value, text_format))


@register.simple_tag
def cached_url(viewname, *args):
    """``{% cached_url "articles:tag" tag.slug %}``: ``{% url %}`` for the reader
    pages' own addresses (no ``current_app``), remembered (``articles.links``)."""
    return cached_reverse(viewname, *args)
