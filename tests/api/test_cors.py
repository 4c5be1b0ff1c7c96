"""Other sites' pages reading the API (django-cors-headers): any origin by
default, without cookies; the preflight for a key; the API's refusals carry
the headers too; the site's own pages none; cached answers as fresh ones."""

import pytest
from django.test import override_settings

from tests.api.conftest import make_key
from tests.factories import make_article

pytestmark = pytest.mark.django_db

ORIGIN = "https://partner.example"


@pytest.fixture
def story(db):
    return make_article(headline="Readable from a partner's page")


def test_any_origin_reads_the_api_without_credentials(client, story):
    response = client.get("/api/v1/stories", headers={"origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "origin" in response["Vary"].lower()


def test_the_preflight_for_a_key_is_answered_and_cached_a_day(client):
    response = client.options(
        "/api/v1/stories",
        headers={
            "origin": ORIGIN,
            "access-control-request-method": "GET",
            "access-control-request-headers": "x-api-key",
        },
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "x-api-key" in response["Access-Control-Allow-Headers"]
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Max-Age"] == "86400"


def test_the_apis_refusals_can_be_read_by_the_partners_page(client, story, settings):
    settings.API_ANONYMOUS = False
    response = client.get("/api/v1/stories", headers={"origin": ORIGIN})
    assert response.status_code == 401
    assert response["Access-Control-Allow-Origin"] == "*"
    key, whole = make_key(rate_limit=1)
    headers = {"origin": ORIGIN, "x-api-key": whole}
    assert client.get("/api/v1/stories", headers=headers).status_code == 200
    limited = client.get("/api/v1/stories", headers=headers)
    assert limited.status_code == 429
    assert limited["Access-Control-Allow-Origin"] == "*"
    assert "Retry-After" in limited["Access-Control-Expose-Headers"]


def test_a_cached_answer_carries_the_headers_too(client, story, page_cache_on):
    client.get("/api/v1/stories")
    response = client.get("/api/v1/stories", headers={"origin": ORIGIN})
    assert response["X-Page-Cache"] == "hit"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_only_the_listed_origins_when_the_newsroom_lists_them(client, story):
    with override_settings(
        CORS_ALLOW_ALL_ORIGINS=False, CORS_ALLOWED_ORIGINS=["https://partner.example"]
    ):
        allowed = client.get("/api/v1/stories", headers={"origin": ORIGIN})
        other = client.get(
            "/api/v1/stories", headers={"origin": "https://elsewhere.example"}
        )
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other


def test_the_sites_pages_and_the_desk_send_no_cors_headers(client, story):
    for url in ("/", story.get_absolute_url(), "/admin/login/"):
        response = client.get(url, headers={"origin": ORIGIN})
        assert "Access-Control-Allow-Origin" not in response, url
