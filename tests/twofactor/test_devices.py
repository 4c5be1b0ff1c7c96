"""Each staff member's own devices page, and a superuser's reset of a
colleague's second factor (audited)."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.articles.workflow_helpers import make_role_user
from tests.twofactor.conftest import (
    code_for,
    password_step,
    signed_in,
    with_app,
    with_codes,
)
from twofactor.devices import Passkey

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]


def make_passkey(user, name="Laptop"):
    return Passkey.objects.create(
        user=user,
        name=name,
        credential_id=name.encode() * 4,
        public_key=b"\x00" * 16,
        sign_count=0,
    )


def test_the_page_lists_the_ways_in(client, editor):
    signed_in(client, editor)
    with_codes(editor)
    make_passkey(editor, "Work laptop")
    page = client.get(reverse("twofactor:devices"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Set up again (new phone)" in body
    assert "Work laptop" in body
    assert "2 of 10 left" in body
    assert 'id="passkey-registration-placeholder"' in body
    assert reverse("twofactor:colleagues") not in body


def test_removing_a_passkey_is_audited_and_only_ones_own(client, editor, reporter):
    signed_in(client, editor)
    mine, theirs = make_passkey(editor, "Mine"), make_passkey(reporter, "Theirs")
    url = reverse("twofactor:remove_passkey", args=[theirs.pk])
    assert client.post(url).status_code == 404
    assert (
        client.get(reverse("twofactor:remove_passkey", args=[mine.pk])).status_code
        == 405
    )
    response = client.post(reverse("twofactor:remove_passkey", args=[mine.pk]))
    assert response.status_code == 302
    assert list(Passkey.objects.all()) == [theirs]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SECOND_FACTOR_REMOVED)
    assert entry.actor == editor
    assert entry.details == {"methods": ["passkey"], "names": ["Mine"], "reset": False}


def test_resetting_the_app_keeps_the_old_one_until_the_new_is_confirmed(client, editor):
    old = signed_in(client, editor)
    response = client.post(reverse("twofactor:reset_app"))
    assert response["Location"].startswith(reverse("twofactor:enrol_app"))
    client.get(response["Location"])
    new = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    with_codes(editor)
    response = client.post(reverse("twofactor:enrol_app"), {"code": code_for(new, 1)})
    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=editor)) == [new]


def test_a_superuser_resets_a_colleagues_second_factor(client, superuser, editor):
    with_app(editor)
    with_codes(editor)
    make_passkey(editor)
    signed_in(client, superuser)
    listing = client.get(reverse("twofactor:colleagues"))
    assert listing.status_code == 200
    assert editor.username.encode() in listing.content
    url = reverse("twofactor:reset_colleague", args=[editor.pk])
    confirm = client.get(url)
    assert b"authenticator app, passkeys, recovery codes" in confirm.content
    assert client.post(url)["Location"] == reverse("twofactor:colleagues")
    assert not TOTPDevice.objects.filter(user=editor).exists()
    assert not StaticDevice.objects.filter(user=editor).exists()
    assert not Passkey.objects.filter(user=editor).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SECOND_FACTOR_REMOVED)
    assert entry.actor == superuser
    assert entry.object_id == str(editor.pk)
    assert entry.details["reset"] is True
    assert entry.details["methods"] == ["totp", "passkey", "recovery"]
    # The colleague enrols again at their next login.
    client.logout()
    assert password_step(client, editor)["Location"].startswith(
        reverse("twofactor:enrol")
    )


def test_a_reset_signs_the_colleague_out_of_the_desk(client, superuser, editor):
    from django.test import Client

    colleague = Client()
    signed_in(colleague, editor)
    assert colleague.get("/admin/").status_code == 200
    signed_in(client, superuser)
    client.post(reverse("twofactor:reset_colleague", args=[editor.pk]))
    assert colleague.get("/admin/").status_code == 302


def test_only_superusers_reset(client, editor, reporter):
    signed_in(client, editor)
    assert client.get(reverse("twofactor:colleagues")).status_code == 403
    url = reverse("twofactor:reset_colleague", args=[reporter.pk])
    with_app(reporter)
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=reporter).exists()


def test_the_colleagues_page_query_count_is_flat(
    client, superuser, django_assert_num_queries, settings
):
    settings.STAFF_2FA_ROLES = ["Editor"]
    signed_in(client, superuser)
    url = reverse("twofactor:colleagues")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    few = count()
    for _ in range(15):
        with_app(make_role_user("Editor"))
    assert count() == few
