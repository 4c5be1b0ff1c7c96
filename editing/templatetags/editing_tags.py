"""The story form's editing panel and the story list's "being edited" marks.

``{% editing_panel %}`` (in ``admin/articles/article/change_form.html``): the
lock notice, the restore banner and the addresses the form's script
(``static/editing/editing.js``) posts to; two queries (the lock, the
autosave). ``{% editing_now cl %}`` (the story list): who is editing the
stories on the page, one query for the whole page.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext

from articles import workflow
from editing import autosaves, locks
from editing.conf import settings
from editing.display import display_name, when

register = template.Library()


@register.inclusion_tag("editing/panel.html", takes_context=True)
def editing_panel(context):
    request = context["request"]
    user = request.user
    story = context.get("original")
    if story is not None and story.pk is None:
        story = None
    panel = {
        "csrf_token": context.get("csrf_token"),
        "heartbeat_seconds": settings.EDITING_HEARTBEAT_SECONDS,
        "autosave_seconds": settings.EDITING_AUTOSAVE_SECONDS,
        "autosave_max_wait": settings.EDITING_AUTOSAVE_MAX_WAIT_SECONDS,
    }
    if story is None:
        panel["autosave_url"] = reverse("editing:autosave_new")
        panel["discard_url"] = reverse("editing:discard_autosave_new")
    elif not workflow.can_edit(user, story):
        # Someone who may only look (or stage pending changes): told who is
        # editing, but takes no lock and keeps no autosave.
        panel["story"] = story
    else:
        args = [story.pk]
        panel.update(
            {
                "story": story,
                "autosave_url": reverse("editing:autosave", args=args),
                "discard_url": reverse("editing:discard_autosave", args=args),
                "take_url": reverse("editing:take_lock", args=args),
                "heartbeat_url": reverse("editing:heartbeat", args=args),
                "release_url": reverse("editing:release_lock", args=args),
                "take_over_url": reverse("editing:take_over", args=args),
                "may_take_over": locks.can_take_over(user, story),
            }
        )
    lock = locks.current(story) if story is not None else None
    if lock is not None and lock.holder_id != user.pk:
        panel["held_by"] = display_name(lock.holder)
        panel["held_since"] = when(lock.since)
    # A form shown again after a refused save holds the typed text already.
    if request.method == "GET" and "autosave_url" in panel:
        pending = autosaves.pending(user, story)
        if pending is not None:
            panel["autosave"] = {
                "fields": pending.fields,
                "labels": pending.labels,
                "saved_at": pending.saved_at.isoformat(),
                "label": when(pending.saved_at),
                # Typed on an older version: its save meets the conflict screen.
                "older": story is not None
                and autosaves.base_version(pending) not in (None, story.version),
            }
    return panel


@register.inclusion_tag("editing/tags/now_editing.html")
def editing_now(cl):
    """The story list: "being edited by ..." for the stories on this page."""
    stories = {story.pk: story for story in cl.result_list}
    held = locks.holders(stories)
    return {
        "marks": [
            {
                "story": stories[story_id],
                "holder": display_name(lock.holder),
                "since": when(lock.since),
            }
            for story_id, lock in held.items()
        ],
        "marks_by_id": {
            str(story_id): gettext("Being edited by %(name)s")
            % {"name": display_name(lock.holder)}
            for story_id, lock in held.items()
        },
    }
