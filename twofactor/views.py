"""The second step of the desk's login, enrolment, and the device pages.

All under the admin's prefix (its CSP, private responses). The second step
and enrolment are for a staff member who has given a password but not yet a
second factor (``staff_session_required``); the device pages are desk pages
(``admin.site.admin_view`` in ``twofactor.urls``), open once verified.
Templates: ``templates/twofactor/``.
"""

from base64 import b32encode
from functools import wraps
from urllib.parse import urlencode

import segno
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor import devices, policy, throttle
from twofactor.forms import AppCodeForm, CodeForm

PENDING_APP = "twofactor_pending_app"
FRESH_CODES = "twofactor_fresh_codes"


def staff_session_required(view):
    """A signed-in, active staff member, verified or not (the second step)."""

    @wraps(view)
    def inner(request, *args, **kwargs):
        if not policy.staff_session(request.user):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        return view(request, *args, **kwargs)

    return never_cache(inner)


def superuser_required(view):
    @wraps(view)
    def inner(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return inner


def next_url(request) -> str:
    """Where to go after this step: a local ``next``, else the desk."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(
        REDIRECT_FIELD_NAME, ""
    )
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("admin:index")


def with_next(url: str, target: str) -> str:
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: target})}"


def desk_context(request, title: str) -> dict:
    """The desk's header; before the second factor, without its menu or
    counts (a password alone learns nothing of the desk)."""
    if policy.is_satisfied(request):
        context = admin.site.each_context(request)
    else:
        context = {
            "site_title": admin.site.site_title,
            "site_header": admin.site.site_header,
            "site_url": admin.site.site_url,
            "has_permission": False,
            "available_apps": [],
            "is_popup": False,
            "is_nav_sidebar_enabled": False,
            "desk_badges": [],
        }
    return {**context, "title": title}


def webauthn_config(request) -> dict:
    """What django-otp-webauthn's scripts read (``#otp_webauthn_config``)."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginAuthenticationUrl": reverse("twofactor:passkey_begin"),
        "completeAuthenticationUrl": reverse("twofactor:passkey_complete"),
        "beginRegistrationUrl": reverse("twofactor:passkey_register_begin"),
        "completeRegistrationUrl": reverse("twofactor:passkey_register_complete"),
    }


def _locked_out_response(request):
    # AxesMiddleware answers with the lockout page (request.axes_locked_out).
    auth_logout(request)
    request.axes_locked_out = True
    return HttpResponse(status=429)


# The second step ------------------------------------------------------------------


@staff_session_required
def verify(request):
    """Template twofactor/verify.html: a code, a recovery code or a passkey.

    Each failure counts in django-axes with the failed passwords (the same
    lockout) and is audited; at the lockout the session is signed out.
    """
    user, target = request.user, next_url(request)
    if not policy.is_due(user):
        return redirect(target)
    if not policy.has_device(user):
        return redirect(policy.second_step_url(user, target))
    if throttle.locked_out(request, user):
        return _locked_out_response(request)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = devices.check_code(user, form.cleaned_data["code"])
            if result.device is not None:
                otp_login(request, result.device)
                throttle.signed_in(request, user)
                if result.method == devices.RECOVERY:
                    left = devices.recovery_codes_left(user)
                    messages.warning(
                        request,
                        ngettext(
                            "You used a recovery code: %(left)s left. Make new "
                            "ones on your two-factor page if you are running short.",
                            "You used a recovery code: %(left)s left. Make new "
                            "ones on your two-factor page if you are running short.",
                            left,
                        )
                        % {"left": left},
                    )
                return redirect(target)
            if throttle.second_factor_failed(request, user, result.method):
                return _locked_out_response(request)
            form.add_error(
                "code",
                gettext(
                    "Too many wrong codes in a row: wait a few seconds, then try "
                    "the newest code."
                )
                if result.throttled
                else gettext("That code is not right, or it was used already."),
            )
        status = 400
    context = {
        **desk_context(request, gettext("Two-factor login")),
        "form": form,
        "next": target,
        "has_passkey": devices.passkeys(user).exists(),
        "has_app": devices.authenticator_app(user) is not None,
        "codes_left": devices.recovery_codes_left(user),
        "webauthn_config": webauthn_config(request),
    }
    return render(request, "twofactor/verify.html", context, status=status)


@require_POST
def sign_out(request):
    """Leave the second step (Django's admin logout is a desk page)."""
    auth_logout(request)
    return redirect("admin:login")


# Enrolment ------------------------------------------------------------------------


def _may_enrol(request) -> bool:
    """A first device with a password alone; more only once verified."""
    user = request.user
    return not policy.has_device(user) or policy.is_verified(user)


@staff_session_required
def enrol(request):
    """Template twofactor/enrol.html: choose an authenticator app or a passkey."""
    if not _may_enrol(request):
        return redirect(policy.second_step_url(request.user, next_url(request)))
    context = {
        **desk_context(request, gettext("Set up two-factor login")),
        "next": next_url(request),
        "required": policy.is_due(request.user),
        "webauthn_config": webauthn_config(request),
        "after_passkey": with_next(
            reverse("twofactor:recovery_codes"), next_url(request)
        ),
    }
    return render(request, "twofactor/enrol.html", context)


@staff_session_required
def enrol_app(request):
    """Template twofactor/enrol_app.html: scan the QR code or type the key,
    then confirm with the app's first code."""
    if not _may_enrol(request):
        return redirect(policy.second_step_url(request.user, next_url(request)))
    user, target = request.user, next_url(request)
    device = devices.pending_app(user, request.session.get(PENDING_APP))
    request.session[PENDING_APP] = device.pk
    form = AppCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                devices.confirm_app(device, by=user, request=request)
                request.session.pop(PENDING_APP, None)
                otp_login(request, device)
                throttle.signed_in(request, user)
                return _after_enrolment(
                    request, target, gettext("Your authenticator app")
                )
            form.add_error(
                "code",
                gettext(
                    "That code does not match: check the app's clock, or wait "
                    "for the next code."
                ),
            )
        status = 400
    key = b32encode(device.bin_key).decode().rstrip("=")
    context = {
        **desk_context(request, gettext("Set up an authenticator app")),
        "form": form,
        "next": target,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(
            scale=5,
            border=2,
            dark="#000",
            light="#fff",
            title=gettext("QR code: scan it with your authenticator app"),
            svgclass="twofactor-qr-code",
        ),
        "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
    }
    return render(request, "twofactor/enrol_app.html", context, status=status)


def _after_enrolment(request, target: str, what: str):
    """The first way in comes with recovery codes, shown once."""
    user = request.user
    if not StaticDevice.objects.filter(user=user).exists():
        device = devices.make_recovery_codes(user, by=user, request=request)
        request.session[FRESH_CODES] = device.pk
        messages.success(
            request,
            gettext("%(what)s is set up. Now keep your recovery codes.")
            % {"what": what},
        )
        return redirect(with_next(reverse("twofactor:recovery_codes"), target))
    messages.success(request, gettext("%(what)s is set up.") % {"what": what})
    return redirect(target)


# Recovery codes -------------------------------------------------------------------


def recovery_codes(request):
    """Template twofactor/recovery_codes.html: new codes, shown this once
    (until "I have kept them"), to download or print; or how many are left."""
    user = request.user
    if request.method == "POST":
        device = devices.make_recovery_codes(user, by=user, request=request)
        request.session[FRESH_CODES] = device.pk
        return redirect("twofactor:recovery_codes")
    fresh = request.session.get(FRESH_CODES)
    context = {
        **desk_context(request, gettext("Recovery codes")),
        "codes": devices.codes_of(user, fresh) if fresh else [],
        "codes_left": devices.recovery_codes_left(user),
        "next": next_url(request),
    }
    return render(request, "twofactor/recovery_codes.html", context)


def recovery_codes_download(request):
    """The new codes as a text file, while they are still being shown."""
    fresh = request.session.get(FRESH_CODES)
    if not fresh:
        raise Http404(gettext("The codes were shown once already."))
    codes = devices.codes_of(request.user, fresh)
    heading = gettext("%(site)s: recovery codes for %(user)s") % {
        "site": admin.site.site_header,
        "user": request.user.get_username(),
    }
    text = (
        heading
        + "\n"
        + gettext("Each works once, instead of a code from your app.")
        + "\n\n"
        + "\n".join(codes)
        + "\n"
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response


@require_POST
def recovery_codes_done(request):
    request.session.pop(FRESH_CODES, None)
    return redirect(next_url(request))


# The staff member's own devices ---------------------------------------------------


def my_devices(request):
    """Template twofactor/devices.html: the ways this user signs in, and the
    buttons to add, reset or remove them."""
    user = request.user
    context = {
        **desk_context(request, gettext("Two-factor login")),
        "mode": policy.mode(),
        "required": policy.mode() == "required" and policy.applies_to(user),
        "app": devices.authenticator_app(user),
        "passkeys": list(devices.passkeys(user)),
        "codes_left": devices.recovery_codes_left(user),
        "has_codes": StaticDevice.objects.filter(user=user).exists(),
        "webauthn_config": webauthn_config(request),
    }
    return render(request, "twofactor/devices.html", context)


@require_POST
def remove_passkey(request, passkey_id):
    if not devices.remove_passkey(
        request.user, passkey_id, by=request.user, request=request
    ):
        raise Http404(gettext("No such passkey."))
    messages.success(request, gettext("The passkey was removed."))
    return redirect("twofactor:devices")


@require_POST
def reset_app(request):
    """Set up the authenticator app again (a new phone): the old key stops
    working once the new one is confirmed; until then both ways stay open."""
    request.session.pop(PENDING_APP, None)
    TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
    return redirect(
        with_next(reverse("twofactor:enrol_app"), reverse("twofactor:devices"))
    )


@require_POST
def remove_app(request):
    if devices.remove_app(request.user, by=request.user, request=request):
        messages.success(request, gettext("The authenticator app was removed."))
    return redirect("twofactor:devices")


# Colleagues (superusers) ----------------------------------------------------------


@superuser_required
def colleagues(request):
    """Template twofactor/colleagues.html: each staff member's ways to sign
    in, with a reset for one who lost them. Four queries, however many."""
    User = get_user_model()
    staff = list(
        User.objects.filter(is_staff=True, is_active=True)
        .prefetch_related("groups")
        .order_by("username")
    )
    ids = [user.pk for user in staff]
    apps = set(
        TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    keys = set(
        devices.Passkey.objects.filter(user_id__in=ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    rows = [
        {
            "user": user,
            "app": user.pk in apps,
            "passkey": user.pk in keys,
            "required": policy.mode() == "required"
            and policy.applies_to(user, groups=user.groups.all()),
        }
        for user in staff
    ]
    context = {
        **desk_context(request, gettext("Colleagues' two-factor login")),
        "rows": rows,
    }
    return render(request, "twofactor/colleagues.html", context)


@superuser_required
def reset_colleague(request, user_id):
    """Template twofactor/reset_colleague.html: confirm, then remove every
    device of this colleague (audited); they enrol again at their next login."""
    colleague = get_object_or_404(get_user_model(), pk=user_id, is_staff=True)
    if request.method == "POST":
        methods = devices.reset(colleague, by=request.user, request=request)
        if methods:
            messages.success(
                request,
                gettext(
                    "%(user)s's two-factor login was reset: they set it up again "
                    "at their next login."
                )
                % {"user": colleague.get_username()},
            )
        else:
            messages.info(
                request,
                gettext("%(user)s had nothing to reset.")
                % {"user": colleague.get_username()},
            )
        return redirect("twofactor:colleagues")
    context = {
        **desk_context(request, gettext("Reset two-factor login")),
        "colleague": colleague,
        "methods": [devices.METHOD_NAMES[m] for m in devices.describe(colleague)],
    }
    return render(request, "twofactor/reset_colleague.html", context)
