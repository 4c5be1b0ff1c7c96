"""``{% load viewcount_tags %}``: a story's view count and Most Viewed."""

from typing import NamedTuple

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from viewcounts import stats

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


@register.simple_tag
def view_count(article):
    """ "1,234 views": the story's all-time count, in at most one query."""
    return views_label(stats.view_count(article))


@register.inclusion_tag("viewcounts/most_viewed.html")
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
                    for story in stats.most_viewed(period, limit)
                ],
            )
            for period, label in stats.PERIOD_LABELS.items()
        ]
    }


@register.inclusion_tag("admin/viewcounts/top_stories_today.html")
def top_stories_today(limit=10):
    """For the admin index: today's most viewed published stories."""
    return {"stories": stats.most_viewed("today", limit)}
