"""Two-factor login in Chromium: an authenticator app's code computed here,
a passkey made and used with Chromium's virtual authenticator (DevTools'
WebAuthn domain), and a login refused without the second factor.

WebAuthn needs a secure context: the live server's http://localhost counts,
and the relying party is "localhost" with the server's origin allowed.
"""

import re
from pathlib import Path

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.articles.workflow_helpers import make_role_user
from tests.browser.conftest import page, run_axe
from tests.twofactor.conftest import PASSWORD, code_for, with_app
from twofactor.devices import Passkey

pytestmark = [
    pytest.mark.browser,
    pytest.mark.two_factor,
    pytest.mark.django_db(transaction=True),
]
__all__ = ["page"]  # a fixture, imported
# Screenshots to look at (git-ignored), beside the other browser tests'.
SCREENS = Path(__file__).resolve().parents[2] / "artifacts/screenshots/twofactor"


@pytest.fixture(autouse=True)
def _passkeys_for_the_live_server(settings, live_server):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")


@pytest.fixture
def editor(transactional_db):
    return make_role_user("Editor")


def shoot(page, name):
    """The page at 390 and 1280 pixels wide, for a look by eye."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def password_step(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()


def virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def test_an_authenticator_app_code_signs_in(page, editor):
    device = with_app(editor)
    password_step(page, editor)
    page.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
    assert run_axe(page) == []
    shoot(page, "verify")
    page.get_by_label(re.compile("Code from your authenticator app")).fill(
        code_for(device)
    )
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.get_by_role("link", name="Two-factor login").is_visible()


def test_without_the_second_factor_the_desk_stays_shut(page, editor):
    device = with_app(editor)
    password_step(page, editor)
    page.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
    for address in ["/admin/", "/admin/articles/article/"]:
        page.goto(address)
        assert "/admin/two-factor/verify/" in page.url
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    field = page.get_by_label(re.compile("Code from your authenticator app"))
    field.fill(wrong)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("That code is not right").is_visible()
    assert "/admin/two-factor/verify/" in page.url
    shoot(page, "verify-wrong-code")
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.SECOND_FACTOR_FAILED, actor=editor
    ).exists()
    page.get_by_role("button", name="Cancel and sign out").click()
    page.wait_for_url(re.compile(r"/admin/login/"))


def test_enrolling_an_app_at_the_first_login(page, editor):
    password_step(page, editor)
    page.wait_for_url(re.compile(r"/admin/two-factor/enrol/"))
    assert run_axe(page) == []
    shoot(page, "enrol")
    page.get_by_role("link", name="Set up an authenticator app").click()
    page.wait_for_url(re.compile(r"/admin/two-factor/enrol/app/"))
    assert page.locator(".twofactor-qr svg").is_visible()
    assert run_axe(page) == []
    shoot(page, "enrol-app")
    device = TOTPDevice.objects.get(user=editor)
    page.get_by_label("Code from the app").fill(code_for(device))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/admin/two-factor/recovery-codes/"))
    codes = page.locator(".twofactor-codes code").all_inner_texts()
    assert len(codes) == 10
    assert {code.replace("-", "") for code in codes} == set(
        StaticToken.objects.values_list("token", flat=True)
    )
    assert page.get_by_role("button", name="Print").is_visible()
    assert run_axe(page) == []
    shoot(page, "recovery-codes")
    page.get_by_role("button", name="I have kept them").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_a_passkey_is_made_and_then_signs_in(page, editor):
    virtual_authenticator(page)
    password_step(page, editor)
    page.wait_for_url(re.compile(r"/admin/two-factor/enrol/"))
    page.get_by_role("button", name="Make a passkey").click()
    page.wait_for_url(re.compile(r"/admin/two-factor/recovery-codes/"))
    passkey = Passkey.objects.get(user=editor)
    assert passkey.name == "Passkey 1"
    assert page.locator(".twofactor-codes code").count() == 10
    page.get_by_role("button", name="I have kept them").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto("/admin/two-factor/")
    assert page.get_by_text("Passkey 1").is_visible()
    assert run_axe(page) == []
    shoot(page, "devices")
    page.get_by_role("button", name="Log out").click()

    password_step(page, editor)
    page.wait_for_url(re.compile(r"/admin/two-factor/verify/"))
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    added = AuditEntry.objects.filter(action=AuditEntry.Action.SECOND_FACTOR_ADDED)
    assert sorted(added.values_list("details__method", flat=True)) == [
        "passkey",
        "recovery",
    ]


def test_a_superuser_resets_a_colleague(page, editor):
    from tests.factories import make_user

    chief = make_user(staff=True, superuser=True)
    with_app(editor)
    device = with_app(chief)
    password_step(page, chief)
    page.get_by_label(re.compile("Code from your authenticator app")).fill(
        code_for(device)
    )
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto("/admin/two-factor/colleagues/")
    assert run_axe(page) == []
    shoot(page, "colleagues")
    page.get_by_role("link", name=f"Reset {editor.username}").click()
    page.wait_for_url(re.compile(r"/reset/$"))
    shoot(page, "reset-colleague")
    page.get_by_role("button", name=re.compile("Reset .*two-factor login")).click()
    page.wait_for_url(re.compile(r"/admin/two-factor/colleagues/$"))
    assert page.get_by_text(re.compile("two-factor login was reset")).is_visible()
    assert not TOTPDevice.objects.filter(user=editor).exists()
