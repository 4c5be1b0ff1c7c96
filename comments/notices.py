"""What a reader is told after posting, and where in the thread it is shown.

A post ends on the story at ``#comment-<id>``. A published comment is there;
a held one is not, so the notice that says it is held takes its place: under
the comment it answers, or at the end of the thread, with that id. The notice
travels to the next page as a message whose tags say where it belongs
(``Notice.tags()``); messages are signed, so only this server writes them.
"""

import re
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

PUBLISHED_MESSAGE = _("Thank you. Your comment is published.")
HELD_MESSAGE = _("Thank you. Your comment is held for review.")
NEXT_STEP = _(
    "Once a moderator approves it, it appears here for every reader. You do "
    "not need to post it again."
)
# Why a comment waits: said plainly, but never which word or check tripped,
# which would teach a spammer what to change. A rejected comment reads as held.
WHY = {
    "premoderation": _("On this story every comment is read by a moderator first."),
    "links": _("Comments with more than two links are read by a moderator first."),
}
WHY_OTHERWISE = _("Some comments are read by a moderator before they appear.")

TAG = "comment-notice"
_TAGS = re.compile(
    rf"{TAG} (?P<state>published|held) comment-(?P<pk>\d+) answers-(?P<answers>\d+)"
    r" reason-(?P<reason>[a-z-]*)"
)


@dataclass(frozen=True)
class Notice:
    """The notice for one post: ``comment_pk`` 0 for one that was not stored."""

    published: bool
    comment_pk: int = 0
    answers_pk: int = 0
    reason: str = ""

    @classmethod
    def for_comment(cls, comment, answers=None) -> "Notice":
        return cls(
            published=comment.status == "approved",
            comment_pk=comment.pk or 0,
            answers_pk=answers.pk if answers else 0,
            reason=comment.held_reason or "",
        )

    @classmethod
    def from_message(cls, message) -> "Notice | None":
        match = _TAGS.fullmatch(getattr(message, "extra_tags", "") or "")
        if match is None:
            return None
        return cls(
            published=match["state"] == "published",
            comment_pk=int(match["pk"]),
            answers_pk=int(match["answers"]),
            reason=match["reason"],
        )

    @property
    def headline(self) -> str:
        return PUBLISHED_MESSAGE if self.published else HELD_MESSAGE

    @property
    def why(self) -> str:
        return WHY.get(self.reason, WHY_OTHERWISE)

    @property
    def next_step(self) -> str:
        return NEXT_STEP

    @property
    def anchor(self) -> str:
        """The fragment the reader is sent to."""
        return f"comment-{self.comment_pk}" if self.comment_pk else "comments"

    def tags(self) -> str:
        state = "published" if self.published else "held"
        return (
            f"{TAG} {state} comment-{self.comment_pk} answers-{self.answers_pk}"
            f" reason-{self.reason}"
        )

    def html(self, *, autofocus: bool) -> SafeString:
        """The notice itself. A held one carries the comment's id (it stands
        where the comment would be); a published one sits inside the comment.

        ``autofocus`` on the page after the redirect: the browser focuses it
        (and the script does too), so a screen reader reads it at once.
        """
        return SafeString(
            render_to_string(
                "comments/includes/notice.html",
                {"notice": self, "autofocus": autofocus},
            ).strip()
        )

    def item_html(self, level: int, *, autofocus: bool) -> SafeString:
        """A held comment's notice as an item of the thread, at ``level``."""
        return SafeString(
            f'\n        <li class="comment-notice-item comment-level-{int(level)}">'
            f"{self.html(autofocus=autofocus)}</li>\n      "
        )


def split_messages(messages) -> tuple[Notice | None, list]:
    """The post's notice (the last, if several) and the other messages."""
    notice, others = None, []
    for message in messages or ():
        found = Notice.from_message(message)
        if found is None:
            others.append(message)
        else:
            notice = found
    return notice, others
