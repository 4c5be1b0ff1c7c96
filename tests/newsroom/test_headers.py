import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

from articles.models import ArticleQuerySet
from tests.factories import make_article, make_user

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:]
        for part in (p.strip() for p in header.split(";"))
        if part
    }


@pytest.fixture
def story(db):
    return make_article()


@pytest.mark.parametrize("page", ["home", "story", "missing"])
def test_public_responses_carry_the_strict_policy(client, story, page):
    url = {
        "home": reverse("articles:home"),
        "story": story.get_absolute_url(),
        "missing": "/no-such-page/",
    }[page]
    response = client.get(url)
    assert response.status_code == (404 if page == "missing" else 200)
    csp = csp_directives(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "nonce" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "X-XSS-Protection" not in response
    assert "Server" not in response


@pytest.mark.parametrize("page", ["home", "story", "feed", "sitemap", "robots"])
def test_pages_served_from_the_page_cache_carry_the_same_headers(
    client, story, page, settings
):
    settings.PAGE_CACHE = True
    url = {
        "home": reverse("articles:home"),
        "story": story.get_absolute_url(),
        "feed": reverse("articles:feed_latest_rss"),
        "sitemap": reverse("sitemap_index"),
        "robots": reverse("robots_txt"),
    }[page]
    miss = client.get(url)
    hit = client.get(url)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    assert hit.content == miss.content
    assert dict(hit.headers) == dict(miss.headers) | {
        "X-Page-Cache": "hit",
        "X-Request-ID": hit["X-Request-ID"],
    }
    assert hit["Content-Security-Policy"] == miss["Content-Security-Policy"]
    assert "nonce" not in hit["Content-Security-Policy"]
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert hit["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert hit["Cross-Origin-Opener-Policy"] == "same-origin"
    assert hit["Cross-Origin-Resource-Policy"] == "same-origin"
    assert hit["X-Frame-Options"] == "DENY"
    assert "camera=()" in hit["Permissions-Policy"]
    assert not hit.cookies


def test_anonymous_story_sets_no_cookie(client, story):
    response = client.get(story.get_absolute_url())
    assert not response.cookies


def test_admin_gets_a_nonce_for_scripts_and_inline_styles_only(client, db):
    client.force_login(make_user(superuser=True))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["script-src"][0] == "'self'"
    assert any(src.startswith("'nonce-") for src in csp["script-src"])
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_database_errors_become_a_static_503_with_retry_after(client, monkeypatch, db):
    def broken(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(ArticleQuerySet, "published", broken)
    response = client.get(reverse("articles:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"back shortly" in response.content
    assert b"Traceback" not in response.content
    assert b"could not connect" not in response.content


def test_readyz_reports_the_database(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert (
        "no-cache" in response["Cache-Control"]
        or "max-age=0" in response["Cache-Control"]
    )


def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch, db):
    class Unreachable:
        def cursor(self):
            raise OperationalError("server closed the connection")

    monkeypatch.setattr("newsroom.views.connection", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_production_settings_pass_the_deploy_check():
    env = {
        # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE would itself fail the check.
        **{
            k: v
            for k, v in os.environ.items()
            if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        },
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "k7#Zq9!vT2m@L4pX8rW1sN6yB3hF0dJ5gC-eA_uV+iO&tR^wQ*",
        "ALLOWED_HOSTS": "news.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://news.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_hit_gets_x_frame_options_from_outside_the_page_cache(
    client, story, settings, rf
):
    """The entry holds no X-Frame-Options: the middleware sets it on every hit."""
    from pagecache import store

    settings.PAGE_CACHE = True
    url = reverse("articles:home")
    client.get(url)
    version, _ = store.lookup(store.page_key(rf.get(url), ())).settle()
    key = store.page_key(rf.get(url), ("page",))
    store.store(key, store.make_entry(store.HttpResponse(b"x"), version))
    hit = client.get(url)
    assert (hit["X-Page-Cache"], hit.content) == ("hit", b"x")
    assert hit["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_the_admin_gets_x_frame_options(client, db, settings, who):
    settings.PAGE_CACHE = True
    if who == "staff":
        client.force_login(make_user(superuser=True))
    url = reverse("admin:index") if who == "staff" else reverse("admin:login")
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "DENY"
    assert "X-Page-Cache" not in response


def test_a_page_the_cache_does_not_store_gets_x_frame_options(client, story, settings):
    settings.PAGE_CACHE = True
    staff = make_user(staff=True)
    client.force_login(staff)
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "bypass"
    assert response["X-Frame-Options"] == "DENY"


def test_static_headers_are_the_headers_the_middleware_gives_a_page(client, story):
    from newsroom import headers

    page = client.get(story.get_absolute_url())
    for name, value in headers.static_headers().items():
        assert page[name] == value, name


def test_whitenoise_is_configured_with_the_shared_header_function(settings):
    from newsroom import headers

    assert settings.WHITENOISE_ADD_HEADERS_FUNCTION is headers.add_static_headers


def test_the_static_header_function_follows_the_settings_and_keeps_what_is_set(
    settings,
):
    from wsgiref.headers import Headers

    from newsroom import headers

    settings.X_FRAME_OPTIONS = "sameorigin"
    settings.SECURE_CSP_REPORT_ONLY = {"default-src": ["'self'"]}
    found = Headers([("Cross-Origin-Resource-Policy", "cross-origin")])
    headers.add_static_headers(found, "/srv/static/x.css", "/static/x.css")
    assert found["X-Frame-Options"] == "SAMEORIGIN"
    assert found["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert "frame-ancestors 'none'" in found["Content-Security-Policy"]
    assert found["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert found.get_all("Cross-Origin-Resource-Policy") == ["cross-origin"]
    assert found["Permissions-Policy"] == headers.PERMISSIONS_POLICY


def private_response_middleware(view):
    from newsroom.middleware import PrivateResponseMiddleware

    return PrivateResponseMiddleware(view)


def test_a_response_that_sets_a_cookie_is_made_private_no_store(rf):
    from django.http import HttpResponse
    from django.utils.cache import patch_cache_control

    def view(request):
        response = HttpResponse("x")
        patch_cache_control(response, public=True, max_age=60)
        response.set_cookie("flavour", "plain")
        return response

    response = private_response_middleware(view)(rf.get("/somewhere/"))
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives
    assert "max-age=0" in directives


def test_a_response_that_used_the_csrf_token_is_made_private_no_store(rf):
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    def view(request):
        get_token(request)
        return HttpResponse("x")

    response = private_response_middleware(view)(rf.get("/somewhere/"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_response_already_private_no_store_is_left_as_it_is(rf):
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "private, no-store"
        response.set_cookie("flavour", "plain")
        return response

    response = private_response_middleware(view)(rf.get("/somewhere/"))
    assert response["Cache-Control"] == "private, no-store"
    assert "Expires" not in response


def test_an_anonymous_public_response_keeps_its_cache_control(rf):
    from django.http import HttpResponse

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=60"
        return response

    response = private_response_middleware(view)(rf.get("/"))
    assert response["Cache-Control"] == "public, max-age=60"


def test_every_admin_response_is_private_no_store(client, db):
    client.force_login(make_user(superuser=True))
    for url in ["/admin/password_change/", "/admin/jsi18n/", "/admin/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
