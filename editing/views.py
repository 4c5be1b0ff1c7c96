"""The story form's background requests: autosave, and the edit lock's take,
heartbeat, release and takeover.

All POST only, CSRF-checked and behind the admin's login (``editing.urls``),
for users who may edit the story (``articles.workflow.can_edit``), or add
one for the new story's autosave. A story the user may not see is a 404, as
in the story admin. Answers are JSON; bad input is a 4xx with ``error``, and
nothing is stored.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from articles import workflow
from articles.models import Article
from editing import autosaves, locks
from editing.conf import settings
from editing.display import display_name, when

CHANGE_PERMISSION = "articles.change_article"
ADD_PERMISSION = "articles.add_article"


def editable_story(user, story_id) -> Article:
    """The story, if ``user`` may edit it: a 404 if they may not see it, a
    403 if they see it but may not change it."""
    if not user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied
    visible = workflow.visible_stories(user, Article.objects.all())
    story = get_object_or_404(visible, pk=story_id)
    if not workflow.can_edit(user, story):
        raise PermissionDenied
    return story


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
def autosave(request, story_id=None):
    """Keep the form's fields as the user's autosave of the story (or of the
    story not saved yet, without ``story_id``)."""
    if story_id is None:
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied
        story = None
    else:
        story = editable_story(request.user, story_id)
    if request.content_type != "application/json":
        return _error(gettext("Send the autosave as application/json."), 415)
    limit = settings.EDITING_AUTOSAVE_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(gettext("The request's length is not a number."))
    too_large = gettext(
        "An autosave has at most %(limit)s bytes: nothing was kept."
    ) % {"limit": limit}
    if length > limit:
        return _error(too_large, 413)
    try:
        raw = request.body
    except RequestDataTooBig:
        return _error(too_large, 413)
    try:
        fields, labels = autosaves.parse(raw)
    except autosaves.AutosaveTooLarge:
        return _error(too_large, 413)
    except autosaves.BadAutosave as error:
        return _error(gettext("%(error)s Nothing was kept.") % {"error": error})
    kept = autosaves.store(request.user, story, fields, labels)
    return JsonResponse(
        {
            "saved_at": kept.saved_at.isoformat(),
            "message": gettext("Draft autosaved at %(when)s.")
            % {"when": when(kept.saved_at)},
        }
    )


@require_POST
def discard_autosave(request, story_id=None):
    """Drop the user's autosave: the banner's "Discard"."""
    if story_id is None:
        if not request.user.has_perm(ADD_PERMISSION):
            raise PermissionDenied
        story = None
    else:
        story = editable_story(request.user, story_id)
    autosaves.discard(request.user, story)
    return HttpResponse(status=204)


def _lock_answer(request, state: locks.LockState) -> JsonResponse:
    return JsonResponse(state.as_json(request.user))


@require_POST
def take_lock(request, story_id):
    """The form was opened: hold the lock, or learn who holds it."""
    story = editable_story(request.user, story_id)
    return _lock_answer(request, locks.take(story, request.user))


@require_POST
def heartbeat(request, story_id):
    """The form is still open: keep the lock (or learn it was taken over)."""
    story = editable_story(request.user, story_id)
    return _lock_answer(request, locks.heartbeat(story, request.user))


@require_POST
def release_lock(request, story_id):
    """The form was left (the page's ``pagehide``): free the lock."""
    story = editable_story(request.user, story_id)
    locks.release(story, request.user)
    return HttpResponse(status=204)


@require_POST
def take_over(request, story_id):
    """An Editor takes the lock from a colleague: JSON for the script, or
    back to the story's form with a message for a plain form POST."""
    story = editable_story(request.user, story_id)
    if not locks.can_take_over(request.user, story):
        raise PermissionDenied
    state = locks.take_over(story, request.user)
    if "application/json" in request.headers.get("Accept", ""):
        return _lock_answer(request, state)
    previous = state.lock.taken_from
    if previous is not None:
        messages.success(
            request,
            gettext("You took over editing from %(name)s.")
            % {"name": display_name(previous)},
        )
    return HttpResponseRedirect(
        reverse("admin:articles_article_change", args=[story.pk])
    )
