import functools
import re
from html import escape as _html_escape

from django import template
from django.core.paginator import Page
from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import Urlizer
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import pgettext

from articles import fragments, markup, shown
from articles.links import cached_reverse
from articles.models import Article
from comments import conf, counts, moderation, notices, threads
from comments.forms import BODY_MAX_LENGTH, CommentForm
from comments.models import MAX_DEPTH
from comments.notices import Notice

register = template.Library()


class CommentUrlizer(Urlizer):
    """Django's urlize, with the one ``rel`` every reader link must carry."""

    url_template = '<a href="{href}" rel="nofollow ugc noopener">{url}</a>'


_urlize = CommentUrlizer()


# What Urlizer needs to see before it makes a link: a scheme ("://"), an
# address ("@"), "www." or one of its seven domains. Compiled with the same
# flag as Urlizer's own patterns, so letters match exactly as they do there.
_MAYBE_LINK = re.compile(r"[:@]|www\.|\.(?:com|edu|gov|int|mil|net|org)", re.IGNORECASE)


@register.filter(is_safe=True)
def comment_body(value):
    """Plain text to HTML: escaped, links made clickable, line breaks kept.

    Most comments hold no link, and for those ``urlize`` returns the text
    escaped, word by word: that is done in one call instead.
    """
    text = normalize_newlines(str(value))
    if _MAYBE_LINK.search(text):
        html = str(_urlize(text, trim_url_limit=60, nofollow=False, autoescape=True))
    else:
        html = _html_escape(text)
    return mark_safe(html.replace("\n", "<br>"))


def thread_html(
    entries,
    write_url: str,
    is_open: bool,
    notice: Notice | None = None,
    *,
    autofocus: bool = True,
) -> str:
    """The ``<li>`` of every comment in the thread, written in Python.

    The same markup the loop in ``comments/tags/thread.html`` rendered
    (whitespace included): a name, a ``<time>``, the body, Reply (while
    comments are open) and Report, for each ``(comment, level)`` of
    ``threads.build_thread()``.

    ``notice`` (only on the page a reader is sent to after posting): inside
    their comment when it is published; when it is held, in its place, under
    the comment it answers or at the end of the thread. ``autofocus`` is for
    the page after a redirect; a reply posted in place is focused by script.
    """
    write_url = markup.esc(write_url)
    parts = []
    placed = notice is None
    for comment, level in entries:
        inner = ""
        if not placed and notice.published and comment.pk == notice.comment_pk:
            inner = f"\n          {notice.html(autofocus=autofocus)}"
            placed = True
        parts.append(_comment_li(comment, level, write_url, is_open, inner))
        if not placed and not notice.published and comment.pk == notice.answers_pk:
            parts.append(
                notice.item_html(min(level + 1, MAX_DEPTH), autofocus=autofocus)
            )
            placed = True
    if not placed:
        parts.append(notice.item_html(1, autofocus=autofocus))
    return SafeString("".join(parts))


def _comment_li(comment, level, write_url: str, is_open: bool, inner="") -> str:
    pk = markup.number(comment.pk)
    reply_label = markup.esc(pgettext("a comment action", "Reply"))
    report_label = markup.esc(pgettext("a comment action", "Report"))
    reply = (
        f'<a class="comment-reply" href="{write_url}?reply={pk}">{reply_label}</a> · '
        if is_open
        else ""
    )
    report = markup.esc(cached_reverse("comments:confirm_report", comment.pk))
    posted = markup.time_html(comment.created_at)
    # The comment a reader is sent to after posting (``inner``: the notice) is
    # focusable, so the browser focuses it as it scrolls there, notice first.
    focusable = ' tabindex="-1"' if inner else ""
    return (
        "\n"
        f'        <li class="comment comment-level-{markup.number(level)}"'
        f' id="comment-{pk}"{focusable}>{inner}\n'
        '          <p class="comment-meta"><span class="comment-author">'
        f"{markup.esc(comment.name)}</span>"
        f' <a class="comment-permalink" href="#comment-{pk}">'
        f"{posted}</a></p>\n"
        f'          <div class="comment-body">{comment_body(comment.body)}</div>\n'
        '          <p class="comment-actions">\n'
        f"            {reply}"
        f'<a class="comment-report" href="{report}" rel="nofollow">{report_label}</a>\n'
        "          </p>\n"
        "        </li>\n      "
    )


class _RenderedField:
    """A field of the unbound form, its widget rendered once (see ``blank_form``)."""

    errors = ()

    def __init__(self, bound_field):
        self.label = bound_field.label
        self.id_for_label = bound_field.id_for_label
        self.html = SafeString(str(bound_field))

    def __str__(self):
        return self.html

    def __html__(self):
        return self.html


class _BlankForm:
    """What ``comments/includes/form.html`` reads of an unbound ``CommentForm``."""

    non_field_errors = ()
    body_limit_text = f"{BODY_MAX_LENGTH:,}"

    def __init__(self):
        form = CommentForm(article=None)
        for name in form.fields:
            setattr(self, name, _RenderedField(form[name]))


@functools.cache
def blank_form() -> _BlankForm:
    """The story page's comment form, whose widgets are always the same.

    The form under a story is never bound: no data, no errors, no initial
    values, the same ids. Its widgets are rendered through the form renderer
    once per process (and again if ``FORM_RENDERER`` changes). Pages that
    show a reader's text and errors (``comments:write``, a 400) use a real
    ``CommentForm``.
    """
    return _BlankForm()


@receiver(setting_changed)
def _forget_blank_form(*, setting, **kwargs):
    if setting in ("FORM_RENDERER", "TEMPLATES", "INSTALLED_APPS"):
        blank_form.cache_clear()


@register.inclusion_tag("comments/tags/thread.html", takes_context=True)
def comments_for(context, article):
    """The story's thread and its form: one query however many comments.

    The form carries no CSRF token (``deferred_token``): the story page is
    cached and shared, so it sets no cookie; static/comments/comments.js fetches a
    token from ``comments:token`` when the reader starts writing. Without
    JavaScript the form stays hidden and "Write a comment" leads to
    ``comments:write``.
    """
    request = context.get("request")
    newest_first = bool(request and request.GET.get("comments") == "newest")
    shown.comments(article.pk)
    comments = threads.approved_comments(article)
    closure = moderation.comments_open(
        article, timezone.now(), conf.settings.COMMENTS_CLOSE_AFTER_DAYS
    )
    write_url = cached_reverse("comments:write", article.pk)
    entries = threads.build_thread(comments, newest_first=newest_first)
    # Messages only reach a page rendered for one reader (a cookie bypasses
    # the page cache): the notice of their post goes into the thread.
    notice, other_messages = notices.split_messages(context.get("messages"))
    return {
        "article": article,
        "entries": entries,
        "entries_html": thread_html(entries, write_url, closure.is_open, notice),
        "write_url": write_url,
        "count": len(comments),
        "newest_first": newest_first,
        "closure": closure,
        "notice": notice,
        "messages": other_messages,
        "form": blank_form(),
    }


@register.simple_tag
def comment_count(article):
    """Approved comments on one story; shares the thread's query."""
    shown.comments(article.pk)
    return len(threads.approved_comments(article))


@register.simple_tag
def comment_counts_for(*lists):
    """``{% comment_counts_for top_stories page_obj as comment_counts %}``.

    Approved comments per story for every story in the given lists (nested
    lists such as ``(section, [stories])`` blocks included), in one query;
    none on a page rendered for the page cache, whose cards then carry
    ``card_comments`` placeholders instead (``articles.fragments``).
    """
    if fragments.is_deferring() and fragments.is_registered("card_comments"):
        return fragments.DeferredCounts()
    # Counts in the page itself: any approved comment retires it.
    shown.listing("card-comment-counts")
    return counts.comment_counts(list(_stories(lists)))


def render_card_comments(args_list) -> list[str]:
    """The ``card_comments`` fragment of each ``(story pk,)``: a card's
    "N comments", or nothing. Two queries for any number of cards."""
    pks = [args[0] for args in args_list]
    found = {
        article.pk: article
        for article in Article.objects.filter(pk__in=pks).select_related("section")
    }
    numbers = counts.comment_counts(found.values())
    return [
        markup.card_comments_html(found[pk], numbers) if pk in found else ""
        for pk in pks
    ]


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


@register.simple_tag
def most_commented(limit=5):
    """Most Commented over 7 days: a fragment, stitched in at hit time."""
    if not (fragments.is_deferring() and fragments.is_registered("most_commented")):
        # Rendered into the page itself: any approved comment retires it.
        shown.listing("most-commented")
    return fragments.emit("most_commented", limit)


def render_most_commented(args_list) -> list[str]:
    """The ``most_commented`` fragment of each ``(limit,)``."""
    return [
        render_to_string(
            "comments/tags/most_commented.html",
            {"entries": counts.most_commented(limit)},
        )
        for (limit,) in args_list
    ]
