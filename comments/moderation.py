"""Comment policy as plain functions: when comments are open, and what happens
to a new comment.

The checks and ``comments_open`` read no clock, settings or database: callers
pass ``now`` and the facts they looked up (``story_mode`` and ``word_lists``
below fetch those), so every rule is testable alone.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext, ngettext

from comments import signals, textfold
from comments.models import (
    Comment,
    CommentReport,
    ModerationWord,
    StoryCommentSettings,
)

MAX_LINKS = 2
LINK_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


class Action(StrEnum):
    REJECT = "reject"
    PREMOD = "premod"
    APPROVE = "approve"


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""

    @property
    def status(self) -> str:
        return {
            Action.REJECT: Comment.Status.REJECTED,
            Action.PREMOD: Comment.Status.PENDING,
            Action.APPROVE: Comment.Status.APPROVED,
        }[self.action]


@dataclass(frozen=True)
class Submission:
    """What the moderation checks look at, gathered by the caller."""

    body: str
    name: str = ""
    seconds_since_form: float = 60.0
    mode: str = StoryCommentSettings.Mode.POST
    hold_words: tuple[str, ...] = ()
    reject_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Closure:
    is_open: bool
    reason: str = ""


def comments_open(article, now: datetime, closing_days: int) -> Closure:
    """Comments are open on a live story with comments on, for ``closing_days``.

    Live is what readers see: ``Article.objects.published()``'s rule.
    """
    if not article.is_published_at(now):
        return Closure(False, gettext("This story is not published."))
    if not article.comments_enabled:
        return Closure(False, gettext("Comments are turned off for this story."))
    if closing_days and article.published_at < now - timedelta(days=closing_days):
        reason = ngettext(
            "Comments close %(days)d day after publication.",
            "Comments close %(days)d days after publication.",
            closing_days,
        ) % {"days": closing_days}
        return Closure(False, reason)
    return Closure(True)


def find_word(text: str, words: Iterable[str]) -> str | None:
    """The first listed word or phrase that occurs as a whole word in ``text``.

    Both are folded first (``textfold.fold``), so that invisible characters,
    case, spacing and look-alike letters do not hide a listed word.
    """
    folded = textfold.fold(text)
    for word in words:
        pattern = textfold.word_pattern(word)
        if pattern is not None and pattern.search(folded):
            return word
    return None


def find_word_in(sub: Submission, words: Iterable[str]) -> str | None:
    """A listed word in the name or the body, each folded on its own (a phrase
    does not run from the name into the body)."""
    words = tuple(words)
    return find_word(sub.name, words) or find_word(sub.body, words)


def count_links(text: str) -> int:
    return len(LINK_RE.findall(text))


def check_reject_words(sub: Submission, min_seconds: float) -> Decision | None:
    if find_word_in(sub, sub.reject_words):
        return Decision(Action.REJECT, Comment.Reason.WORD_REJECT)
    return None


def check_too_fast(sub: Submission, min_seconds: float) -> Decision | None:
    if sub.seconds_since_form < min_seconds:
        return Decision(Action.PREMOD, Comment.Reason.TOO_FAST)
    return None


def check_hold_words(sub: Submission, min_seconds: float) -> Decision | None:
    if find_word_in(sub, sub.hold_words):
        return Decision(Action.PREMOD, Comment.Reason.WORD_HOLD)
    return None


def check_links(sub: Submission, min_seconds: float) -> Decision | None:
    if count_links(sub.body) > MAX_LINKS:
        return Decision(Action.PREMOD, Comment.Reason.LINKS)
    return None


def check_mode(sub: Submission, min_seconds: float) -> Decision | None:
    if sub.mode == StoryCommentSettings.Mode.PRE:
        return Decision(Action.PREMOD, Comment.Reason.PREMODERATION)
    return None


# Rejections first, then holds with the most telling reason first.
CHECKS = (check_reject_words, check_too_fast, check_hold_words, check_links, check_mode)


def decide(sub: Submission, *, min_seconds: float = 3) -> Decision:
    """Run the checks in order; the first that objects decides."""
    for check in CHECKS:
        decision = check(sub, min_seconds)
        if decision is not None:
            return decision
    return Decision(Action.APPROVE)


def story_mode(article, site_mode: str) -> str:
    """The story's own mode if an editor set one, else the site's."""
    try:
        return article.comment_settings.mode
    except StoryCommentSettings.DoesNotExist:
        return site_mode


def word_lists() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(hold words, reject words) from the admin's word list: one query."""
    hold, reject = [], []
    for word, action in ModerationWord.objects.values_list("word", "action"):
        (reject if action == ModerationWord.Action.REJECT else hold).append(word)
    return tuple(hold), tuple(reject)


# What a moderator may set a comment to from the queue's row buttons.
MODERATOR_STATUSES = (
    Comment.Status.APPROVED,
    Comment.Status.REJECTED,
    Comment.Status.SPAM,
)


def moderate(comment: Comment, status: str, *, by=None) -> bool:
    """One moderator's decision on one comment; False if nothing changed.

    Saved as a row, not as a bulk update: its ``post_save`` retires only that
    story's pages and Most Commented (``comments_changed`` with the comment).
    Approving clears the comment's reports, as the bulk action does.
    """
    if status not in MODERATOR_STATUSES:
        raise ValueError(f"Not a moderation status: {status!r}")
    if comment.status == status:
        return False
    fields = ["status"]
    with transaction.atomic():
        comment.status = status
        if status == Comment.Status.APPROVED and comment.report_count:
            CommentReport.objects.filter(comment=comment).delete()
            comment.report_count = 0
            fields.append("report_count")
        comment.save(update_fields=fields)
        transaction.on_commit(
            lambda: signals.comment_moderated.send(
                sender=Comment, comment_ids=[comment.pk], status=status, by=by
            )
        )
    return True
