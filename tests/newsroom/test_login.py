import html5lib
import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import make_user

LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True


@pytest.fixture
def editor(db):
    return make_user(staff=True, username="editor", password="s3cret-passphrase")


def attempt(client, username, password, **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


def error_text(response):
    doc = html5lib.parse(response.content, namespaceHTMLElements=False)
    return " ".join(
        " ".join("".join(node.itertext()).split())
        for node in doc.iter()
        if "errornote" in (node.get("class") or "")
    )


def test_a_wrong_password_and_an_unknown_user_get_the_same_error(client, editor):
    wrong_password = attempt(client, "editor", "nope")
    unknown_user = attempt(client, "nobody-here", "nope")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert error_text(wrong_password)
    assert error_text(wrong_password) == error_text(unknown_user)


def test_five_failures_lock_the_account_for_that_address(client, editor):
    for _ in range(5):
        attempt(client, "editor", "wrong")
    locked = attempt(client, "editor", "s3cret-passphrase")
    assert locked.status_code == 429
    assert SESSION_KEY not in client.session
    assert b"Too many failed sign-ins" in locked.content


def test_the_lockout_is_per_address_so_others_can_still_sign_in(client, editor):
    for _ in range(5):
        attempt(client, "editor", "wrong", REMOTE_ADDR="203.0.113.9")
    ok = attempt(client, "editor", "s3cret-passphrase", REMOTE_ADDR="198.51.100.7")
    assert ok.status_code == 302
    assert client.session[SESSION_KEY] == str(editor.pk)


def test_rotating_x_forwarded_for_does_not_escape_the_lockout(client, editor):
    for n in range(5):
        attempt(client, "editor", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    locked = attempt(
        client, "editor", "s3cret-passphrase", HTTP_X_FORWARDED_FOR="10.9.9.9"
    )
    assert locked.status_code == 429


def test_behind_a_proxy_the_proxy_supplied_address_is_used(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        attempt(client, "editor", "wrong", HTTP_X_FORWARDED_FOR="spoof, 203.0.113.5")
    other = attempt(
        client, "editor", "s3cret-passphrase", HTTP_X_FORWARDED_FOR="spoof, 203.0.113.6"
    )
    assert other.status_code == 302


def test_a_success_resets_the_failure_count(client, editor):
    for _ in range(4):
        attempt(client, "editor", "wrong")
    assert attempt(client, "editor", "s3cret-passphrase").status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "editor", "wrong")
    assert attempt(client, "editor", "s3cret-passphrase").status_code == 302


def test_login_rotates_the_session_key(client, editor):
    client.get(LOGIN)
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    attempt(client, "editor", "s3cret-passphrase")
    assert client.session.session_key != before


def test_logout_is_post_only(client, editor):
    client.force_login(editor)
    assert client.get("/admin/logout/").status_code == 405
    assert SESSION_KEY in client.session
    assert client.post("/admin/logout/").status_code == 200
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/admin/",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(client, editor, target):
    response = client.post(
        LOGIN,
        {"username": "editor", "password": "s3cret-passphrase", "next": target},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_next_within_the_site_is_followed(client, editor):
    response = client.post(
        LOGIN,
        {"username": "editor", "password": "s3cret-passphrase", "next": "/admin/auth/"},
    )
    assert response["Location"] == "/admin/auth/"


def test_session_and_csrf_cookies_are_secure_under_https(client, editor, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    response = client.get(LOGIN, secure=True)
    csrf = response.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = attempt(client, "editor", "s3cret-passphrase", secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
