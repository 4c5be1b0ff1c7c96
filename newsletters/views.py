"""Reader endpoints: sign up, confirm, unsubscribe, manage, and the opens
pixel. None is a cached reader page; each answers a bad link with a 400.

Sign-up is POST only and CSRF-checked. The sign-up block on cached section,
tag and author pages carries no token: ``static/newsletters/newsletters.js``
fetches one from ``newsletters:token`` when the reader starts typing (as the
comment form does), and without JavaScript the block links to the sign-up
page instead. The one-click unsubscribe POST is CSRF-exempt by design
(RFC 8058: the mail client posts it, with no cookie).
"""

import base64
import json

from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from newsletters import conf, ratelimit, subscriptions, tokens, topics
from newsletters.forms import ManageForm, SubscribeForm
from newsletters.models import Issue, IssueOpens, Subscription
from newsroom.clientip import client_ip

LISTS = {"digest", "breaking", "topics", "all"}
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _wanted(request) -> list[str]:
    """Topic keys from ``?topic=`` (the sign-up block's link), capped."""
    return [key for key in request.GET.getlist("topic")[:5] if topics.parse(key)]


def _signup_page(request, form, *, status=200, extra=None):
    return render(
        request,
        "newsletters/index.html",
        {"form": form, **(extra or {})},
        status=status,
    )


@require_GET
def index(request):
    """The sign-up page: every newsletter, the reader's topic ticked.
    Template ``newsletters/index.html`` with ``form``."""
    wanted = _wanted(request)
    form = SubscribeForm(
        offered=topics.offered(wanted), initial={"topics": wanted or [topics.DIGEST]}
    )
    return _signup_page(request, form)


@require_POST
@never_cache
def subscribe(request):
    """Ask for confirmation by e-mail (double opt-in), then the same
    "check your inbox" page whether the address was known or not."""
    posted = [key for key in request.POST.getlist("topics")[:60] if topics.parse(key)]
    form = SubscribeForm(request.POST, offered=topics.offered(posted))
    if not form.is_valid():
        return _signup_page(request, form, status=400)
    limits = conf.settings
    window = limits.NEWSLETTER_SIGNUP_WINDOW
    client = ratelimit.hit(
        "client",
        client_ip(request),
        limit=limits.NEWSLETTER_SIGNUPS_PER_CLIENT,
        window=window,
    )
    if not client.allowed:
        response = _signup_page(request, form, status=429, extra={"rate_limited": True})
        response["Retry-After"] = str(client.retry_after)
        return response
    # Over this, nothing is sent to the address, and the page says what it
    # always says: neither a mail bomb nor a way to learn who subscribed.
    address = ratelimit.hit(
        "address",
        form.cleaned_data["email"].strip().lower(),
        limit=limits.NEWSLETTER_CONFIRMATIONS_PER_ADDRESS,
        window=window,
    )
    subscriptions.subscribe(
        form.cleaned_data["email"],
        list(form.resolved.values()),
        may_mail=address.allowed,
    )
    return redirect("newsletters:check_inbox")


@require_GET
@never_cache
def signup_token(request):
    """A CSRF token for the sign-up block under a cached page (sets the
    cookie; private, never stored by a cache)."""
    response = JsonResponse({"csrfmiddlewaretoken": get_token(request)})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def check_inbox(request):
    return render(request, "newsletters/check_inbox.html")


def _bad_link(request):
    return render(request, "newsletters/bad_link.html", status=400)


@require_http_methods(["GET", "POST"])
@never_cache
def confirm(request, token):
    """GET: a page with the button (link scanners only GET); POST: the
    topics the link names start. Template ``newsletters/confirm.html``."""
    try:
        subscriber, data = tokens.read(tokens.CONFIRM, token)
    except tokens.BadToken:
        return _bad_link(request)
    keys = [key for key in data.get("t", []) if isinstance(key, str)][:60]
    if request.method == "POST":
        subscriptions.confirm(subscriber, keys)
        return render(
            request,
            "newsletters/confirmed.html",
            {"manage_token": tokens.make(tokens.MANAGE, subscriber)},
        )
    return render(request, "newsletters/confirm.html", {"email": subscriber.email})


@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request, token):
    """GET: a page with the button. POST: unsubscribed, no login, no CSRF
    token (RFC 8058's one-click POST from the mail client, or the button)."""
    try:
        subscriber, data = tokens.read(tokens.UNSUBSCRIBE, token)
    except tokens.BadToken:
        return _bad_link(request)
    list_name = data.get("l")
    if list_name not in LISTS:
        return _bad_link(request)
    context = {
        "list_label": list_label(list_name),
        "manage_token": tokens.make(tokens.MANAGE, subscriber),
    }
    if request.method == "POST":
        subscriptions.unsubscribe(subscriber, list_name)
        return render(request, "newsletters/unsubscribed.html", context)
    return render(request, "newsletters/unsubscribe.html", context)


def list_label(list_name: str) -> str:
    return {
        "digest": _("the daily digest"),
        "breaking": _("breaking-news alerts"),
        "topics": _("new stories in your sections, topics and journalists"),
    }.get(list_name, _("every newsletter"))


@require_http_methods(["GET", "POST"])
@never_cache
def manage(request, token):
    """Change topics, or delete everything (``action=delete``). Template
    ``newsletters/manage.html`` with ``form``, ``email`` and ``token``."""
    try:
        subscriber, _data = tokens.read(tokens.MANAGE, token)
    except tokens.BadToken:
        return _bad_link(request)
    current = list(
        subscriber.subscriptions.exclude(status=Subscription.Status.UNSUBSCRIBED)
        .select_related("section", "tag", "author")
        .order_by("pk")
    )
    active = [row.topic for row in current if row.status == Subscription.Status.ACTIVE]
    extra = [row.topic for row in current]
    if request.method == "POST" and request.POST.get("action") == "delete":
        subscriptions.erase(subscriber)
        return render(request, "newsletters/deleted.html")
    posted = request.POST.getlist("topics")[:60] if request.method == "POST" else []
    offered = topics.offered(extra + [key for key in posted if topics.parse(key)])
    if request.method == "POST":
        form = ManageForm(request.POST, offered=offered)
        if form.is_valid():
            subscriptions.set_topics(subscriber, list(form.resolved.values()))
            return render(
                request,
                "newsletters/manage.html",
                {
                    "form": ManageForm(
                        offered=offered, initial={"topics": list(form.resolved)}
                    ),
                    "email": subscriber.email,
                    "token": token,
                    "saved": True,
                },
            )
        status = 400
    else:
        form = ManageForm(offered=offered, initial={"topics": active})
        status = 200
    return render(
        request,
        "newsletters/manage.html",
        {"form": form, "email": subscriber.email, "token": token},
        status=status,
    )


@require_GET
@never_cache
def export(request, token):
    """Everything kept about the reader, as a JSON download."""
    try:
        subscriber, _data = tokens.read(tokens.MANAGE, token)
    except tokens.BadToken:
        return _bad_link(request)
    response = HttpResponse(
        json.dumps(subscriptions.export(subscriber), indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="newsletters.json"'
    return response


@require_GET
@never_cache
def opened(request, token):
    """The tracking pixel (``NEWSLETTER_TRACKING_PIXEL``): one more open
    for the issue today. The address names the issue only: nobody is told
    apart."""
    if not conf.settings.NEWSLETTER_TRACKING_PIXEL:
        return HttpResponse(status=404)
    try:
        issue_id = tokens.read_issue(token)
    except tokens.BadToken:
        return HttpResponse(status=404)
    if Issue.objects.filter(pk=issue_id).exists():
        day = timezone.localdate()
        IssueOpens.objects.bulk_create(
            [IssueOpens(issue_id=issue_id, day=day, count=0)], ignore_conflicts=True
        )
        IssueOpens.objects.filter(issue_id=issue_id, day=day).update(
            count=F("count") + 1
        )
    return HttpResponse(GIF, content_type="image/gif")
