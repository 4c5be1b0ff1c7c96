"""``{% load viewcount_tags %}``: a story's view count and Most Viewed.

Both are volatile fragments (``articles.fragments``): on a page rendered for
the page cache they are placeholders, stitched in when the page is served,
so the page can stay cached while the counts move.
"""

from typing import NamedTuple

from django import template
from django.template.loader import render_to_string
from django.utils.translation import ngettext

from articles import fragments, markup
from viewcounts import stats
from viewcounts.models import ArticleViewTotal

register = template.Library()


def views_label(count):
    """ "1,234 views"; in Korean "조회 1,234" (grouped in thousands)."""
    return ngettext("%(number)s view", "%(number)s views", count) % {
        "number": markup.count_text(count)
    }


class ViewedStory(NamedTuple):
    """One line of Most Viewed, made ready for the template."""

    url: str
    headline: str
    views: str  # "1,234 views"
    language: str = ""  # the story's, on its headline


@register.simple_tag
def view_count(article):
    """ "1,234 views": the story's all-time count, in at most one query."""
    if fragments.is_deferring():
        return fragments.emit("view_count", article.pk)
    return views_label(stats.view_count(article))


def render_view_counts(args_list) -> list[str]:
    """The ``view_count`` fragment of each ``(story pk,)``: one query."""
    pks = [args[0] for args in args_list]
    totals = dict(
        ArticleViewTotal.objects.filter(article_id__in=pks).values_list(
            "article_id", "views"
        )
    )
    return [views_label(totals.get(pk, 0)) for pk in pks]


@register.simple_tag
def most_viewed(limit=5):
    """Most Viewed today, over 7 days and over 30 days (cached lists)."""
    return fragments.emit("most_viewed", limit)


def render_most_viewed(args_list) -> list[str]:
    """The ``most_viewed`` fragment of each ``(limit,)``."""
    return [
        render_to_string("viewcounts/most_viewed.html", most_viewed_context(*args))
        for args in args_list
    ]


def most_viewed_context(limit=5):
    """``lists``: ``(period, label, [ViewedStory])`` per period, or none at
    all while no story has a view in the last 30 days (a fresh install shows
    no empty box)."""
    lists = [
        (
            period,
            label,
            [
                ViewedStory(
                    story.get_absolute_url(),
                    story.headline,
                    views_label(story.period_views),
                    story.language,
                )
                for story in stats.most_viewed(period, limit)
            ],
        )
        for period, label in stats.PERIOD_LABELS.items()
    ]
    return {"lists": lists if any(stories for _, _, stories in lists) else []}


@register.inclusion_tag("admin/viewcounts/top_stories_today.html")
def top_stories_today(limit=10):
    """For the admin index: today's most viewed published stories."""
    return {"stories": stats.most_viewed("today", limit)}
