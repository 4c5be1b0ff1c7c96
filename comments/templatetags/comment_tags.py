from django import template
from django.conf import settings
from django.core.paginator import Page
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import Urlizer
from django.utils.safestring import mark_safe
from django.utils.text import normalize_newlines

from articles.models import Article
from comments import moderation, stats
from comments.forms import CommentForm

register = template.Library()


class CommentUrlizer(Urlizer):
    """Django's urlize, with the one ``rel`` every reader link must carry."""

    url_template = '<a href="{href}" rel="nofollow ugc noopener">{url}</a>'


_urlize = CommentUrlizer()


@register.filter(is_safe=True)
def comment_body(value):
    """Plain text to HTML: escaped, links made clickable, line breaks kept."""
    html = _urlize(
        normalize_newlines(str(value)),
        trim_url_limit=60,
        nofollow=False,
        autoescape=True,
    )
    return mark_safe(str(html).replace("\n", "<br>"))


@register.inclusion_tag("comments/tags/thread.html", takes_context=True)
def comments_for(context, article):
    """The story's thread and its form: one query however many comments.

    The form carries no CSRF token (``deferred_token``): the story page is
    cached and shared, so it sets no cookie; static/js/comments.js fetches a
    token from ``comments:token`` when the reader starts writing. Without
    JavaScript the form stays hidden and "Write a comment" leads to
    ``comments:write``.
    """
    request = context.get("request")
    newest_first = bool(request and request.GET.get("comments") == "newest")
    comments = stats.approved_comments(article)
    return {
        "article": article,
        "entries": stats.build_thread(comments, newest_first=newest_first),
        "count": len(comments),
        "newest_first": newest_first,
        "closure": moderation.comments_open(
            article, timezone.now(), settings.COMMENTS_CLOSE_AFTER_DAYS
        ),
        "messages": context.get("messages"),
        "form": CommentForm(article=article),
    }


@register.simple_tag
def comment_count(article):
    """Approved comments on one story; shares the thread's query."""
    return len(stats.approved_comments(article))


@register.simple_tag
def comment_counts_for(*lists):
    """``{% comment_counts_for top_stories page_obj as comment_counts %}``.

    Approved comments per story for every story in the given lists (nested
    lists such as ``(section, [stories])`` blocks included), in one query.
    """
    return stats.comment_counts(list(_stories(lists)))


def _stories(items, depth=0):
    for item in items:
        if isinstance(item, Article):
            yield item
        elif depth < 3 and isinstance(item, list | tuple | Page | QuerySet):
            yield from _stories(item, depth + 1)


@register.filter
def count_for(counts, article):
    """``{{ counts|count_for:article }}``: 0 for stories with no comments."""
    return (counts or {}).get(getattr(article, "pk", article), 0)


@register.inclusion_tag("comments/tags/most_commented.html")
def most_commented(limit=5):
    return {"entries": stats.most_commented(limit)}
