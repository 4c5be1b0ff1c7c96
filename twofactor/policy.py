"""Who must give a second factor, and whether this session has.

``STAFF_2FA`` (``twofactor.conf``): with "required", the staff accounts it
applies to (``applies_to()``: superusers, and the roles of ``STAFF_2FA_ROLES``)
must enrol and verify; anyone who has enrolled is asked, whatever the mode,
unless it is "off". A session is verified when django-otp's
``OTPMiddleware`` finds the device it was verified with
(``user.is_verified()``); removing that device unverifies the session.
"""

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django_otp import devices_for_user

from twofactor.conf import EVERY_ROLE, OFF, REQUIRED
from twofactor.conf import settings as conf


def mode() -> str:
    return conf.STAFF_2FA


def applies_to(user, groups=None) -> bool:
    """Does "required" apply to this account: an active staff member who is a
    superuser or holds one of the roles of ``STAFF_2FA_ROLES``? ``groups``:
    the user's groups, when already fetched."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    roles = conf.STAFF_2FA_ROLES
    if user.is_superuser or EVERY_ROLE in roles:
        return True
    if groups is not None:
        return any(group.name in roles for group in groups)
    return user.groups.filter(name__in=roles).exists()


def has_device(user) -> bool:
    """Has this account a confirmed way to give a second factor?"""
    return any(devices_for_user(user, confirmed=True))


def is_verified(user) -> bool:
    verified = getattr(user, "is_verified", None)
    return bool(verified is not None and verified())


def is_due(user) -> bool:
    """Must this signed-in user still give a second factor to work on the
    desk? False for a verified session (no query)."""
    current = mode()
    if current == OFF or not user.is_authenticated or is_verified(user):
        return False
    return (current == REQUIRED and applies_to(user)) or has_device(user)


def is_satisfied(request) -> bool:
    """May this session open the desk, as far as the second factor goes?"""
    return not is_due(request.user)


def second_step_url(user, next_url: str = "") -> str:
    """The second step: the code or passkey, or enrolment for a user who has
    no device yet."""
    name = "twofactor:verify" if has_device(user) else "twofactor:enrol"
    url = reverse(name)
    if next_url:
        url += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
    return url


def staff_session(user) -> bool:
    """Signed in with a password as an active staff member (verified or not)."""
    return user.is_authenticated and user.is_active and user.is_staff
