"""django-otp-webauthn's ceremonies, as the desk's second step.

Passkeys are a second factor here, never a login of their own
(``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN`` is off): every ceremony needs a
staff member signed in with a password. A failed passkey counts in django-axes
and is audited like a wrong code; a first passkey comes with recovery codes.
"""

import json

from django.contrib.auth import logout as auth_logout
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn import exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from twofactor import devices, policy, throttle
from twofactor.views import FRESH_CODES


class LockedOut(exceptions.OTPWebAuthnApiError):
    status_code = 429
    default_detail = _("Too many failed attempts: try again later.")
    default_code = "locked_out"


class NotStaff(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = _("Sign in to the desk with your password first.")
    default_code = "not_authenticated"


def _check_staff(request):
    if not policy.staff_session(request.user):
        raise NotStaff()


class RegisterBegin(BeginCredentialRegistrationView):
    def check_can_register(self):
        _check_staff(self.request)


class RegisterComplete(CompleteCredentialRegistrationView):
    def check_can_register(self):
        _check_staff(self.request)

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        user = self.request.user
        passkey = devices.passkeys(user).get(pk=json.loads(response.content)["id"])
        devices.passkey_added(passkey, by=user, request=self.request)
        if not StaticDevice.objects.filter(user=user).exists():
            codes = devices.make_recovery_codes(user, by=user, request=self.request)
            # Shown once, on the page the script goes to next.
            self.request.session[FRESH_CODES] = codes.pk
        return response


class VerifyBegin(BeginCredentialAuthenticationView):
    def check_can_authenticate(self):
        _check_staff(self.request)
        if throttle.locked_out(self.request, self.request.user):
            raise LockedOut()


class VerifyComplete(CompleteCredentialAuthenticationView):
    """A failure counts in axes; at the lockout the session is signed out."""

    def check_can_authenticate(self):
        _check_staff(self.request)
        if throttle.locked_out(self.request, self.request.user):
            raise LockedOut()

    def complete_auth(self, device):
        super().complete_auth(device)
        throttle.signed_in(self.request, self.request.user)

    def handle_exception(self, exc):
        user = self.request.user
        if (
            isinstance(exc, exceptions.OTPWebAuthnApiError)
            and not isinstance(exc, LockedOut | NotStaff)
            and policy.staff_session(user)
        ):
            if throttle.second_factor_failed(self.request, user, devices.PASSKEY):
                auth_logout(self.request)
                self.request.axes_locked_out = True
        return super().handle_exception(exc)
