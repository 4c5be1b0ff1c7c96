"""Partners' keys, the anonymous switch and rate limits."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from api import keys, ratelimit
from api.models import ApiKey, RateLimitWindow
from tests.api.conftest import make_key
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(db):
    return make_article()


def test_a_key_is_stored_only_as_a_hash(db):
    key, whole = make_key()
    assert whole.startswith(f"nrk_{key.prefix}_")
    secret = whole.rsplit("_", 1)[1]
    stored = ApiKey.objects.get()
    assert secret not in stored.secret_hash and whole not in str(stored.__dict__)
    assert keys.find(whole) == key


@pytest.mark.parametrize("header", ["x-api-key", "authorization"])
def test_a_key_opens_the_api_in_either_header(client, story, settings, header):
    settings.API_ANONYMOUS = False
    key, whole = make_key()
    value = whole if header == "x-api-key" else f"Bearer {whole}"
    response = client.get("/api/v1/stories", headers={header: value})
    assert response.status_code == 200
    assert response["RateLimit-Limit"] == str(key.rate_limit)


@pytest.mark.parametrize(
    "value",
    [
        "nrk_aaaaaaaaaaaa_" + "x" * 43,  # unknown prefix
        "not a key",
        "",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_a_key_that_is_not_valid_is_a_401_even_with_anonymous_access(
    client, story, value
):
    make_key()
    header = "authorization" if value.startswith("Basic") else "x-api-key"
    response = client.get("/api/v1/stories", headers={header: value})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_revoked_or_expired_key_is_refused(client, story):
    key, whole = make_key()
    wrong = whole[:-3] + ("aaa" if not whole.endswith("aaa") else "bbb")
    assert (
        client.get("/api/v1/stories", headers={"x-api-key": wrong}).status_code == 401
    )
    key.is_active = False
    key.save()
    assert (
        client.get("/api/v1/stories", headers={"x-api-key": whole}).status_code == 401
    )
    key.is_active = True
    key.expires_at = timezone.now() - timedelta(seconds=1)
    key.save()
    assert (
        client.get("/api/v1/stories", headers={"x-api-key": whole}).status_code == 401
    )


def test_without_anonymous_access_a_request_needs_a_key(client, story, settings):
    settings.API_ANONYMOUS = False
    for url in ["/api/v1/stories", f"/api/v1/stories/{story.pk}", "/api/v1/search?q=x"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert "X-API-Key" in response.json()["message"]
    # The document describing the API, and its Swagger page, stay open.
    assert client.get("/api/v1/openapi.json").status_code == 200
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    # Swagger UI from this site's own static files, under the page's own CSP.
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()
    csp = docs["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "img-src 'self' data:;" in csp


def test_the_site_is_untouched_by_the_switch(client, story, settings):
    settings.API_ANONYMOUS = False
    assert client.get(story.get_absolute_url()).status_code == 200


def test_anonymous_clients_are_limited_per_address(client, story, settings):
    settings.API_ANONYMOUS_RATE = 3
    answers = [client.get("/api/v1/stories") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["RateLimit-Remaining"] == "0"
    # Another address has its own window.
    other = client.get("/api/v1/stories", REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


def test_a_key_has_its_own_limit(client, story, settings):
    settings.API_ANONYMOUS_RATE = 1
    key, whole = make_key(rate_limit=2)
    other, other_whole = make_key(name="Other", rate_limit=5)
    headers = {"x-api-key": whole}
    codes = [
        client.get("/api/v1/stories", headers=headers).status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    # Not the anonymous window, nor another key's.
    assert client.get("/api/v1/stories").status_code == 200
    assert (
        client.get("/api/v1/stories", headers={"x-api-key": other_whole}).status_code
        == 200
    )


def test_cached_answers_are_counted_too(client, story, settings, page_cache_on):
    settings.API_ANONYMOUS_RATE = 2
    assert client.get("/api/v1/stories")["X-Page-Cache"] == "miss"
    assert client.get("/api/v1/stories")["X-Page-Cache"] == "hit"
    assert client.get("/api/v1/stories").status_code == 429


@pytest.mark.parametrize("backend", ["database", "auto"])
def test_windows_are_shared_by_every_process(db, settings, backend):
    """Two processes see one count: in the database, or in a cache every
    process shares (Redis, or the SQLite file of the embedded default)."""
    settings.API_RATE_LIMIT_BACKEND = backend
    now = 1_000_000.0
    first = ratelimit.hit("client", limit=2, window=60, now=now)
    second = ratelimit.hit("client", limit=2, window=60, now=now + 1)
    third = ratelimit.hit("client", limit=2, window=60, now=now + 2)
    assert (first.allowed, second.allowed, third.allowed) == (True, True, False)
    assert third.reset == 60 - (int(now + 2) % 60)
    if backend == "database":
        assert RateLimitWindow.objects.get().count == 3
    else:
        assert not RateLimitWindow.objects.exists()
        assert ratelimit._shared_alias() in caches
    # The next window starts again.
    assert ratelimit.hit("client", limit=2, window=60, now=now + 60).allowed


def test_a_failing_cache_falls_back_to_the_database(db, settings, monkeypatch):
    settings.API_RATE_LIMIT_BACKEND = "cache"

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    cache = caches[ratelimit._shared_alias() or "default"]
    monkeypatch.setattr(cache, "incr", broken)
    assert ratelimit.hit("client", limit=1, window=60).allowed
    assert not ratelimit.hit("client", limit=1, window=60).allowed
    assert RateLimitWindow.objects.get().count == 2


def test_the_admin_shows_a_new_key_once(client, db):
    admin = make_user(superuser=True, staff=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:api_apikey_add"),
        {"name": "Wire partner", "contact": "", "rate_limit": 100, "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    [message] = [m for m in shown if "nrk_" in m]
    whole = next(word for word in message.split() if word.startswith("nrk_"))
    assert keys.find(whole) == key
    # Never again: the change page does not carry it.
    page = client.get(reverse("admin:api_apikey_change", args=[key.pk]))
    assert whole not in page.content.decode()
    client.logout()
    assert (
        client.get("/api/v1/stories", headers={"x-api-key": whole}).status_code == 200
    )


def test_the_admin_revokes_keys(client, db):
    admin = make_user(superuser=True, staff=True)
    client.force_login(admin)
    key, whole = make_key()
    client.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    client.logout()
    assert (
        client.get("/api/v1/stories", headers={"x-api-key": whole}).status_code == 401
    )
