"""View tracking: what counts, the dedup window, the beacon, the DB write path."""

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_article, make_draft, make_user
from viewcounts import counter, rules
from viewcounts.models import ArticleDailyViews, ArticleViewTotal, RecentView

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Threads writing at once need a server database: SQLite's in-memory "
    "test database (shared cache) fails concurrent writers with 'table is "
    "locked' instead of queueing them, and file SQLite serialises them anyway.",
)


@pytest.fixture(autouse=True)
def _database_path(settings):
    """No Redis leftovers to drain unless a test asks for them."""
    settings.VIEWCOUNTS_REDIS_URL = ""
    settings.VIEWCOUNTS_ENABLED = True
    counter.reset_redis_state()
    yield
    counter.reset_redis_state()


def total(article):
    """The count shown, once the buffer is flushed."""
    counter.flush_pending()
    return (
        ArticleViewTotal.objects.filter(article=article)
        .values_list("views", flat=True)
        .first()
        or 0
    )


def beacon(client, article, ua=BROWSER, ip="203.0.113.7", **headers):
    return client.post(
        reverse("viewcounts:record_view", args=[article.pk]),
        HTTP_USER_AGENT=ua,
        REMOTE_ADDR=ip,
        **headers,
    )


def reader(ua=BROWSER, ip="203.0.113.7", method="post", **headers):
    request = getattr(RequestFactory(), method)(
        "/views/1/", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **headers
    )
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    return request


# What counts


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0;"
        " +claudebot@anthropic.com)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
        "PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
        "CCBot/2.0 (https://commoncrawl.org/faq/)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
        "ChatGPT-User/1.0; +https://openai.com/bot)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "Mozilla/5.0 (compatible; Applebot/0.1; +http://www.apple.com/go/applebot)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) "
        "PhantomJS/2.1.1 Safari/538.1",
        "Mozilla/5.0 Puppeteer",
        "Mozilla/5.0 (X11; Linux x86_64) Playwright/1.49",
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/109.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "python-httpx/0.28.1",
        "Python-urllib/3.13",
        "Go-http-client/2.0",
        "okhttp/4.12.0",
        "axios/1.7.9",
        "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
        "Java/17.0.2",
        "libwww-perl/6.72",
        "Apache-HttpClient/4.5.14 (Java/17.0.9)",
        "Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)",
        "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
        "Amazonbot/0.1",
        "",
        "   ",
        None,
    ],
)
def test_crawlers_bots_and_http_libraries_are_bots(ua):
    assert rules.is_bot(ua)


@pytest.mark.parametrize(
    "ua",
    [
        BROWSER,
        FIREFOX,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, "
        "like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Mobile/15E148 Twitter for iPhone/10.20",
    ],
)
def test_browsers_and_in_app_browsers_are_readers(ua):
    assert not rules.is_bot(ua)


def test_a_plain_browser_request_counts():
    assert rules.should_count(reader())


def test_head_requests_do_not_count():
    assert not rules.should_count(reader(method="head"))


@pytest.mark.parametrize(
    "header,value",
    [
        ("HTTP_SEC_PURPOSE", "prefetch"),
        ("HTTP_SEC_PURPOSE", "prefetch;prerender"),
        ("HTTP_PURPOSE", "prefetch"),
        ("HTTP_X_PURPOSE", "preview"),
        ("HTTP_X_MOZ", "prefetch"),
    ],
)
def test_prefetch_and_prerender_requests_do_not_count(header, value):
    assert not rules.should_count(reader(**{header: value}))


def test_cross_site_posts_do_not_count():
    assert not rules.should_count(reader(HTTP_SEC_FETCH_SITE="cross-site"))
    assert rules.should_count(reader(HTTP_SEC_FETCH_SITE="same-origin"))


def test_visitor_key_is_a_keyed_hash_that_rotates_daily():
    day_one = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("UTC"))
    key = rules.visitor_key(reader(), day_one)
    assert key == rules.visitor_key(reader(), day_one + timedelta(hours=1))
    assert key != rules.visitor_key(reader(), day_one + timedelta(days=1))
    assert key != rules.visitor_key(reader(ip="203.0.113.8"), day_one)
    assert key != rules.visitor_key(reader(ua=FIREFOX), day_one)
    assert "203.0.113.7" not in key and len(key) == 32


def test_visitor_key_depends_on_the_secret_key(settings):
    now = timezone.now()
    key = rules.visitor_key(reader(), now)
    settings.SECRET_KEY = "another-secret"
    assert rules.visitor_key(reader(), now) != key


def test_behind_a_proxy_the_reader_is_the_address_the_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = reader(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    other = reader(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.8")
    # The proxy-supplied address, not the socket's, identifies the reader.
    now = timezone.now()
    assert rules.visitor_key(request, now) != rules.visitor_key(other, now)
    spoofed = reader(ip="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert rules.visitor_key(request, now) == rules.visitor_key(spoofed, now)


# The beacon


def test_beacon_counts_a_published_story_and_answers_204(db, client):
    article = make_article()
    response = beacon(client, article)
    assert response.status_code == 204
    assert response.content == b""
    assert total(article) == 1
    daily = ArticleDailyViews.objects.get(article=article)
    assert daily.day == timezone.localdate() and daily.views == 1


@pytest.mark.parametrize(
    "make",
    [
        make_draft,
        lambda: make_article(published_at=timezone.now() + timedelta(hours=1)),
    ],
    ids=["draft", "scheduled"],
)
def test_beacon_is_404_for_drafts_and_scheduled_stories(db, client, make):
    article = make()
    assert beacon(client, article).status_code == 404
    assert not ArticleDailyViews.objects.exists()


def test_beacon_is_404_for_a_missing_story(db, client):
    assert client.post("/views/999999/", HTTP_USER_AGENT=BROWSER).status_code == 404


@pytest.mark.parametrize("method", ["get", "head", "put", "delete"])
def test_beacon_refuses_methods_other_than_post(db, client, method):
    article = make_article()
    url = reverse("viewcounts:record_view", args=[article.pk])
    response = getattr(client, method)(url, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 405
    assert total(article) == 0


def test_beacon_needs_no_csrf_token_but_refuses_cross_site_counts(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    article = make_article()
    assert beacon(client, article).status_code == 204
    assert total(article) == 1
    response = beacon(
        client, article, ip="198.51.100.2", HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert response.status_code == 204
    assert total(article) == 1


def test_beacon_is_not_cached_and_not_indexed(db, client):
    response = beacon(client, make_article())
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_bots_do_not_count_through_the_beacon(db, client):
    article = make_article()
    beacon(client, article, ua="Mozilla/5.0 HeadlessChrome/131.0.0.0")
    beacon(client, article, ua="GPTBot/1.2")
    assert total(article) == 0


def test_prefetch_through_the_beacon_does_not_count(db, client):
    article = make_article()
    beacon(client, article, HTTP_SEC_PURPOSE="prefetch;prerender")
    assert total(article) == 0


def test_staff_do_not_count_but_signed_in_readers_do(db, client):
    article = make_article()
    client.force_login(make_user(staff=True))
    beacon(client, article)
    assert total(article) == 0
    client.force_login(make_user())
    beacon(client, article)
    assert total(article) == 1


def test_tracking_switched_off_counts_nothing(db, client, settings):
    settings.VIEWCOUNTS_ENABLED = False
    article = make_article()
    assert beacon(client, article).status_code == 204
    assert total(article) == 0


def test_no_script_pixel_counts_with_the_same_rules(db, client):
    article = make_article()
    url = reverse("viewcounts:view_pixel", args=[article.pk])
    response = client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert total(article) == 1
    # The same reader through the beacon is a reload, not a new view.
    beacon(client, article)
    assert total(article) == 1
    client.get(url, HTTP_USER_AGENT="curl/8.5.0")
    assert total(article) == 1
    assert client.head(url, HTTP_USER_AGENT=BROWSER).status_code == 405


def test_pixel_is_404_for_a_draft(db, client):
    url = reverse("viewcounts:view_pixel", args=[make_draft().pk])
    assert client.get(url, HTTP_USER_AGENT=BROWSER).status_code == 404


# The dedup window


@pytest.fixture(params=["cache", "db"])
def dedup_store(request, settings):
    settings.VIEWCOUNTS_DEDUP_STORE = request.param
    return request.param


def test_one_reader_counts_once_per_window_then_again(db, dedup_store):
    article = make_article()
    start = timezone.make_aware(datetime(2026, 3, 10, 12, 0))
    assert counter.record_view(article, reader(), now=start)
    assert not counter.record_view(article, reader(), now=start + timedelta(minutes=1))
    assert not counter.record_view(
        article, reader(), now=start + timedelta(minutes=29, seconds=59)
    )
    assert total(article) == 1


def test_a_reader_counts_again_after_the_window(db, dedup_store, settings):
    # The database store reads the given clock; the cache expires keys on the
    # real one, so the window is one second here and the test waits it out.
    settings.VIEWCOUNTS_DEDUP_SECONDS = 1
    article = make_article()
    start = timezone.now()
    assert counter.record_view(article, reader(), now=start)
    assert not counter.record_view(article, reader(), now=start)
    time.sleep(1.1)
    assert counter.record_view(article, reader(), now=start + timedelta(seconds=1.1))
    assert total(article) == 2


def test_the_window_is_a_setting(db, dedup_store, settings):
    settings.VIEWCOUNTS_DEDUP_SECONDS = 0
    article = make_article()
    assert counter.record_view(article, reader())
    assert counter.record_view(article, reader())
    assert total(article) == 2


def test_other_readers_and_other_stories_count_separately(db, dedup_store):
    first, second = make_article(), make_article()
    now = timezone.now()
    assert counter.record_view(first, reader(), now=now)
    assert counter.record_view(first, reader(ua=FIREFOX), now=now)
    assert counter.record_view(first, reader(ip="198.51.100.4"), now=now)
    assert counter.record_view(second, reader(), now=now)
    assert (total(first), total(second)) == (3, 1)


def test_a_reader_just_before_midnight_is_known_just_after(db, dedup_store):
    article = make_article()
    before = timezone.make_aware(datetime(2026, 3, 10, 23, 50))
    assert counter.record_view(article, reader(), now=before)
    assert not counter.record_view(
        article, reader(), now=before + timedelta(minutes=20)
    )
    assert total(article) == 1


def test_a_view_whose_transaction_fails_leaves_no_mark_in_the_cache(
    db, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A request that dies after its mark but before its commit (here a
    database error; in production also a worker killed mid-request, whose
    beacon the load balancer retries on another server) must not leave a
    "seen" in the cache: the retry is the reader's first counted view."""
    settings.VIEWCOUNTS_DEDUP_STORE = "cache"
    article = make_article()
    now = timezone.now()

    def fail(*args):
        raise DatabaseError("the server went away")

    key = rules.cached_mark_key(rules.mark_key(article.pk, reader(), now))
    cache = rules._dedup_cache()
    with (
        monkeypatch.context() as patched,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        patched.setattr(counter, "_append", fail)
        with pytest.raises(DatabaseError):
            counter.record_view(article, reader(), now=now)
    assert callbacks == []  # the rolled-back mark's went with it
    assert cache.get(key) is None
    assert not RecentView.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert counter.record_view(article, reader(), now=now)
    assert cache.get(key) == 1
    counter.flush_views()
    assert total(article) == 1


def test_the_cache_learns_a_mark_only_when_it_is_committed(
    db, settings, django_capture_on_commit_callbacks
):
    settings.VIEWCOUNTS_DEDUP_STORE = "cache"
    article = make_article()
    key = rules.cached_mark_key(rules.mark_key(article.pk, reader()))
    cache = rules._dedup_cache()
    with django_capture_on_commit_callbacks(execute=True):
        assert counter.record_view(article, reader())
        assert cache.get(key) is None  # not before the commit
    assert cache.get(key) == 1
    # A repeat is answered by the cache alone: no mark written again.
    RecentView.objects.all().delete()
    assert not counter.record_view(article, reader())
    assert not RecentView.objects.exists()


def test_a_mark_found_in_the_database_is_cached_for_what_is_left_of_it(
    db, settings, django_capture_on_commit_callbacks
):
    settings.VIEWCOUNTS_DEDUP_STORE = "cache"
    settings.VIEWCOUNTS_DEDUP_SECONDS = 1800
    article = make_article()
    now = timezone.make_aware(datetime(2026, 3, 10, 12, 0))  # not near midnight
    assert counter.record_view(article, reader(), now=now - timedelta(minutes=29))
    key = rules.cached_mark_key(rules.mark_key(article.pk, reader(), now))
    cache = rules._dedup_cache()
    assert cache.get(key) is None  # the test's transaction never commits
    with django_capture_on_commit_callbacks(execute=True):
        assert not counter.record_view(article, reader(), now=now)
        assert cache.get(key) is None  # not before the commit either
    assert cache.get(key) == 1
    # About a minute of the window is left, not a new half hour.
    assert 0 < seconds_left(cache, key) <= 60


def seconds_left(cache, key):
    if hasattr(cache, "ttl"):  # django-redis
        return cache.ttl(key)
    return cache._expire_info[cache.make_and_validate_key(key)] - time.time()


def test_the_database_store_prunes_expired_marks(db, settings):
    settings.VIEWCOUNTS_DEDUP_STORE = "db"
    article = make_article()
    past = timezone.now() - timedelta(hours=2)
    counter.record_view(article, reader(), now=past)
    assert RecentView.objects.count() == 1
    assert rules.prune_recent_views() == 2  # the mark and the network's tally
    assert not RecentView.objects.exists()


def test_the_embedded_cache_keeps_dedup_marks_in_the_database(db, settings):
    """LocMemCache is per process: gunicorn workers would each count a reader."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    settings.VIEWCOUNTS_DEDUP_STORE = "auto"
    counter.record_view(make_article(), reader())
    assert RecentView.objects.count() == 1


# The database write path


def test_counts_live_beside_the_story_not_on_it(db):
    article = make_article()
    stale = type(article).objects.get(pk=article.pk)
    updated_at = article.updated_at
    counter.increment(article.pk)
    article.refresh_from_db()
    assert article.updated_at == updated_at  # the row editors save is untouched
    stale.headline = "An editor's correction"
    stale.save()
    counter.increment(article.pk)
    article.refresh_from_db()
    assert article.headline == "An editor's correction"
    assert total(article) == 2


def test_increments_on_different_days_make_daily_rows_and_one_total(db):
    article = make_article()
    day_one = timezone.make_aware(datetime(2026, 3, 1, 12, 0))
    for _ in range(3):
        counter.increment(article.pk, day_one)
    counter.increment(article.pk, day_one + timedelta(days=1), n=2)
    counter.flush_pending()
    rows = dict(
        ArticleDailyViews.objects.filter(article=article).values_list("day", "views")
    )
    assert rows == {day_one.date(): 3, (day_one + timedelta(days=1)).date(): 2}
    assert total(article) == 5


def test_views_of_a_deleted_story_are_dropped_not_an_error(db):
    article = make_article()
    pk = article.pk
    article.delete()
    counter.apply_counts({(pk, timezone.localdate()): 4})
    assert not ArticleDailyViews.objects.exists()


def _threads(count, target):
    errors = []

    def run(i):
        try:
            target(i)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_thousand_increments_from_fifty_threads_are_exact():
    article = make_article()

    def twenty(_):
        for _ in range(20):
            counter.increment(article.pk)

    _threads(50, twenty)
    assert total(article) == 1000
    assert ArticleDailyViews.objects.get(article=article).views == 1000


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_five_hundred_readers_in_threads_give_five_hundred_and_one_gives_one(
    settings,
):
    settings.VIEWCOUNTS_DEDUP_STORE = "db"
    article = make_article()

    def ten_readers(i):
        for j in range(10):
            counter.record_view(article, reader(ip=f"198.51.{i}.{j}"))

    _threads(50, ten_readers)
    assert total(article) == 500

    other = make_article()
    _threads(50, lambda i: counter.record_view(other, reader(ip="192.0.2.1")))
    assert total(other) == 1


def test_a_naive_read_modify_write_would_lose_updates(db):
    """The control: two writers that read, add and save lose one view."""
    article = make_article()
    counter.increment(article.pk)
    first = ArticleViewTotal.objects.get(article=article)
    second = ArticleViewTotal.objects.get(article=article)
    first.views += 1
    first.save()
    second.views += 1
    second.save()
    assert total(article) == 2  # three increments, one lost: why we upsert
    counter.increment(article.pk)
    assert total(article) == 3


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_editor_saving_while_views_arrive_keeps_both():
    article = make_article()

    def work(i):
        if i == 0:
            for n in range(20):
                story = type(article).objects.get(pk=article.pk)
                story.headline = f"Edit {n}"
                story.save()
        else:
            for _ in range(25):
                counter.increment(article.pk)

    _threads(9, work)
    article.refresh_from_db()
    assert article.headline == "Edit 19"
    assert total(article) == 200
