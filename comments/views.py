"""Reader endpoints: the comment form, posting, reporting.

Posting and reporting change data: POST only, CSRF-checked.
"""

from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from comments import conf, moderation, ratelimit
from comments.forms import CommentForm, issue_token
from comments.models import Comment
from newsroom.clientip import client_ip

PUBLISHED_MESSAGE = "Thank you. Your comment is published."
HELD_MESSAGE = (
    "Thank you. Your comment is held for review and will appear once a "
    "moderator approves it."
)
REPORTED_MESSAGE = "Thank you for your report. A moderator will look at this comment."


def poster_hash(value: str) -> str:
    """A keyed hash (HMAC with a key derived from SECRET_KEY): no raw IPs kept."""
    return salted_hmac(
        "newsroom.comments.poster", value, algorithm="sha256"
    ).hexdigest()


def render_form_page(
    request, article, form, *, status, template="comments/form_page.html"
):
    """The reader's text back in the form, errors beside their fields."""
    context = {
        "article": article,
        "form": form,
        "issued_token": issue_token(article.pk),
    }
    return render(request, template, context, status=status)


def open_story_or_404(article_pk):
    return get_object_or_404(
        Article.objects.published().select_related("comment_settings"),
        pk=article_pk,
    )


def closed_page(request, article, closure):
    return render(
        request,
        "comments/closed.html",
        {"article": article, "closure": closure},
        status=403,
    )


@require_GET
def write_comment(request, article_pk):
    """The comment form, ``?reply=<id>`` to answer a comment.

    A page of its own so that story pages carry no CSRF token: they stay
    cacheable and set no cookie. Template: ``comments/write.html`` with
    ``article``, ``form``, ``reply_to`` and ``issued_token``.
    """
    article = open_story_or_404(article_pk)
    closure = moderation.comments_open(
        article, timezone.now(), conf.settings.COMMENTS_CLOSE_AFTER_DAYS
    )
    if not closure.is_open:
        return closed_page(request, article, closure)
    reply_to = None
    if request.GET.get("reply", "").isdigit():
        reply_to = (
            Comment.objects.approved()
            .filter(article=article, pk=int(request.GET["reply"]))
            .only("pk", "name", "body")
            .first()
        )
    form = CommentForm(
        article=article, initial={"parent": reply_to.pk if reply_to else None}
    )
    context = {
        "article": article,
        "form": form,
        "reply_to": reply_to,
        "issued_token": issue_token(article.pk),
    }
    return render(request, "comments/write.html", context)


@require_GET
@never_cache
def comment_token(request, article_pk):
    """A fresh CSRF token and form timestamp for the form under a cached story.

    The story page is shared by every reader, so it carries neither; the
    page's script (static/comments/comments.js) asks here when the reader starts
    writing. Sets the CSRF cookie; private and never stored by any cache.
    """
    article = open_story_or_404(article_pk)
    closure = moderation.comments_open(
        article, timezone.now(), conf.settings.COMMENTS_CLOSE_AFTER_DAYS
    )
    if not closure.is_open:
        return JsonResponse({"closed": str(closure.reason)}, status=403)
    response = JsonResponse(
        {"csrfmiddlewaretoken": get_token(request), "issued": issue_token(article.pk)}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def post_comment(request, article_pk):
    """Store a comment as the moderation checks decide, then redirect (PRG).

    Templates: ``comments/closed.html`` (403), ``comments/form_page.html``
    (400), ``comments/rate_limited.html`` (429), ``comments/duplicate.html``
    (409); each with ``article`` and ``form``.
    """
    article = open_story_or_404(article_pk)
    now = timezone.now()
    closure = moderation.comments_open(
        article, now, conf.settings.COMMENTS_CLOSE_AFTER_DAYS
    )
    if not closure.is_open:
        return closed_page(request, article, closure)

    form = CommentForm(request.POST, article=article, now=now.timestamp())
    if form.is_bot:
        # Quietly: the bot learns nothing, and nothing is stored.
        messages.info(request, HELD_MESSAGE)
        return redirect(f"{article.get_absolute_url()}#comments")
    if not form.is_valid():
        return render_form_page(request, article, form, status=400)

    data = form.cleaned_data
    ip_hash = poster_hash(client_ip(request))
    same_poster = Q(ip_hash=ip_hash)
    if data["email"]:
        same_poster |= Q(email__iexact=data["email"])
    if (
        Comment.objects.filter(same_poster, body=data["body"])
        .filter(created_at__gte=now - timedelta(days=1))
        .exists()
    ):
        return render_form_page(
            request, article, form, status=409, template="comments/duplicate.html"
        )

    keys = [f"ip:{ip_hash}"]
    if data["email"]:
        keys.append(f"email:{poster_hash(data['email'].casefold())}")
    for key in keys:
        hit = ratelimit.hit(
            key,
            limit=conf.settings.COMMENTS_RATE_LIMIT,
            window=conf.settings.COMMENTS_RATE_LIMIT_WINDOW,
        )
        if not hit.allowed:
            response = render_form_page(
                request,
                article,
                form,
                status=429,
                template="comments/rate_limited.html",
            )
            response["Retry-After"] = str(hit.retry_after)
            return response

    hold_words, reject_words = moderation.word_lists()
    decision = moderation.decide(
        moderation.Submission(
            body=data["body"],
            name=data["name"],
            seconds_since_form=form.seconds_since_form,
            mode=moderation.story_mode(article, conf.settings.COMMENTS_MODERATION),
            hold_words=hold_words,
            reject_words=reject_words,
        ),
        min_seconds=conf.settings.COMMENTS_MIN_SECONDS,
    )
    comment = Comment(
        article=article,
        name=data["name"],
        email=data["email"],
        body=data["body"],
        status=decision.status,
        held_reason=decision.reason,
        created_at=now,
        ip_hash=ip_hash,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        user=request.user if request.user.is_authenticated else None,
    )
    comment.attach_to(form.parent_comment)
    # The query above catches a repeat; the unique fingerprint catches the
    # same text sent twice at the same instant (a double click, two tabs).
    comment.fingerprint = Comment.fingerprint_for(ip_hash, data["body"], now)
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        return render_form_page(
            request, article, form, status=409, template="comments/duplicate.html"
        )
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, PUBLISHED_MESSAGE)
    else:
        messages.info(request, HELD_MESSAGE)
    return redirect(f"{article.get_absolute_url()}#comment-{comment.pk}")


def reportable_comment_or_404(pk):
    return get_object_or_404(
        Comment.objects.approved().on_live_stories().select_related("article"),
        pk=pk,
    )


@require_GET
def confirm_report(request, pk):
    """Asks before reporting. Template: ``comments/report.html`` (``comment``)."""
    comment = reportable_comment_or_404(pk)
    return render(request, "comments/report.html", {"comment": comment})


@require_POST
def report_comment(request, pk):
    """One reader's report; enough distinct readers send the comment back."""
    comment = reportable_comment_or_404(pk)
    comment.report(
        poster_hash(client_ip(request)), conf.settings.COMMENTS_REPORTS_THRESHOLD
    )
    messages.info(request, REPORTED_MESSAGE)
    return redirect(f"{comment.article.get_absolute_url()}#comments")
