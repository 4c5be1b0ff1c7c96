"""Whatever a client sends: a clear 4xx in JSON, nothing stored, never a 500."""

import pytest

from api.models import RateLimitWindow
from articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/stories?limit=0",
        "/api/v1/stories?limit=101",
        "/api/v1/stories?limit=abc",
        "/api/v1/stories?limit=1e3",
        "/api/v1/stories?cursor=" + "a" * 601,
        "/api/v1/stories?cursor=abc.def",
        "/api/v1/stories/abc",
        "/api/v1/stories/1.5",
        "/api/v1/search?q=" + "word " * 300,
        "/api/v1/search?q=x&date_from=2026-13-45",
        "/api/v1/search?q=x&date_from=2026-02-01&date_to=2026-01-01",
        "/api/v1/search?q=x&section=nowhere",
        "/api/v1/most-viewed?period=forever",
        "/api/v1/most-viewed?limit=21",
        "/api/v1/most-commented?limit=11",
        "/api/v1/sections/" + "s" * 121,
        "/api/v1/stories?tag=%00",
        "/api/v1/tags/%00",
        "/api/v1/search?q=%00harbour",
        "/api/v1/search?q=harbour&tag=%00",
    ],
)
def test_bad_input_is_a_400_in_json(newsroom, client, url):
    response = client.get(url)
    assert response.status_code == 400, (url, response.content[:200])
    data = response.json()
    assert data["error"] == "invalid" and data["message"]
    assert response["Cache-Control"] == "no-store"


def test_extra_parameters_widen_nothing(newsroom, client):
    """?status=draft and friends are ignored, never passed to a query."""
    for params in (
        {"status": "draft"},
        {"published_at__gt": "2000-01-01"},
        {"ordering": "-author__password"},
    ):
        ids = [
            item["id"] for item in client.get("/api/v1/stories", params).json()["items"]
        ]
        assert ids == [newsroom.story.pk, newsroom.korean.pk]


def test_writing_is_refused_in_json_and_changes_nothing(newsroom, client):
    before = Article.objects.count()
    for method in (client.post, client.put, client.delete, client.patch):
        response = method(f"/api/v1/stories/{newsroom.story.pk}")
        assert response.status_code == 405
        assert response.json()["error"] == "method_not_allowed"
        assert "GET" in response["Allow"]
    assert Article.objects.count() == before


def test_head_answers_like_get_without_a_body(newsroom, client):
    response = client.head("/api/v1/stories")
    assert response.status_code == 200
    assert response.content == b""


def test_a_refused_request_stores_nothing(client, db, settings):
    settings.API_RATE_LIMIT_BACKEND = "database"
    settings.API_ANONYMOUS = False
    response = client.get("/api/v1/stories")
    assert response.status_code == 401
    # Refused before counting: a client without a key fills no window.
    assert not RateLimitWindow.objects.exists()


def test_a_bad_host_is_a_400_not_a_500(client, db):
    response = client.get("/api/v1/stories", HTTP_HOST="evil.example")
    assert response.status_code == 400


def test_errors_are_in_the_site_language(client, db, settings):
    settings.LANGUAGE_CODE = "ko"
    response = client.get("/api/v1/stories/424242")
    assert response.status_code == 404
    assert response.json()["message"] == "이 주소에는 아무것도 없습니다."


# (address, parameter, the problem on the Korean site, on the English site)
PROBLEMS = [
    (
        "/api/v1/stories?limit=abc",
        "limit",
        "정수를 입력하세요.",
        "Enter a whole number.",
    ),
    (
        "/api/v1/stories?limit=0",
        "limit",
        "1 이상인 수를 입력하세요.",
        "Enter a number of at least 1.",
    ),
    (
        "/api/v1/stories?limit=101",
        "limit",
        "100 이하인 수를 입력하세요.",
        "Enter a number of at most 100.",
    ),
    ("/api/v1/search", "q", "꼭 있어야 하는 값입니다.", "This parameter is required."),
    (
        "/api/v1/search?q=" + "x" * 1001,
        "q",
        "1000자 이하로 쓰세요.",
        "Use at most 1000 characters.",
    ),
    (
        "/api/v1/search?q=x&date_from=2026-13-45",
        "date_from",
        "날짜를 YYYY-MM-DD 형식으로 입력하세요.",
        "Enter a date as YYYY-MM-DD.",
    ),
    (
        "/api/v1/most-viewed?period=forever",
        "period",
        "'today', '7d', '30d' 중 하나를 쓰세요.",
        "Use one of 'today', '7d', '30d'.",
    ),
]


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize(("url", "field", "korean", "english"), PROBLEMS)
def test_each_fields_problem_is_said_in_the_sites_language(
    client, settings, language, url, field, korean, english
):
    settings.LANGUAGE_CODE = language
    body = client.get(url).json()
    assert body["error"] == "invalid"
    assert body["fields"][field] == [korean if language == "ko" else english]
