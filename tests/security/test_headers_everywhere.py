"""Every URL pattern, every static file: the same security headers, and
``private, no-store`` on whatever is meant for one person.

The walk resolves the URLconf itself, so a new pattern is walked as soon as it
exists: its address is made from real rows (a story, its section, tag and
author, a comment, each admin model's first row).
"""

import re
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from articles.models import Article, ArticleRevision
from articles.preview import make_token
from articles.services import save_story
from comments.models import Comment, ModerationWord
from newsroom import headers
from tests.comments.conftest import form_data
from tests.factories import make_article, make_author, make_user

ROOT = Path(__file__).resolve().parents[2]
ADMIN = "/" + settings.ADMIN_URL_PREFIX.strip("/") + "/"
CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')

pytestmark = pytest.mark.django_db


def cache_directives(response) -> set[str]:
    return {
        part.split("=", 1)[0].strip().lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }


def shows_csrf_token(response) -> bool:
    if getattr(response, "streaming", False):
        return False
    # A story page's form has an empty token, filled in by its script.
    return CSRF_TOKEN.search(response.content) is not None


def header_problems(response, url: str) -> list[str]:
    """What is wrong with the headers of ``response``, in words."""
    problems = []
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}")
    csp = response.get("Content-Security-Policy", "")
    for directive in ("default-src 'none'", "frame-ancestors 'none'"):
        if directive not in csp:
            problems.append(f"CSP lacks {directive!r}: {csp!r}")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": headers.CROSS_ORIGIN_RESOURCE_POLICY,
        "Permissions-Policy": headers.PERMISSIONS_POLICY,
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}")
    for name in ("Server", "X-XSS-Protection", "X-Powered-By"):
        if name in response:
            problems.append(f"sends {name}")
    personal = (
        bool(response.cookies) or url.startswith(ADMIN) or shows_csrf_token(response)
    )
    if personal and not {"private", "no-store"} <= cache_directives(response):
        why = (
            "sets a cookie"
            if response.cookies
            else "is an admin page"
            if url.startswith(ADMIN)
            else "shows a CSRF token"
        )
        problems.append(f"{why} but Cache-Control is {response.get('Cache-Control')!r}")
    return problems


def walk(patterns, prefix=""):
    """(route, name, pattern) of every pattern, includes followed."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            yield prefix + str(pattern.pattern), pattern.name, pattern


class Site:
    """Real rows for every kind of address, and the address of each pattern."""

    def __init__(self):
        self.author = make_author()
        self.story = make_article(authors=[self.author], tags=["Harbour"])
        self.tag = self.story.tags.get()
        self.comment = Comment.objects.create(
            article=self.story,
            name="Reader",
            body="Well said.",
            status=Comment.Status.APPROVED,
            ip_hash="x" * 64,
        )
        ModerationWord.objects.create(word="casino")
        self.user = make_user(superuser=True, staff=True)
        self.story.dek = "A revised standfirst."
        save_story(self.story, by=self.user)  # a revision to show
        self.day = timezone.localtime(self.story.published_at)

    def object_id(self, route: str) -> str:
        """The first row of the model an admin route is about."""
        for model in admin.site._registry:
            prefix = f"{ADMIN[1:]}{model._meta.app_label}/{model._meta.model_name}/"
            if route.startswith(prefix):
                row = model._default_manager.order_by("pk").first()
                return str(row.pk) if row else "0"
        raise AssertionError(f"no admin model for {route}")

    def value(self, route: str, name: str | None, param: str) -> str:
        if param in ("year", "month", "day"):
            return {"year": "%04d", "month": "%02d", "day": "%02d"}[param] % getattr(
                self.day, param
            )
        if param == "slug":
            for prefix, row in [
                ("sections/", self.story.section),
                ("tags/", self.tag),
                ("authors/", self.author),
            ]:
                if route.startswith(prefix):
                    return row.slug
            return self.story.slug
        if param in ("pk", "article_pk", "story_id"):
            if route.startswith("comments/<int:pk>"):
                return str(self.comment.pk)
            return str(self.story.pk)
        if param == "token":
            return make_token(self.story, self.user)
        if param in ("passkey_id", "user_id"):  # the two-factor pages (twofactor)
            return str(self.user.pk)
        if param == "uidb64":  # an invitation's set-password link (people)
            return "MQ"
        if param == "revision_id":
            return str(ArticleRevision.objects.filter(article=self.story).first().pk)
        if param == "section":
            return "stories"
        if param == "language":  # the JavaScript catalogue (newsroom/locale.py)
            return "en"
        if param == "content_type_id":
            return str(ContentType.objects.get_for_model(Article).pk)
        if param in ("object_id", "id"):
            if param == "object_id" and route.startswith(f"{ADMIN[1:]}r/"):
                return str(self.story.pk)
            return self.object_id(route)
        raise AssertionError(f"no value for <{param}> in {route}")

    def url(self, route: str, name: str | None, pattern) -> str:
        if route.startswith("admin/^"):  # the app index, a regex
            return f"{ADMIN}articles/"
        if route.endswith("(?P<url>.*)$"):  # the admin's catch-all
            return f"{ADMIN}no-such-admin-page/"
        if route.endswith("media/(?P<path>.+)$"):  # uploads (newsroom.media)
            return "/media/uploads/no-such-picture.jpg"
        path = re.sub(
            r"<(?:\w+:)?(\w+)>", lambda m: self.value(route, name, m.group(1)), route
        )
        return "/" + path

    def urls(self) -> list[str]:
        return [
            self.url(route, name, pattern)
            for route, name, pattern in walk(get_resolver().url_patterns)
        ]


@pytest.fixture
def site():
    return Site()


def test_the_walk_reaches_every_kind_of_page(site):
    urls = site.urls()
    assert len(set(urls)) > 100
    for expected in [
        "/",
        site.story.get_absolute_url(),
        f"/tags/{site.tag.slug}/",
        f"/authors/{site.author.slug}/feed/atom/",
        "/robots.txt",
        "/sitemap-stories.xml",
        "/healthz",
        f"/views/{site.story.pk}/pixel.gif",
        f"/comments/write/{site.story.pk}/",
        f"{ADMIN}password_change/",
        f"{ADMIN}articles/article/{site.story.pk}/change/",
    ]:
        assert expected in urls


@pytest.mark.parametrize("who", ["anonymous", "superuser"])
def test_every_url_pattern_answers_with_the_security_headers(site, who):
    client = Client()
    if who == "superuser":
        client.force_login(site.user)
    problems = {}
    for url in [*site.urls(), "/no-such-page/", "/preview/not-a-token/"]:
        response = client.get(url)
        if found := header_problems(response, url):
            problems[url] = found
    assert problems == {}


def test_posts_answer_with_the_security_headers(site, settings):
    settings.COMMENTS_MIN_SECONDS = 0
    client = Client()
    client.force_login(site.user)
    story = site.story
    posts = {
        f"/comments/post/{story.pk}/": form_data(story),
        f"/comments/{site.comment.pk}/report/": {},
        f"/views/{story.pk}/": {},
        f"/preview/changes/{story.pk}/": {},
        f"{ADMIN}logout/": {},
    }
    problems = {}
    for url, data in posts.items():
        response = client.post(url, data)
        if found := header_problems(response, url):
            problems[url] = found
    assert problems == {}


@pytest.mark.parametrize(
    "url",
    ["write", "confirm_report", "password_change"],
)
def test_the_pages_found_cacheable_are_private_no_store(site, url):
    client = Client()
    if url == "password_change":
        client.force_login(site.user)
    address = {
        "write": f"/comments/write/{site.story.pk}/",
        "confirm_report": f"/comments/{site.comment.pk}/report/confirm/",
        "password_change": f"{ADMIN}password_change/",
    }[url]
    response = client.get(address)
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)
    if url != "password_change":
        assert settings.CSRF_COOKIE_NAME in response.cookies


def test_reader_pages_from_the_page_cache_keep_their_etag_and_304(site, settings):
    settings.PAGE_CACHE = True
    client = Client()
    for url in ["/", site.story.get_absolute_url(), "/feeds/latest/rss/"]:
        miss = client.get(url)
        hit = client.get(url)
        assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
        assert "public" in cache_directives(hit)
        assert not hit.cookies
        not_modified = client.get(url, HTTP_IF_NONE_MATCH=hit["ETag"])
        assert not_modified.status_code == 304
        assert not_modified["ETag"] == hit["ETag"]
        for response in (miss, hit, not_modified):
            assert header_problems(response, url) == []


STATIC_FILES = [
    "css/site.css",
    "comments/comments.js",
    "viewcounts/beacon.js",
    "admin/css/base.css",
    "admin/js/core.js",
]


def static_client(settings, tmp_path, how: str) -> Client:
    """A client whose WhiteNoise serves static files, as in production
    (``collected``: files in STATIC_ROOT, read at start-up) or as in
    development (``finders``: found per request)."""
    if how == "collected":
        root = tmp_path / "static-root"
        for name in STATIC_FILES:
            source = ROOT / "static" / name
            if not source.exists():
                source = Path(apps.get_app_config("admin").path) / "static" / name
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, root / name)
        settings.STATIC_ROOT = root
        settings.WHITENOISE_AUTOREFRESH = False
        settings.WHITENOISE_USE_FINDERS = False
    else:
        settings.WHITENOISE_AUTOREFRESH = True
        settings.WHITENOISE_USE_FINDERS = True
    # A new client builds its middleware, so WhiteNoise reads these settings.
    return Client()


@pytest.mark.parametrize("how", ["collected", "finders"])
def test_static_files_carry_the_same_security_headers(settings, tmp_path, how):
    client = static_client(settings, tmp_path, how)
    for name in STATIC_FILES:
        url = f"/{settings.STATIC_URL.strip('/')}/{name}"
        response = client.get(url)
        assert response.status_code == 200, url
        assert "whitenoise" in type(response).__module__
        assert header_problems(response, url) == []
        assert (
            response["Content-Security-Policy"]
            == (headers.static_headers()["Content-Security-Policy"])
        )
        assert not response.cookies


def test_static_files_get_the_headers_a_page_gets(settings, tmp_path, site):
    client = static_client(settings, tmp_path, "collected")
    static = client.get("/static/css/site.css")
    page = client.get("/")
    for name in headers.static_headers():
        assert static[name] == page[name], name
