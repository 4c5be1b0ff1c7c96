"""django-axes throttles both steps: wrong passwords and wrong codes add up
to one lockout per account and address, and only a complete sign-in clears
the count."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY

from audit.models import AuditEntry
from tests.twofactor.conftest import code_for, password_step, second_step, with_app

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True


def wrong_code(device):
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


def test_five_wrong_codes_lock_the_account_out(client, editor):
    device = with_app(editor)
    password_step(client, editor)
    for _ in range(4):
        assert second_step(client, wrong_code(device)).status_code == 400
    locked = second_step(client, wrong_code(device))
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert SESSION_KEY not in client.session
    # Neither step works now, with the right password or the right code.
    again = password_step(client, editor)
    assert again.status_code == 429
    assert SESSION_KEY not in client.session
    assert (
        AuditEntry.objects.filter(action=AuditEntry.Action.SECOND_FACTOR_FAILED).count()
        == 5
    )


def test_signing_in_again_with_the_password_does_not_clear_wrong_codes(client, editor):
    device = with_app(editor)
    for _ in range(2):
        password_step(client, editor)
        second_step(client, wrong_code(device))
        second_step(client, wrong_code(device))
        client.logout()
    password_step(client, editor)
    assert second_step(client, wrong_code(device)).status_code == 429
    assert SESSION_KEY not in client.session


def test_wrong_passwords_and_wrong_codes_add_up(client, editor):
    device = with_app(editor)
    for _ in range(3):
        client.post("/admin/login/", {"username": editor.username, "password": "nope"})
    password_step(client, editor)
    assert second_step(client, wrong_code(device)).status_code == 400
    assert second_step(client, wrong_code(device)).status_code == 429


def test_a_complete_sign_in_clears_the_count(client, editor):
    device = with_app(editor)
    password_step(client, editor)
    for _ in range(3):
        second_step(client, wrong_code(device))
    assert AccessAttempt.objects.get().failures_since_start == 3
    assert second_step(client, code_for(device)).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_a_login_that_owes_no_second_factor_clears_the_count(client, settings):
    from tests.factories import make_user

    settings.STAFF_2FA = "optional"
    user = make_user(staff=True)
    client.post("/admin/login/", {"username": user.username, "password": "nope"})
    assert AccessAttempt.objects.exists()
    assert password_step(client, user).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert client.get("/admin/").status_code == 200
