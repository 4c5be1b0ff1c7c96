"""The JavaScript catalogue (newsroom/locale.py): one cacheable script per
language, named with its digest, loaded before the scripts that use it."""

import gzip
import json
import subprocess

import html5lib
import pytest
from django.urls import reverse

from newsroom import locale
from tests.factories import make_article


@pytest.fixture(autouse=True)
def _fresh_catalogue():
    locale._rendered.cache_clear()
    yield
    locale._rendered.cache_clear()


def script_sources(response) -> list[str]:
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    return [
        script.get("src") for script in document.iter("script") if script.get("src")
    ]


def test_catalogue_defines_gettext_for_each_language(client):
    for language in ("en", "ko"):
        response = client.get(locale.catalogue_url(language))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/javascript")
        body = response.content.decode()
        assert "django.gettext = function" in body
        assert "django.ngettext = function" in body
        assert "django.interpolate = function" in body
        assert response["Content-Language"] == language


def test_korean_strings_and_single_plural_form_reach_the_script(
    client, settings, tmp_path
):
    """A compiled Korean djangojs catalogue in LOCALE_PATHS is what the script
    carries: its strings, and Korean's one plural form (nplurals=1)."""
    folder = tmp_path / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "djangojs.po").write_text(
        'msgid ""\nmsgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Saved"\nmsgstr "저장했습니다"\n\n'
        'msgid "%(count)s comment"\nmsgid_plural "%(count)s comments"\n'
        'msgstr[0] "댓글 %(count)s"\n',
        encoding="utf-8",
    )
    subprocess.run(
        ["msgfmt", "-o", folder / "djangojs.mo", folder / "djangojs.po"], check=True
    )
    settings.LOCALE_PATHS = [tmp_path]
    locale._rendered.cache_clear()
    body = client.get(locale.catalogue_url("ko")).content.decode()
    assert f'"Saved": {json.dumps("저장했습니다")}' in body
    assert "const v = 0;" in body  # every count takes the one form
    english = client.get(locale.catalogue_url("en")).content.decode()
    assert json.dumps("저장했습니다") not in english


def test_address_with_the_current_digest_is_kept_for_a_year(client):
    response = client.get(locale.catalogue_url("ko"))
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["ETag"].strip('"') in locale.catalogue_url("ko")
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")


def test_an_old_digest_gets_todays_catalogue_briefly(client):
    url = reverse("javascript_catalogue", kwargs={"language": "en"})
    response = client.get(url + "?v=0123456789abcdef")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


def test_matching_etag_answers_304(client):
    response = client.get(locale.catalogue_url("en"))
    again = client.get(
        locale.catalogue_url("en"), headers={"If-None-Match": response["ETag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_gzip_when_the_browser_accepts_it(client):
    plain = client.get(locale.catalogue_url("ko"))
    zipped = client.get(
        locale.catalogue_url("ko"), headers={"Accept-Encoding": "gzip, br"}
    )
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < len(plain.content) / 2


@pytest.mark.django_db  # the 404 page shows the sections
@pytest.mark.parametrize("language", ["fr", "en-us", "KO", "..", "ko%00"])
def test_unknown_language_is_404(client, language):
    response = client.get(f"/jsi18n/{language}.js")
    assert response.status_code == 404


def test_post_is_refused(client):
    response = client.post(locale.catalogue_url("en"))
    assert response.status_code == 405


def test_digest_changes_with_the_content(client, settings):
    english = locale.catalogue_url("en")
    korean = locale.catalogue_url("ko")
    assert english.split("?v=")[1] != korean.split("?v=")[1]


@pytest.mark.django_db
def test_reader_page_loads_the_site_language_catalogue_first(client, settings):
    story = make_article()
    response = client.get(story.get_absolute_url())
    sources = script_sources(response)
    catalogue = locale.catalogue_url(settings.LANGUAGE_CODE)
    assert sources[0] == catalogue, sources
    # Deferred like the scripts after it, so it runs before them and blocks
    # nothing; not inline (the CSP allows no inline script).
    document = html5lib.parse(response.content.decode(), namespaceHTMLElements=False)
    first = next(s for s in document.iter("script") if s.get("src"))
    assert first.get("defer") is not None
