"""The site's language and each colleague's desk language (newsroom/locale.py,
people/language.py)."""

import os
import subprocess
import sys

import html5lib
import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from newsroom import locale
from pagecache import store
from people.models import DeskLanguage
from tests.factories import make_article, make_user

ENV = {
    "PATH": os.environ["PATH"],
    "SECRET_KEY": "insecure-key-for-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz",
    "DJANGO_SETTINGS_MODULE": "newsroom.settings",
}


def settings_language(value):
    """LANGUAGE_CODE as settings.py reads it from the environment."""
    env = dict(ENV)
    if value is not None:
        env["LANGUAGE_CODE"] = value
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.LANGUAGE_CODE)",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_site_language_defaults_to_english():
    assert settings_language(None).stdout.strip() == "en"


@pytest.mark.parametrize(("value", "expected"), [("ko", "ko"), (" KO ", "ko")])
def test_site_language_comes_from_the_environment(value, expected):
    assert settings_language(value).stdout.strip() == expected


@pytest.mark.parametrize("value", ["fr", "en-us", "ko-kr", "english"])
def test_other_site_languages_are_refused(value):
    result = settings_language(value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "LANGUAGE_CODE must be one of en, ko" in result.stderr


def catalogue_language(response) -> str:
    """The language the page was rendered in, as its JavaScript catalogue says."""
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    for script in document.iter("script"):
        src = script.get("src") or ""
        if src.startswith("/jsi18n/"):
            return src.removeprefix("/jsi18n/").split(".js")[0]
    raise AssertionError("no JavaScript catalogue on the page")


@pytest.mark.django_db
@pytest.mark.parametrize("site", ["en", "ko"])
def test_reader_pages_ignore_the_browser_language(client, settings, site):
    settings.LANGUAGE_CODE = site
    story = make_article()
    other = "en" if site == "ko" else "ko"
    response = client.get(
        story.get_absolute_url(), headers={"Accept-Language": f"{other},en;q=0.1"}
    )
    assert response.status_code == 200
    assert catalogue_language(response) == site
    assert "Accept-Language" not in response.get("Vary", "")
    assert not response.cookies


@pytest.mark.django_db
def test_no_language_prefix_in_reader_addresses(client, settings):
    settings.LANGUAGE_CODE = "ko"
    story = make_article()
    assert not story.get_absolute_url().startswith(("/ko/", "/en/"))
    assert client.get("/ko" + story.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_desk_login_follows_the_browser_language(client, settings):
    settings.LANGUAGE_CODE = "en"
    korean = client.get(reverse("admin:login"), headers={"Accept-Language": "ko-KR"})
    assert "로그인" in korean.content.decode()  # Django's own Korean admin
    assert korean["Content-Language"] == "ko"
    assert "Accept-Language" in korean["Vary"]
    english = client.get(reverse("admin:login"), headers={"Accept-Language": "fr, en"})
    assert english["Content-Language"] == "en"
    nothing = client.get(reverse("admin:login"), headers={"Accept-Language": "fr"})
    assert nothing["Content-Language"] == "en"  # the site's, when none matches


@pytest.mark.django_db
def test_desk_without_a_choice_follows_the_browser_not_the_site(client, settings):
    settings.LANGUAGE_CODE = "ko"
    client.force_login(make_user(staff=True))
    response = client.get(reverse("admin:index"), headers={"Accept-Language": "en"})
    assert response["Content-Language"] == "en"
    assert catalogue_language(response) == "en"


@pytest.mark.django_db
def test_colleague_chooses_korean_for_the_desk(client, settings):
    settings.LANGUAGE_CODE = "en"
    user = make_user(staff=True)
    client.force_login(user)
    page = client.get(reverse("people:language"))
    assert page.status_code == 200
    document = html5lib.parse(page.content.decode(), namespaceHTMLElements=False)
    options = {o.get("value"): o.text for o in document.iter("option")}
    assert options["ko"] == "한국어" and options["en"] == "English"
    response = client.post(reverse("people:language"), {"language": "ko"})
    assert response.status_code == 302
    assert DeskLanguage.objects.get(user=user).language == "ko"
    desk = client.get(reverse("admin:index"), headers={"Accept-Language": "en"})
    assert desk["Content-Language"] == "ko"
    assert "로그아웃" in desk.content.decode()  # "Log out", Django's Korean
    assert catalogue_language(desk) == "ko"
    # The reader site stays in the site's language for the same person.
    story = make_article()
    assert catalogue_language(client.get(story.get_absolute_url())) == "en"


@pytest.mark.django_db
def test_choice_outlives_the_session(client, settings):
    user = make_user(staff=True)
    DeskLanguage.objects.create(user=user, language="ko")
    client.force_login(user)  # user_logged_in copies it into the session
    desk = client.get(reverse("admin:index"))
    assert desk["Content-Language"] == "ko"


@pytest.mark.django_db
def test_choosing_the_browser_language_again(client, settings):
    user = make_user(staff=True)
    DeskLanguage.objects.create(user=user, language="ko")
    client.force_login(user)
    client.post(reverse("people:language"), {"language": ""})
    assert DeskLanguage.objects.get(user=user).language == ""
    desk = client.get(reverse("admin:index"), headers={"Accept-Language": "en-GB"})
    assert desk["Content-Language"] == "en"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["fr", "ko-kr", "x" * 500, "ko\x00"])
def test_unknown_desk_language_is_refused(client, value):
    user = make_user(staff=True)
    client.force_login(user)
    response = client.post(reverse("people:language"), {"language": value})
    assert response.status_code == 200  # the form again, with its error
    assert response.context["form"].errors
    assert not DeskLanguage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)"]
)
def test_chooser_never_redirects_off_site(client, target):
    client.force_login(make_user(staff=True))
    response = client.post(
        reverse("people:language"), {"language": "ko", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_chooser_returns_to_the_desk_page(client):
    client.force_login(make_user(staff=True))
    target = reverse("admin:auth_user_changelist")
    response = client.post(
        reverse("people:language"), {"language": "ko", "next": target}
    )
    assert response["Location"] == target


@pytest.mark.django_db
def test_chooser_is_for_staff_only(client):
    response = client.get(reverse("people:language"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    client.force_login(make_user(staff=False))
    response = client.post(reverse("people:language"), {"language": "ko"})
    assert response.status_code == 302
    assert not DeskLanguage.objects.exists()


@pytest.mark.django_db
def test_user_menu_links_to_the_chooser(client):
    client.force_login(make_user(staff=True))
    page = client.get(reverse("admin:index"))
    document = html5lib.parse(page.content.decode(), namespaceHTMLElements=False)
    links = [a.get("href") or "" for a in document.iter("a")]
    assert any(link.startswith(reverse("people:language")) for link in links)


@pytest.mark.django_db
def test_desk_language_never_leaks_into_the_next_reader_request(client, settings):
    settings.LANGUAGE_CODE = "en"
    client.get(reverse("admin:login"), headers={"Accept-Language": "ko"})
    assert translation.get_language() == "en"
    story = make_article()
    assert catalogue_language(client.get(story.get_absolute_url())) == "en"


def test_page_cache_keys_differ_by_language():
    request = RequestFactory().get("/news/a-story/", HTTP_HOST="testserver")
    with translation.override("en"):
        english = store.page_key(request, ())
    with translation.override("ko"):
        korean = store.page_key(request, ())
    assert english and korean and english != korean


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        ("en-US,en;q=0.9", "en"),
        ("fr-CH, fr;q=0.9, ko;q=0.5", "ko"),
        ("fr", None),
        ("", None),
        ("*", None),
        ("ko;q=garbage", None),
        ("x" * 10_000, None),
    ],
)
def test_browser_language_among_the_site_languages(header, expected):
    request = RequestFactory().get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert locale.browser_language(request) == expected
