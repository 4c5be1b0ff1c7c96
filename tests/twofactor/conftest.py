import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_user

PASSWORD = "correct horse battery"
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _required(settings):
    """These tests run with the second factor required (production's default)
    unless they say otherwise, and without django-otp's own back-off after a
    failure, which would make a right code after a wrong one wait a second;
    the tests of the back-off switch it on."""
    settings.STAFF_2FA = "required"
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, drift: int = 0) -> str:
    """The app's code now (``drift`` steps later: a code not used yet)."""
    code = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=drift,
    )
    return f"{code:06d}"


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app")


def with_codes(user, codes=("aaaabbbb", "ccccdddd")) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def password_step(client, user, next_url="/admin/"):
    return client.post(
        LOGIN, {"username": user.username, "password": PASSWORD, "next": next_url}
    )


def second_step(client, code, next_url="/admin/"):
    return client.post(reverse("twofactor:verify"), {"code": code, "next": next_url})


def signed_in(client, user):
    """Both steps with the app, as a test would by hand."""
    device = with_app(user)
    password_step(client, user)
    response = second_step(client, code_for(device))
    assert response.status_code == 302, response.content
    return device


@pytest.fixture
def editor(db):
    return make_role_user("Editor")


@pytest.fixture
def reporter(db):
    return make_role_user("Reporter")


@pytest.fixture
def superuser(db):
    return make_user(staff=True, superuser=True)
