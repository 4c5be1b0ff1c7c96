from typing import NamedTuple

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.safestring import SafeString

from articles import markup, tracking
from articles.links import cached_reverse

register = template.Library()


def views_label(count):
    """ "1,234 views" (``intcomma`` past three digits, where it can change them)."""
    number = str(count) if 0 <= count < 1000 else intcomma(count)
    return f"{number} view{'' if count == 1 else 's'}"


class ViewedStory(NamedTuple):
    """One line of Most Viewed, made ready for the template."""

    url: str
    headline: str
    views: str  # "1,234 views"


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


@register.simple_tag
def view_count(article):
    """ "1,234 views": the story's all-time count, in at most one query."""
    return views_label(tracking.view_count(article))


@register.inclusion_tag("articles/tags/most_viewed.html")
def most_viewed(limit=5):
    """Most Viewed today, over 7 days and over 30 days (cached lists)."""
    return {
        "lists": [
            (
                period,
                label,
                [
                    ViewedStory(
                        story.get_absolute_url(),
                        story.headline,
                        views_label(story.period_views),
                    )
                    for story in tracking.most_viewed(period, limit)
                ],
            )
            for period, label in tracking.PERIOD_LABELS.items()
        ]
    }


@register.inclusion_tag("admin/articles/top_stories_today.html")
def top_stories_today(limit=10):
    """For the admin index: today's most viewed published stories."""
    return {"stories": tracking.most_viewed("today", limit)}
