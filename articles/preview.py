"""Staff previews of stories readers cannot see yet, and of unsaved changes.

A preview link carries a signed token (``django.core.signing``, its own salt)
naming the story and the editor it was made for; it expires after
``PREVIEW_MAX_AGE`` seconds. The link works only for that editor, while they
are signed in and may still view the story in the admin, so a forwarded or
leaked link shows nothing. Anything wrong (tampered, expired, someone else's)
is the same 404 as a missing story.

Share links (``PreviewLink``) are for someone without a login: a signed token
(its own salt) naming the link and its key, opened while the link is neither
expired nor revoked. The desk makes and revokes them from the story's screen.

Preview pages are marked ``noindex`` (meta and ``X-Robots-Tag``) and are never
stored by any cache (``Cache-Control: private, no-store``). The story's public
address is untouched: it stays a 404 for readers until the story is live.
"""

from datetime import timedelta

from django.contrib import admin
from django.core import signing
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from articles import staging, workflow
from articles.models import Article, Author, Byline, PreviewLink
from articles.sanitizer import clean_html
from articles.views import RELATED_STORIES

PREVIEW_SALT = "articles.preview"
PREVIEW_MAX_AGE = 60 * 60
SHARE_SALT = "articles.preview.share"
# How long a share link may last, in days: the choices the desk is offered.
SHARE_DAYS = (1, 3, 7, 14)


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


def share(article: Article, user, *, days: int = 3) -> PreviewLink:
    """A new share link to ``article``'s preview, open for ``days`` days."""
    if days not in SHARE_DAYS:
        raise ValueError(f"A share link lasts one of {SHARE_DAYS} days.")
    return PreviewLink.objects.create(
        article=article,
        created_by=user if user is not None and user.pk else None,
        expires_at=timezone.now() + timedelta(days=days),
    )


def share_token(link: PreviewLink) -> str:
    return signing.dumps({"l": link.pk, "k": link.key}, salt=SHARE_SALT)


def share_url(link: PreviewLink) -> str:
    return reverse("articles:shared_preview", args=[share_token(link)])


def open_share(token: str) -> PreviewLink:
    """The active link a token names; ``Http404`` for anything else (tampered,
    unknown, expired, revoked), all alike."""
    try:
        data = signing.loads(token, salt=SHARE_SALT)
        link_pk, key = int(data["l"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Http404("No such preview.") from None
    link = PreviewLink.objects.active().filter(pk=link_pk).first()
    if link is None or not constant_time_compare(link.key, key):
        raise Http404("No such preview.")
    return link


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
        allowed = user.has_perm("articles.change_article") and (
            workflow.can_edit(user, article) or workflow.can_stage(user, article)
        )
    else:
        allowed = user.has_perm("articles.view_article") or user.has_perm(
            "articles.change_article"
        )
    visible = workflow.visible_stories(user, Article.objects.filter(pk=article.pk))
    return allowed and visible.exists()


def _private(response):
    response["X-Robots-Tag"] = "noindex"
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _render(request, article: Article, *, shared: bool = False, pending=None):
    context = {
        "pending": pending,
        "article": article,
        "object": article,
        "preview": True,
        "shared": shared,
        "related": list(
            Article.objects.published().for_cards().related_to(article, RELATED_STORIES)
        ),
    }
    return _private(render(request, "articles/preview.html", context))


def _story(pk: int) -> Article:
    return get_object_or_404(
        Article.objects.select_related("section", "pending_change")
        .for_listing()
        .with_tags(),
        pk=pk,
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
    return _render_staged(request, article)


def _render_staged(request, article: Article, *, shared: bool = False):
    """The story with its pending changes, if it has any (``articles.staging``):
    what readers will see once they are published."""
    pending = staging.pending_for(article)
    if pending is not None:
        staging.apply_in_memory(article, pending)
    return _render(request, article, shared=shared, pending=pending)


@require_GET
def shared_preview(request, token):
    """A story's preview for whoever holds an active share link, signed in
    or not. Template: ``articles/preview.html``."""
    link = open_share(token)
    return _render_staged(request, _story(link.article_id), shared=True)


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
            gettext(
                "The story has errors: correct them in the editor, then preview again."
            ),
            content_type="text/plain; charset=utf-8",
        )
    # ``is_valid()`` has copied the form's values onto ``article`` (unsaved).
    if article.lead_image.name != stored_image:
        article.lead_image = stored_image
        article.lead_image_width, article.lead_image_height = stored_size
    article.body = clean_html(article.body)
    return _render(request, article)


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) < 2**63


def _typed_bylines(post) -> list[tuple[str, str]]:
    """(author name, role) of the byline rows the add form sent, in order."""
    try:
        total = min(int(post.get("bylines-TOTAL_FORMS", 0)), 50)
    except ValueError:
        return []
    rows = []
    for i in range(total):
        author = post.get(f"bylines-{i}-author", "")
        # ASCII digits only, and no longer than a database id can be.
        if _is_id(author) and not post.get(f"bylines-{i}-DELETE"):
            order = post.get(f"bylines-{i}-order", "")
            rows.append((int(order) if _is_id(order) else i, int(author), i))
    rows.sort()
    names = dict(
        Author.objects.filter(pk__in=[row[1] for row in rows]).values_list("pk", "name")
    )
    roles = dict(Byline.Role.choices)
    return [
        (names[author], roles.get(post.get(f"bylines-{i}-role", ""), ""))
        for _, author, i in rows
        if author in names
    ]


@require_POST
def preview_new(request):
    """The add form's content before the first save, rendered as a story.

    Nothing is saved. What the form accepts so far is shown (a headline alone
    is enough), with the fields still missing or wrong named in the banner.
    Template: ``articles/preview_new.html``.
    """
    user = request.user
    if not (
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("articles.add_article")
    ):
        raise Http404("No such preview.")
    article = Article(created_by=user)
    form_class = _article_admin().get_form(request, None, change=False)
    form = form_class(request.POST, instance=article)
    # Validation copies every field that passed onto ``article`` (unsaved),
    # errors or not.
    form.is_valid()
    context = {
        "article": article,
        "preview": True,
        "body": clean_html(article.body or ""),
        "bylines": _typed_bylines(request.POST),
        "tags": sorted(form.cleaned_data.get("tags") or [], key=str.casefold),
        "missing": [
            form.fields[name].label or name
            for name in form.errors
            if name in form.fields
        ],
    }
    return _private(render(request, "articles/preview_new.html", context))
