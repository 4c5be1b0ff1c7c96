"""The ways a staff member gives a second factor, and the changes to them.

Three kinds of django-otp device: one authenticator app (``TOTPDevice``), any
number of passkeys (django-otp-webauthn's credentials) and one set of one-time
recovery codes (``StaticDevice``). Every change sends ``twofactor.signals``
(the audit log records them).
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.utils import get_credential_model

from twofactor import signals

TOTP, RECOVERY, PASSKEY = "totp", "recovery", "passkey"
METHOD_NAMES = {
    TOTP: _("authenticator app"),
    PASSKEY: _("passkeys"),
    RECOVERY: _("recovery codes"),
}
APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"
RECOVERY_CODES = 10
Passkey = get_credential_model()


def authenticator_app(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def passkeys(user):
    return Passkey.objects.filter(user=user, confirmed=True).order_by("created_at")


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_app(user, device_id) -> TOTPDevice:
    """The authenticator app being set up: the one started earlier in this
    session (so a reload shows the same QR code), else a new key."""
    device = None
    if device_id is not None:
        device = TOTPDevice.objects.filter(
            pk=device_id, user=user, confirmed=False
        ).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def confirm_app(device: TOTPDevice, *, by, request=None) -> None:
    """The code matched: this app is the user's one authenticator app."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    signals.second_factor_added.send(
        sender=TOTPDevice,
        user=device.user,
        method=TOTP,
        name=device.name,
        by=by,
        request=request,
    )


def make_recovery_codes(user, *, by, request=None) -> StaticDevice:
    """A new set of codes; the old ones stop working."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=CODES_NAME)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=StaticToken.random_token())
            for _ in range(RECOVERY_CODES)
        )
    signals.second_factor_added.send(
        sender=StaticDevice,
        user=user,
        method=RECOVERY,
        name=device.name,
        by=by,
        request=request,
    )
    return device


def codes_of(user, device_id) -> list[str]:
    """The unused codes of this set, shown as ``abcd-efgh``."""
    tokens = StaticToken.objects.filter(
        device_id=device_id, device__user=user
    ).order_by("pk")
    return [f"{token.token[:4]}-{token.token[4:]}" for token in tokens]


def passkey_added(passkey, *, by, request=None) -> None:
    if not passkey.name:
        passkey.name = gettext("Passkey %(number)s") % {
            "number": passkeys(passkey.user).count()
        }
        passkey.save(update_fields=["name"])
    signals.second_factor_added.send(
        sender=Passkey,
        user=passkey.user,
        method=PASSKEY,
        name=passkey.name,
        by=by,
        request=request,
    )


def remove_passkey(user, passkey_id, *, by, request=None) -> bool:
    passkey = Passkey.objects.filter(user=user, pk=passkey_id).first()
    if passkey is None:
        return False
    name = passkey.name
    passkey.delete()
    _removed(user, [PASSKEY], by=by, request=request, names=[name])
    return True


def remove_app(user, *, by, request=None) -> bool:
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        _removed(user, [TOTP], by=by, request=request)
    return bool(deleted)


def reset(user, *, by, request=None) -> list[str]:
    """Remove every way this user gives a second factor (a superuser's reset
    of a colleague who lost their phone): they enrol again at their next
    login, and sessions verified with a removed device are verified no more.
    """
    methods = describe(user)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        Passkey.objects.filter(user=user).delete()
    _removed(user, methods, by=by, request=request, reset=True)
    return methods


def describe(user) -> list[str]:
    """The kinds of device the user has confirmed, in a fixed order."""
    found = []
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        found.append(TOTP)
    if passkeys(user).exists():
        found.append(PASSKEY)
    if StaticDevice.objects.filter(user=user, confirmed=True).exists():
        found.append(RECOVERY)
    return found


def _removed(user, methods, *, by, request=None, reset=False, names=()):
    signals.second_factor_removed.send(
        sender=user.__class__,
        user=user,
        methods=methods,
        names=list(names),
        by=by,
        request=request,
        reset=reset,
    )


# Checking a code ------------------------------------------------------------------

CODE_SPACING = re.compile(r"[\s-]+")


@dataclass
class CodeCheck:
    device: object | None
    method: str
    throttled: bool = False


def check_code(user, typed: str) -> CodeCheck:
    """Six digits are the authenticator app's code, anything else a recovery
    code (used up when it matches). Each kind of device keeps django-otp's
    own back-off after failures (``throttled``)."""
    code = CODE_SPACING.sub("", typed).lower()
    if code.isdigit() and len(code) == 6:
        method = TOTP
        candidates = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        method = RECOVERY
        candidates = StaticDevice.objects.filter(user=user, confirmed=True)
    throttled = False
    for device in candidates:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if device.verify_token(code):
            return CodeCheck(device, method)
    return CodeCheck(None, method, throttled)
