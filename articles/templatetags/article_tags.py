from django import template
from django.utils.safestring import SafeString

from articles import fragments, markup, renderings
from articles.links import cached_reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def story_card(context, article, *args, **kwargs):
    """``{% story_card article level=3 eager=True hide_section=True %}``.

    One story in a list, with "N comments" when ``comment_counts`` is in the
    context (see ``markup.story_card_html``); the card is reused across
    renders while nothing it shows changes (``articles.renderings``).
    """
    comment_counts = context.get("comment_counts")
    kept = renderings.piece(
        "card",
        article,
        lambda: markup.story_card_html(
            article, *args, comment_counts=fragments.DeferredCounts(), **kwargs
        ),
        _arguments(args, kwargs),
    )
    if kept is None:
        return markup.story_card_html(
            article, *args, comment_counts=comment_counts, **kwargs
        )
    return renderings.with_comments(
        kept, article, comment_counts, markup.card_comments_html
    )


@register.simple_tag(takes_context=True)
def card_meta(context, article, *args, **kwargs):
    """``{% card_meta lead %}``: a card's bylines, time and "N comments" (with
    ``comment_counts`` in the context), for a story written outside
    ``{% story_card %}`` such as the front page's lead; reused like cards."""
    comment_counts = context.get("comment_counts")
    kept = renderings.piece(
        "card_meta",
        article,
        lambda: markup.card_meta_html(
            article, fragments.DeferredCounts(), *args, **kwargs
        ),
        _arguments(args, kwargs),
    )
    if kept is None:
        return markup.card_meta_html(article, comment_counts, *args, **kwargs)
    return renderings.with_comments(
        kept, article, comment_counts, markup.card_comments_html
    )


def _arguments(args, kwargs) -> tuple:
    """A tag's arguments as part of a key (small values: levels, flags)."""
    return (args, tuple(sorted(kwargs.items())))


@register.simple_tag
def byline_list(bylines, style="short", original=None):
    """``{% byline_list article.bylines.all "closing" %}`` (prefetched bylines);
    ``original=``: the story a translation's translators link to."""
    return SafeString(markup.bylines_html(bylines, style, original))


@register.simple_tag
def time_element(value, relative=False):
    """``{% time_element article.published_at %}``: ``<time>`` in the one reader
    format, "2 Dec 2026, 14:05 KST"; ``relative=True``: "2 hours ago", the
    absolute time in its title (not on cached pages: see ``markup.time_html``)."""
    return SafeString(markup.time_html(value, relative))


@register.simple_tag
def cached_url(viewname, *args):
    """``{% cached_url "articles:tag" tag.slug %}``: ``{% url %}`` for the reader
    pages' own addresses (no ``current_app``), remembered (``articles.links``)."""
    return cached_reverse(viewname, *args)
