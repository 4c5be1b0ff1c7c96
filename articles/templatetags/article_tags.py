from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from articles import tracking

register = template.Library()


@register.simple_tag
def view_count(article):
    """ "1,234 views": the story's all-time count, in at most one query."""
    count = tracking.view_count(article)
    return f"{intcomma(count)} view{'' if count == 1 else 's'}"


@register.inclusion_tag("articles/tags/most_viewed.html")
def most_viewed(limit=5):
    """Most Viewed today, over 7 days and over 30 days (cached lists)."""
    return {
        "lists": [
            (period, label, tracking.most_viewed(period, limit))
            for period, label in tracking.PERIOD_LABELS.items()
        ]
    }


@register.inclusion_tag("admin/articles/top_stories_today.html")
def top_stories_today(limit=10):
    """For the admin index: today's most viewed published stories."""
    return {"stories": tracking.most_viewed("today", limit)}
