"""Staff previews of stories readers cannot see yet, and of unsaved changes.

A preview link carries a signed token (``django.core.signing``, its own salt)
naming the story and the editor it was made for; it expires after
``PREVIEW_MAX_AGE`` seconds. The link works only for that editor, while they
are signed in and may still view the story in the admin, so a forwarded or
leaked link shows nothing. Anything wrong (tampered, expired, someone else's)
is the same 404 as a missing story.

Preview pages are marked ``noindex`` (meta and ``X-Robots-Tag``) and are never
stored by any cache (``Cache-Control: private, no-store``). The story's public
address is untouched: it stays a 404 for readers until the story is live.
"""

from django.contrib import admin
from django.core import signing
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from articles import workflow
from articles.models import Article
from articles.sanitizer import clean_html
from articles.views import RELATED_STORIES, ArticleDetailView

PREVIEW_SALT = "articles.preview"
PREVIEW_MAX_AGE = 60 * 60


def make_token(article: Article, user) -> str:
    return signing.dumps({"a": article.pk, "u": user.pk}, salt=PREVIEW_SALT)


def read_token(token: str, max_age: int = PREVIEW_MAX_AGE) -> tuple[int, int]:
    """``(article pk, user pk)``; ``Http404`` if tampered with or expired."""
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=max_age)
        return int(data["a"]), int(data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such preview.") from None


def preview_url(article: Article, user) -> str:
    return reverse("articles:preview", args=[make_token(article, user)])


def _article_admin():
    return admin.site.get_model_admin(Article)


def _may_preview(request, article: Article, *, change: bool) -> bool:
    """The rules of the story's admin pages, from ``articles.workflow``: the
    view or change permission, whose stories this user may see at all, and
    (to preview changes) whether they may edit this one."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if change:
        allowed = user.has_perm("articles.change_article") and workflow.can_edit(
            user, article
        )
    else:
        allowed = user.has_perm("articles.view_article") or user.has_perm(
            "articles.change_article"
        )
    visible = workflow.visible_stories(user, Article.objects.filter(pk=article.pk))
    return allowed and visible.exists()


def _render(request, article: Article):
    context = {
        "article": article,
        "object": article,
        "preview": True,
        "label_bylines": ArticleDetailView.label_bylines(article),
        "related": list(
            Article.objects.published().for_cards().related_to(article, RELATED_STORIES)
        ),
    }
    response = render(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex"
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _story(pk: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("section").for_listing().with_tags(), pk=pk
    )


@require_GET
def preview(request, token):
    """A story as readers will see it, for the editor the link was made for.

    Template: ``articles/article_detail.html`` with ``preview`` set.
    """
    article_pk, user_pk = read_token(token)
    if request.user.pk is None or request.user.pk != user_pk:
        raise Http404("No such preview.")
    article = _story(article_pk)
    if not _may_preview(request, article, change=False):
        raise Http404("No such preview.")
    return _render(request, article)


@require_POST
def preview_changes(request, pk):
    """The admin change form's unsaved content, rendered as the story page.

    Nothing is saved: the form is validated and applied to the story in memory
    only. Bylines and tags are shown as saved; a newly chosen picture is not
    shown until the story is saved. Requires the change permission on the
    story, checked by the story admin itself; CSRF-protected like every POST.
    """
    article = _story(pk)
    if not _may_preview(request, article, change=True):
        raise Http404("No such preview.")
    model_admin = _article_admin()
    stored_image = article.lead_image.name
    stored_size = (article.lead_image_width, article.lead_image_height)
    form_class = model_admin.get_form(request, article, change=True)
    form = form_class(request.POST, request.FILES, instance=article)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "The story has errors: correct them in the editor, then preview again.",
            content_type="text/plain; charset=utf-8",
        )
    # ``is_valid()`` has copied the form's values onto ``article`` (unsaved).
    if article.lead_image.name != stored_image:
        article.lead_image = stored_image
        article.lead_image_width, article.lead_image_height = stored_size
    article.body = clean_html(article.body)
    return _render(request, article)
