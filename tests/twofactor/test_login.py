"""The desk's login with a second factor: the password step, then a code from
the authenticator app (computed here with django_otp.oath.totp), a recovery
code, or a passkey (tests/twofactor/test_browser.py)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from audit.models import AuditEntry
from tests.twofactor.conftest import (
    code_for,
    password_step,
    second_step,
    with_app,
    with_codes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


def test_a_password_only_session_is_refused_by_the_desk(client, editor):
    with_app(editor)
    client.force_login(editor)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # The login page sends it on to the second step, keeping where it was going.
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("twofactor:verify") + "?next=%2Fadmin%2F"
    for url in ["/admin/articles/article/", reverse("admin:password_change")]:
        assert client.get(url).status_code == 302


def test_the_password_step_leads_to_the_second_step(client, editor):
    with_app(editor)
    response = password_step(client, editor, next_url="/admin/articles/article/")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("twofactor:verify") + "?next=%2Fadmin%2Farticles%2Farticle%2F"
    )
    assert client.session[SESSION_KEY] == str(editor.pk)
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_code_from_the_app_opens_the_desk(client, editor):
    device = with_app(editor)
    password_step(client, editor)
    response = second_step(client, code_for(device), next_url="/admin/articles/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/articles/"
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action="logged-in").count() == 1


def test_the_second_step_never_redirects_to_another_host(client, editor):
    device = with_app(editor)
    password_step(client, editor)
    response = second_step(client, code_for(device), next_url="https://evil.test/")
    assert response["Location"] == reverse("admin:index")


def test_a_wrong_code_is_refused_and_audited(client, editor):
    device = with_app(editor)
    password_step(client, editor)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = second_step(client, wrong)
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert wrong.encode() in response.content  # the typed text is kept
    assert client.get("/admin/").status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SECOND_FACTOR_FAILED)
    assert entry.actor == editor
    assert entry.object_id == str(editor.pk)
    assert entry.details == {"method": "totp"}
    assert entry.address == "127.0.0.1"
    # A failed second factor is not also a failed login.
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED)


def test_a_code_is_used_once(client, editor):
    device = with_app(editor)
    code = code_for(device)
    password_step(client, editor)
    assert second_step(client, code).status_code == 302
    client.logout()
    password_step(client, editor)
    assert second_step(client, code).status_code == 400


def test_a_recovery_code_works_once(client, editor):
    with_app(editor)
    with_codes(editor, ["aaaabbbb", "ccccdddd"])
    password_step(client, editor)
    response = second_step(client, "AAAA-BBBB")  # as shown, in capitals
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    client.logout()
    password_step(client, editor)
    response = second_step(client, "aaaa-bbbb")
    assert response.status_code == 400
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SECOND_FACTOR_FAILED)
    assert entry.details == {"method": "recovery"}
    assert second_step(client, "ccccdddd").status_code == 302


def test_the_app_backs_off_after_a_failure(client, editor, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    device = with_app(editor)
    password_step(client, editor)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    assert second_step(client, wrong).status_code == 400
    response = second_step(client, code_for(device))
    assert response.status_code == 400
    assert b"Too many wrong codes in a row" in response.content


def test_an_empty_code_is_a_form_error(client, editor):
    with_app(editor)
    password_step(client, editor)
    response = second_step(client, "")
    assert response.status_code == 400
    assert b'id="id_code_error"' in response.content
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SECOND_FACTOR_FAILED)


def test_the_second_step_needs_the_password_step(client, editor):
    response = client.get(reverse("twofactor:verify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_signing_out_at_the_second_step(client, editor):
    with_app(editor)
    password_step(client, editor)
    response = client.post(reverse("twofactor:sign_out"))
    assert response["Location"] == reverse("admin:login")
    assert SESSION_KEY not in client.session


def test_outside_the_desk_a_password_only_session_is_anonymous(client, editor):
    from articles import preview
    from tests.factories import make_article

    story = make_article(created_by=editor)
    with_app(editor)
    password_step(client, editor)
    url = preview.preview_url(story, editor)
    assert client.get(url).status_code == 404
    second_step(client, code_for(editor.totpdevice_set.get()))
    assert client.get(url).status_code == 200


def test_removing_the_device_unverifies_its_sessions(client, editor):
    device = with_app(editor)
    password_step(client, editor)
    second_step(client, code_for(device))
    assert client.get("/admin/").status_code == 200
    device.delete()
    assert client.get("/admin/").status_code == 302
