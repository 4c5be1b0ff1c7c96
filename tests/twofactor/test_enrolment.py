"""Enrolment at the first login: an authenticator app (the QR code as inline
SVG, or the key typed), confirmed with its first code; then recovery codes,
shown once."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.twofactor.conftest import code_for, password_step, second_step, with_app

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


def test_the_first_login_goes_to_enrolment(client, editor):
    response = password_step(client, editor)
    assert response["Location"] == reverse("twofactor:enrol") + "?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Set up an authenticator app" in page.content
    assert b'id="passkey-registration-placeholder"' in page.content
    # No menu and no counts before the second factor.
    assert b'id="nav-sidebar"' not in page.content
    assert client.get("/admin/").status_code == 302


def test_setting_up_an_app_then_keeping_the_recovery_codes(client, editor):
    password_step(client, editor)
    url = reverse("twofactor:enrol_app") + "?next=/admin/articles/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "QR code: scan it" in html
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    typed_key = "".join(re.findall(r"<span>([A-Z2-7]{1,4})</span>", html))
    assert len(typed_key) == 32
    # Reloading keeps the same key.
    client.get(url)
    assert TOTPDevice.objects.filter(user=editor).count() == 1

    response = client.post(url, {"code": code_for(device), "next": "/admin/articles/"})
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("twofactor:recovery_codes") + "?next=%2Fadmin%2Farticles%2F"
    )
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200

    codes = client.get(response["Location"])
    tokens = list(
        StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)
    )
    assert len(tokens) == 10
    for token in tokens:
        assert f"{token[:4]}-{token[4:]}".encode() in codes.content
    download = client.get(reverse("twofactor:recovery_codes_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert all(token[:4].encode() in download.content for token in tokens)

    done = client.post(
        reverse("twofactor:recovery_codes_done"), {"next": "/admin/articles/"}
    )
    assert done["Location"] == "/admin/articles/"
    # Shown once: not again, not as a download.
    again = client.get(reverse("twofactor:recovery_codes"))
    assert not any(token[:4].encode() in again.content for token in tokens)
    assert client.get(reverse("twofactor:recovery_codes_download")).status_code == 404

    actions = list(
        AuditEntry.objects.filter(action=AuditEntry.Action.SECOND_FACTOR_ADDED)
        .order_by("pk")
        .values_list("details", flat=True)
    )
    assert [d["method"] for d in actions] == ["totp", "recovery"]


def test_a_wrong_first_code_keeps_the_key_and_says_why(client, editor):
    password_step(client, editor)
    url = reverse("twofactor:enrol_app")
    client.get(url)
    device = TOTPDevice.objects.get(user=editor)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(url, {"code": wrong})
    assert response.status_code == 400
    assert b"That code does not match" in response.content
    response = client.post(url, {"code": "12ab"})
    assert response.status_code == 400
    assert b"Type the six digits" in response.content
    assert b'value="12ab"' in response.content
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302


def test_with_a_device_the_password_alone_cannot_enrol_another(client, editor):
    with_app(editor)
    password_step(client, editor)
    for name in ["twofactor:enrol", "twofactor:enrol_app"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("twofactor:verify"))
    assert TOTPDevice.objects.filter(user=editor).count() == 1
    response = client.post(reverse("twofactor:passkey_register_begin"))
    assert response.status_code == 403


def test_a_passkey_ceremony_needs_a_staff_session(client, db):
    for name in [
        "twofactor:passkey_begin",
        "twofactor:passkey_register_begin",
    ]:
        response = client.post(reverse(name))
        assert response.status_code == 403
        assert response.json()["code"] == "not_authenticated"


def test_a_passkey_cannot_sign_in_alone(client, editor):
    response = client.post(
        reverse("twofactor:passkey_complete"), {}, content_type="application/json"
    )
    assert response.status_code == 403


def test_new_recovery_codes_replace_the_old(client, editor):
    device = with_app(editor)
    password_step(client, editor)
    second_step(client, code_for(device))
    client.post(reverse("twofactor:recovery_codes"))
    first = set(StaticToken.objects.values_list("token", flat=True))
    client.post(reverse("twofactor:recovery_codes"))
    second = set(StaticToken.objects.values_list("token", flat=True))
    assert len(second) == 10 and not first & second
    assert StaticDevice.objects.filter(user=editor).count() == 1
