"""Reader endpoints: the comment form, posting, reporting.

Posting and reporting change data: POST only, CSRF-checked.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from articles.links import cached_reverse
from articles.models import Article
from comments import conf, moderation, notices, ratelimit
from comments.forms import CommentForm, issue_token
from comments.models import MAX_DEPTH, Comment
from comments.templatetags import comment_tags
from newsroom.clientip import client_ip

CHECK_MESSAGE = _("Something needs fixing before your reply can be posted.")
DUPLICATE_MESSAGE = _(
    "We have this comment from you already, so it was not posted twice."
)
REPORTED_MESSAGE = _(
    "Thank you for your report. A moderator will look at this comment."
)


def poster_hash(value: str) -> str:
    """A keyed hash (HMAC with a key derived from SECRET_KEY): no raw IPs kept."""
    return salted_hmac(
        "newsroom.comments.poster", value, algorithm="sha256"
    ).hexdigest()


# Texts this short may be written by two readers behind one address.
COURTESY_LENGTH = 40


def reader_id(request) -> str:
    """The same for every form this browser is given; another browser at the
    same address gets another. A keyed hash of the browser's CSRF secret
    (``get_token`` makes one if it has none): nothing of the secret shows in
    the token, which is signed, not encrypted."""
    get_token(request)
    secret = request.META.get("CSRF_COOKIE", "")
    return salted_hmac(
        "newsroom.comments.reader", secret, algorithm="sha256"
    ).hexdigest()[:32]


def render_form_page(
    request, article, form, *, status, template="comments/form_page.html", extra=None
):
    """The reader's text back in the form, errors beside their fields."""
    context = {
        "article": article,
        "form": form,
        "issued_token": issue_token(article.pk, reader=reader_id(request)),
        **(extra or {}),
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
        "issued_token": issue_token(article.pk, reader=reader_id(request)),
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
        {
            "csrfmiddlewaretoken": get_token(request),
            "issued": issue_token(article.pk, reader=reader_id(request)),
        }
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
@never_cache
def post_comment(request, article_pk):
    """Store a comment as the moderation checks decide, then redirect (PRG).

    The redirect goes to ``#comment-<id>``: the comment, or the notice that
    stands in its place while it is held (``comments.notices``). Templates:
    ``comments/closed.html`` (403), ``comments/form_page.html`` (400),
    ``comments/rate_limited.html`` (429), ``comments/duplicate.html`` (409);
    each with ``article`` and ``form``.

    The page's script replies in place with ``Accept: application/json``:
    then the answer is JSON (``answer_json``), the same statuses, and a 201
    with the HTML of the reply or of its notice instead of the redirect.
    """
    as_json = wants_json(request)
    article = open_story_or_404(article_pk)
    now = timezone.now()
    closure = moderation.comments_open(
        article, now, conf.settings.COMMENTS_CLOSE_AFTER_DAYS
    )
    if not closure.is_open:
        if as_json:
            message = gettext("Comments are closed. %(reason)s") % {
                "reason": closure.reason
            }
            return answer_json(403, message=message)
        return closed_page(request, article, closure)

    form = CommentForm(request.POST, article=article, now=now.timestamp())
    if form.is_bot:
        # Quietly: the bot learns nothing, and nothing is stored.
        return posted(request, article, notices.Notice(published=False), as_json)
    if not form.is_valid():
        if as_json:
            return answer_json(400, message=CHECK_MESSAGE, errors=field_errors(form))
        return render_form_page(request, article, form, status=400)

    data = form.cleaned_data
    ip_hash = poster_hash(client_ip(request))
    # The browser the token names counts only if it is this one: a token
    # fetched by another client (a script that drops its cookies) names none.
    if form.reader and not constant_time_compare(form.reader, reader_id(request)):
        form.reader = ""
    # A repeat is the same text from this address, or from the same email
    # address. Only a short courtesy ("Thank you.") may come from two
    # browsers at one address: a longer one twice is a repeat (or spam).
    courtesy = len(data["body"]) <= COURTESY_LENGTH
    same_poster = Q(ip_hash=ip_hash)
    if form.reader and courtesy:
        same_poster &= Q(reader_hash=form.reader)
    if data["email"]:
        same_poster |= Q(email__iexact=data["email"])
    if (
        Comment.objects.filter(same_poster, body=data["body"])
        .filter(created_at__gte=now - timedelta(days=1))
        .exists()
    ):
        return duplicate(request, article, form, as_json)

    limited = over_rate_limit(ip_hash, form)
    if limited is not None:
        return rate_limited(request, article, form, limited, as_json)

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
        reader_hash=form.reader,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        user=request.user if request.user.is_authenticated else None,
    )
    comment.attach_to(form.parent_comment)
    # The query above catches a repeat; the unique fingerprint catches the
    # same text sent twice at the same instant (a double click, two tabs).
    comment.fingerprint = Comment.fingerprint_for(
        ip_hash, data["body"], now, form.reader if courtesy else ""
    )
    try:
        with transaction.atomic():
            comment.save()
    except IntegrityError:
        return duplicate(request, article, form, as_json)
    notice = notices.Notice.for_comment(comment, answers=form.parent_comment)
    return posted(request, article, notice, as_json, comment=comment)


def wants_json(request) -> bool:
    """The page's script asks for JSON; a plain form post never does."""
    return "application/json" in request.headers.get("Accept", "")


def answer_json(http_status: int, **data) -> JsonResponse:
    response = JsonResponse(data, status=http_status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def field_errors(form) -> dict[str, list[str]]:
    return {
        name: [error["message"] for error in errors]
        for name, errors in form.errors.get_json_data().items()
    }


def posted(request, article, notice, as_json, comment=None):
    """After a post: the story at the comment or its notice, or (JSON) the
    HTML to put where the reply form was."""
    if as_json:
        if notice.published and comment is not None:
            level = min(comment.depth, MAX_DEPTH)
            html = comment_tags.thread_html(
                [(comment, level)],
                cached_reverse("comments:write", article.pk),
                True,
                notice,
                autofocus=False,
            )
        else:
            html = notice.item_html(
                min(comment.depth if comment else 1, MAX_DEPTH), autofocus=False
            )
        return answer_json(
            201,
            status="published" if notice.published else "held",
            anchor=notice.anchor,
            message=notice.headline,
            html=str(html).strip(),
        )
    level = messages.SUCCESS if notice.published else messages.INFO
    messages.add_message(request, level, notice.headline, extra_tags=notice.tags())
    return redirect(f"{article.get_absolute_url()}#{notice.anchor}")


def duplicate(request, article, form, as_json):
    if as_json:
        return answer_json(409, message=DUPLICATE_MESSAGE)
    return render_form_page(
        request, article, form, status=409, template="comments/duplicate.html"
    )


def over_rate_limit(ip_hash: str, form) -> "RateLimited | None":
    """The first limit this post goes over, if any.

    One poster is a reader at an address: their browser, known from the signed
    form token (``reader_id``), or else the name they give, so colleagues
    behind one office address are counted apart. The email address, when
    given, is a poster too, whatever the address; the address as a whole has
    a higher ceiling, so a script that takes fresh tokens or names each time
    gains only that.
    """
    settings = conf.settings
    data = form.cleaned_data
    if form.reader:
        who = f"reader:{ip_hash}:{form.reader}"
    else:
        who = f"name:{ip_hash}:{poster_hash(data['name'].casefold())}"
    limits = [(who, settings.COMMENTS_RATE_LIMIT, "you")]
    if data["email"]:
        email = poster_hash(data["email"].casefold())
        limits.append((f"email:{email}", settings.COMMENTS_RATE_LIMIT, "you"))
    limits.append(
        (f"ip:{ip_hash}", settings.COMMENTS_RATE_LIMIT_PER_ADDRESS, "address")
    )
    for key, limit, scope in limits:
        hit = ratelimit.hit(
            key, limit=limit, window=settings.COMMENTS_RATE_LIMIT_WINDOW
        )
        if not hit.allowed:
            return RateLimited(scope=scope, retry_after=hit.retry_after)
    return None


@dataclass(frozen=True)
class RateLimited:
    scope: str  # "you": this reader; "address": everyone at their address
    retry_after: int

    @property
    def message(self) -> str:
        minutes = conf.settings.COMMENTS_RATE_LIMIT_WINDOW // 60
        wait = ratelimit.wait_in_words(self.retry_after)
        if self.scope == "address":
            why = gettext(
                "Many comments have come from your network (an office, a school "
                "or a mobile network can share one address) in the last "
                "%(minutes)d minutes."
            ) % {"minutes": minutes}
        else:
            why = gettext(
                "You have posted %(count)d comments in the last %(minutes)d minutes."
            ) % {"count": conf.settings.COMMENTS_RATE_LIMIT, "minutes": minutes}
        return gettext("%(why)s Please try again %(wait)s; your text is kept.") % {
            "why": why,
            "wait": wait,
        }


def rate_limited(request, article, form, limited: RateLimited, as_json):
    if as_json:
        response = answer_json(429, message=limited.message)
    else:
        response = render_form_page(
            request,
            article,
            form,
            status=429,
            template="comments/rate_limited.html",
            extra={"rate_limit_message": limited.message},
        )
    response["Retry-After"] = str(limited.retry_after)
    return response


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
