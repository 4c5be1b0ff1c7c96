"""Redis stopped: every page still answers 200, comments post, views count, the
admin login works, and the outage is logged (once per interval, not per request).

Redis is "stopped" by pointing every Redis setting at a port nothing listens on:
the cache (django-redis with IGNORE_EXCEPTIONS), the view buffer
(VIEWCOUNTS_REDIS_URL) and, through the cache, the comment rate limiter and the view
dedup marks.
"""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from comments.models import Comment, RateLimitCounter
from tests.comments.conftest import form_data
from tests.factories import make_article, make_author, make_user
from viewcounts import counter
from viewcounts.models import ArticleViewTotal

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/130.0"


@pytest.fixture(autouse=True)
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.VIEWCOUNTS_REDIS_URL = DEAD_REDIS
    settings.VIEWCOUNTS_DEDUP_STORE = "auto"
    settings.COMMENTS_RATE_LIMIT_BACKEND = "auto"
    settings.COMMENTS_RATE_LIMIT = 2
    settings.COMMENTS_MODERATION = "post"
    settings.COMMENTS_MIN_SECONDS = 3
    counter.reset_redis_state()
    assert cache.get("anything") is None  # the cache really is the dead one
    yield
    counter.reset_redis_state()


PAGES = [
    "/",
    "/sections/{section}/",
    "/tags/ports/",
    "/tags/",
    "/authors/ann/",
    "/authors/",
    "/search/?q=story",
    "/feeds/latest/rss/",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/robots.txt",
    "{story}",
    "/comments/write/{pk}/",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_200_with_redis_down(client, url):
    article = make_article(tags=["ports"], authors=[make_author(slug="ann")])
    url = url.format(
        section=article.section.slug, story=article.get_absolute_url(), pk=article.pk
    )
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # and again, with nothing cached


def test_healthz_stays_up_and_readyz_names_the_cache(client, db, settings):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    # READYZ_OPTIONAL=cache: reported, but the server stays in the balancer.
    settings.READYZ_OPTIONAL = ["cache"]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert (response.json()["database"], response.json()["cache"]) == ("ok", "down")


def test_comments_still_post_and_the_rate_limit_holds_in_the_database(client):
    article = make_article()
    url = reverse("comments:post", args=[article.pk])
    statuses = [
        client.post(url, form_data(article, body=f"Remark {n}")).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert Comment.objects.count() == 2
    assert RateLimitCounter.objects.exists()


def test_views_are_still_counted_once_per_reader(client, caplog):
    article = make_article()
    url = reverse("viewcounts:record_view", args=[article.pk])
    with caplog.at_level(logging.WARNING):
        for ip in ["10.0.0.1", "10.0.0.2", "10.0.0.1"]:
            response = client.post(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip)
            assert response.status_code == 204
    counter.flush_pending()
    assert ArticleViewTotal.objects.get(article=article).views == 2
    outage_logs = [r for r in caplog.records if "View buffer Redis" in r.getMessage()]
    assert len(outage_logs) == 1  # once per outage interval, not per view


def test_flushing_views_with_redis_down_writes_the_buffer_and_says_so(db, capsys):
    """Counted views wait in the database, not in Redis: the flush writes them;
    only an earlier release's leftovers in Redis wait, and it says so."""
    from django.core.management import call_command

    article = make_article()
    counter.increment(article.pk, n=3)
    call_command("flush_views")
    assert "nothing lost" in capsys.readouterr().err
    assert ArticleViewTotal.objects.get(article=article).views == 3


def test_the_admin_login_works_and_throttles_with_redis_down(client, settings):
    settings.AXES_ENABLED = True
    user = make_user(staff=True, superuser=True, password="right one here")
    login = reverse("admin:login")
    response = client.post(
        login, {"username": user.username, "password": "right one here"}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login, {"username": user.username, "password": "wrong"})
    locked = client.post(
        login, {"username": user.username, "password": "right one here"}
    )
    assert locked.status_code in {403, 429}
