"""The page cache (pagecache): what is cached, for whom, and every
change that must retire a cached page at once.

Each test warms the cache with an anonymous reader's request first, makes the
change, then checks the next anonymous reader sees it: a missing purge shows up
as the old page coming back from the cache.
"""

from datetime import timedelta

import html5lib
import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.http import reader_page
from articles.models import Article, Byline
from comments.models import Comment
from pagecache import middleware, store, versions
from tests.factories import (
    make_article,
    make_author,
    make_draft,
    make_section,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[0, 2**20], ids=["shared-only", "local-copies"])
def _page_cache_on(settings, request):
    """Every test runs with and without each process's own copies of pages."""
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TTL = 60
    settings.PAGE_CACHE_MAX_AGE = 0
    settings.PAGE_CACHE_LOCAL_BYTES = request.param
    settings.COMMENTS_MODERATION = "post"
    settings.COMMENTS_MIN_SECONDS = 3
    store.local_pages.clear()
    yield
    store.local_pages.clear()


@pytest.fixture
def story():
    author = make_author(name="Kim Reporter", slug="kim-reporter")
    return make_article(headline="Harbour reopens", authors=[author], tags=["Harbour"])


def parse(response):
    return html5lib.parse(
        response.content.decode(), treebuilder="etree", namespaceHTMLElements=False
    )


def text_of(response):
    return "".join(parse(response).find(".//main").itertext())


def headlines(response):
    return {
        "".join(a.itertext()).strip()
        for a in parse(response).findall(".//main//a")
        if "".join(a.itertext()).strip()
    }


def warm(client, url):
    """Two requests: the first stores the page (if needed), the second is a hit."""
    assert client.get(url)["X-Page-Cache"] in {"miss", "hit"}
    second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    return second


def page_urls(story):
    return {
        "home": reverse("articles:home"),
        "story": story.get_absolute_url(),
        "section": story.section.get_absolute_url(),
        "tag": reverse("articles:tag", args=["harbour"]),
        "author": reverse("articles:author", args=["kim-reporter"]),
    }


# What is cached, and how it is served


@pytest.mark.parametrize("page", ["home", "story", "section", "tag", "author"])
def test_anonymous_reader_pages_are_served_from_the_cache_without_queries(
    client, story, page, django_assert_num_queries
):
    url = page_urls(story)[page]
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


@pytest.mark.parametrize("page", ["home", "story", "section", "tag", "author"])
def test_cached_pages_set_no_cookie_and_do_not_vary_on_cookie(client, story, page):
    url = page_urls(story)[page]
    for response in (client.get(url), client.get(url)):
        assert response.status_code == 200
        assert not response.cookies
        assert "Set-Cookie" not in response
        assert "cookie" not in response.get("Vary", "").lower()
        assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
        assert response["ETag"].startswith('"')


def test_the_browser_lifetime_is_a_setting(client, story, settings):
    settings.PAGE_CACHE_MAX_AGE = 60
    assert client.get(story.get_absolute_url())["Cache-Control"] == (
        "public, max-age=60"
    )


def test_if_none_match_with_the_current_etag_gets_a_304(client, story):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_an_old_etag_gets_the_new_page_after_an_edit(client, story):
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    story.headline = "Harbour reopens after repairs"
    story.save()
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "Harbour reopens after repairs" in text_of(response)


def test_head_is_answered_from_the_cache_without_a_body(client, story):
    url = story.get_absolute_url()
    full = warm(client, url)
    head = client.head(url)
    assert head.status_code == 200
    assert head["X-Page-Cache"] == "hit"
    assert head.content == b""
    assert head["Content-Length"] == str(len(full.content))


def test_other_query_parameters_share_the_cached_page_but_page_numbers_do_not(
    client, settings
):
    settings.ARTICLES_PER_PAGE = 2
    section = make_section()
    for _ in range(8):
        make_article(section=section)
    url = section.get_absolute_url()
    warm(client, url)
    assert client.get(url + "?utm_source=feed")["X-Page-Cache"] == "hit"
    second_page = client.get(url + "?page=2")
    assert second_page["X-Page-Cache"] == "miss"
    assert second_page.content != client.get(url).content


def test_not_found_pages_are_not_cached(client):
    draft = make_draft(headline="Embargoed")
    url = reverse("articles:section", args=["no-such-section"])
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    assert draft.get_absolute_url()  # a draft's address is a 404 too, below
    assert client.get(draft.get_absolute_url()).status_code == 404
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(minutes=1)
    draft.save()
    assert client.get(draft.get_absolute_url()).status_code == 200


# The hit path: one cache round trip, before the session, CSRF, auth,
# messages and Axes middleware and the view


class CountingCache:
    """The page cache, counting the calls made to it."""

    def __init__(self, cache, calls):
        self._cache, self._calls = cache, calls

    def __getattr__(self, name):
        attr = getattr(self._cache, name)
        if not callable(attr):
            return attr

        def counted(*args, **kwargs):
            self._calls.append(name)
            return attr(*args, **kwargs)

        return counted


@pytest.mark.parametrize("page", ["home", "story", "tag"])
def test_a_hit_is_one_cache_call_and_runs_neither_the_view_nor_the_inner_middleware(
    client, story, page, monkeypatch
):
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.middleware.csrf import CsrfViewMiddleware

    url = page_urls(story)[page]
    warm(client, url)
    calls = []
    real = versions.page_cache
    monkeypatch.setattr(versions, "page_cache", lambda: CountingCache(real(), calls))

    def must_not_run(*args, **kwargs):
        raise AssertionError("a cache hit reached the inner middleware or the view")

    monkeypatch.setattr(SessionMiddleware, "process_request", must_not_run)
    monkeypatch.setattr(CsrfViewMiddleware, "process_view", must_not_run)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    # The page and its versions; its volatile fragments (counts, Most Viewed)
    # come from this process's assembled copy until the first is due
    # (pagecache.store.stitched).
    assert calls == ["get_many"]


def test_without_the_middleware_reader_pages_are_served_plainly(
    client, story, settings
):
    """The mark on a reader page caches nothing by itself."""
    settings.MIDDLEWARE = [
        name
        for name in settings.MIDDLEWARE
        if name != "pagecache.middleware.PageCacheMiddleware"
    ]
    url = story.get_absolute_url()
    first = client.get(url)
    assert first.status_code == 200
    assert "X-Page-Cache" not in first
    second = client.get(url)
    assert "X-Page-Cache" not in second
    assert second["X-Frame-Options"] == "DENY"


def test_only_addresses_of_cached_pages_are_answered_from_the_cache(client, story, rf):
    """An entry under the key of an address no cached view serves is never used."""
    warm(client, reverse("articles:home"))
    version, _ = store.lookup(store.page_key(rf.get("/"), ())).settle()
    for url in ["/search/?q=harbour", "/healthz", "/no-such-page/"]:
        key = store.page_key(rf.get(url), ("page", "q"))
        entry = store.make_entry(store.HttpResponse(b"planted"), version)
        cache.set(key, entry)
        for params in [(), ("page",)]:
            cache.set(store.page_key(rf.get(url), params), entry)
        response = client.get(url)
        assert b"planted" not in response.content
        assert "X-Page-Cache" not in response


def test_a_new_urlconf_is_followed_by_the_middleware(client, story, settings):
    warm(client, reverse("articles:home"))
    settings.ROOT_URLCONF = "tests.articles.urls_elsewhere"
    # The home page's entry is still there, but "/" is no page any more.
    assert client.get("/").status_code == 404
    assert client.get("/elsewhere/")["X-Page-Cache"] == "miss"
    assert client.get("/elsewhere/")["X-Page-Cache"] == "hit"


# A process's own copies of pages (PAGE_CACHE_LOCAL_BYTES)


@pytest.fixture
def local_copies(settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 2**20


def test_a_hit_on_a_local_copy_fetches_only_the_version(
    client, story, local_copies, monkeypatch
):
    url = story.get_absolute_url()
    warm(client, url)
    fetched = []
    pages = versions.page_cache()
    real_get_many = pages.get_many
    monkeypatch.setattr(
        pages, "get_many", lambda keys: fetched.append(keys) or real_get_many(keys)
    )
    assert client.get(url)["X-Page-Cache"] == "hit"
    # The versions and those of the page's dependencies, not the page.
    key = store.page_key(RequestFactory().get(url), ("comments",))
    deps = [versions.dep_key(name) for name in store.local_pages.get(key)["deps"]]
    assert fetched[0] == [versions.VERSION_KEY, versions.NEXT_KEY, *deps]


def test_a_page_another_process_stored_replaces_an_outdated_local_copy(
    client, story, local_copies, rf
):
    url = story.get_absolute_url()
    warm(client, url)
    # Another process: a content change, then its own rendering of the page.
    versions._bump()
    version = cache.get(versions.VERSION_KEY)
    key = store.page_key(rf.get(url), ("comments",))
    entry = store.make_entry(store.HttpResponse(b"rendered elsewhere"), version)
    cache.set(key, entry)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert response.content == b"rendered elsewhere"


def test_a_content_change_elsewhere_retires_local_copies(client, story, local_copies):
    url = story.get_absolute_url()
    warm(client, url)
    # Another process saves the story: only the shared version changes here.
    Article.objects.filter(pk=story.pk).update(headline="Harbour reopens at noon")
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Harbour reopens at noon" in text_of(response)


def test_a_local_copy_lives_no_longer_than_the_shared_entry(
    client, story, local_copies, settings, monkeypatch
):
    import time

    settings.PAGE_CACHE_TTL = 30
    url = story.get_absolute_url()
    warm(client, url)
    later = time.time() + 31
    monkeypatch.setattr(versions.time, "time", lambda: later)
    cache.delete(store.page_key(RequestFactory().get(url), ("comments",)))
    assert client.get(url)["X-Page-Cache"] == "miss"


def test_local_copies_stay_within_their_byte_limit(client, story, settings):
    urls = page_urls(story)
    sizes = {page: len(warm(client, url).content) for page, url in urls.items()}
    store.local_pages.clear()
    settings.PAGE_CACHE_LOCAL_BYTES = sizes["story"] + sizes["tag"]
    for url in urls.values():
        client.get(url)
    held = store.local_pages._entries
    # An entry's size counts its compressed variants too.
    assert sum(store.entry_size(entry) for entry in held.values()) <= (
        settings.PAGE_CACHE_LOCAL_BYTES
    )
    assert store.local_pages._bytes == sum(
        store.entry_size(entry) for entry in held.values()
    )
    # Each page is still a hit, from the shared cache when not held here.
    for url in urls.values():
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_request_with_credentials_bypasses_the_cache(client, story):
    url = story.get_absolute_url()
    warm(client, url)
    response = client.get(url, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response["X-Page-Cache"] == "bypass"
    assert "private" in response["Cache-Control"]


class SetsACookieAfterTheView:
    """Stands for any inner middleware that makes a response personal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.set_cookie("late", "1")
        return response


def test_a_page_made_personal_after_the_view_is_never_stored(client, story, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        f"{__name__}.SetsACookieAfterTheView",
    ]
    url = story.get_absolute_url()
    for _ in range(2):
        response = client.get(url)
        assert response["X-Page-Cache"] == "uncacheable"
        assert "private" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_parameters_a_page_does_not_read_share_its_cached_copy(client, story):
    url = story.get_absolute_url()
    warm(client, url)
    for query in ("?page=2", "?utm_source=feed", "?page=2&utm_medium=x"):
        assert client.get(url + query)["X-Page-Cache"] == "hit"
    assert client.get(url + "?comments=all")["X-Page-Cache"] in {"miss", "hit"}


def test_a_304_from_the_cache_carries_the_security_headers(client, story):
    url = story.get_absolute_url()
    full = warm(client, url)
    not_modified = client.get(url, headers={"If-None-Match": full["ETag"]})
    assert not_modified.status_code == 304
    assert not_modified["X-Page-Cache"] == "hit"
    for name in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "Permissions-Policy",
        "X-Frame-Options",
    ):
        assert not_modified[name] == full[name], name


# Who gets a cached page


def test_logged_in_staff_bypass_the_cache_and_are_never_stored(client, story):
    url = story.get_absolute_url()
    warm(client, url)
    staff = Client()
    staff.force_login(make_user(staff=True))
    response = staff.get(url)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "bypass"
    assert "private" in response["Cache-Control"]
    # The staff page was not stored for readers: the reader still gets the
    # page cached before, byte for byte.
    assert client.get(url).content == warm(client, url).content


def test_a_message_is_shown_to_its_reader_only_and_never_cached(client, story):
    url = story.get_absolute_url()
    warm(client, url)
    poster = Client()
    token = poster.get(reverse("comments:token", args=[story.pk])).json()
    with_message = poster.post(
        reverse("comments:post", args=[story.pk]),
        {
            "name": "Ana",
            "body": "First!",
            "issued": token["issued"],
            "csrfmiddlewaretoken": token["csrfmiddlewaretoken"],
        },
        follow=True,
    )
    assert with_message["X-Page-Cache"] == "bypass"
    assert "private" in with_message["Cache-Control"]
    # The message is the poster's notice, in the thread (comments.notices).
    notice = ".//*[@data-comment-notice]"
    assert parse(with_message).findall(notice)
    for reader in (Client(), Client()):
        page = reader.get(url)
        assert page.status_code == 200
        assert parse(page).findall(notice) == []
        assert not page.cookies


def test_a_response_that_sets_a_cookie_is_never_stored(rf, story, through_cache):
    calls = []

    def view(request):
        calls.append(1)
        from django.http import HttpResponse

        response = HttpResponse("personal")
        response.set_cookie("who", "me")
        return response

    cached_view = through_cache(view)
    first = cached_view(rf.get("/x/"))
    second = cached_view(rf.get("/x/"))
    assert len(calls) == 2
    assert first["X-Page-Cache"] == second["X-Page-Cache"] == "uncacheable"
    assert "private" in first["Cache-Control"]


def test_a_page_that_asked_for_a_csrf_token_is_never_stored(rf, through_cache):
    from django.middleware.csrf import get_token

    def view(request):
        from django.http import HttpResponse

        return HttpResponse(get_token(request))

    cached_view = through_cache(view)
    assert cached_view(rf.get("/y/"))["X-Page-Cache"] == "uncacheable"
    assert cached_view(rf.get("/y/"))["X-Page-Cache"] == "uncacheable"


def test_the_page_cache_can_be_switched_off(client, story, settings):
    settings.PAGE_CACHE = False
    url = story.get_absolute_url()
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


# Every change that retires cached pages


def test_publishing_a_story_shows_it_at_once(client, story):
    draft = make_draft(headline="Ferry strike ends", section=story.section)
    urls = page_urls(story)
    warm(client, urls["home"])
    warm(client, urls["section"])
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(seconds=1)
    draft.save()
    assert "Ferry strike ends" in headlines(client.get(urls["home"]))
    assert "Ferry strike ends" in headlines(client.get(urls["section"]))


def test_editing_a_story_shows_the_edit_at_once(client, story):
    urls = page_urls(story)
    for url in urls.values():
        warm(client, url)
    story.headline = "Harbour reopens to ferries"
    story.save()
    for page, url in urls.items():
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss", page
        assert "Harbour reopens to ferries" in text_of(response), page


def test_unpublishing_a_story_removes_it_at_once(client, story):
    urls = page_urls(story)
    warm(client, urls["story"])
    warm(client, urls["home"])
    story.status = Article.Status.DRAFT
    story.save()
    assert client.get(urls["story"]).status_code == 404
    assert "Harbour reopens" not in headlines(client.get(urls["home"]))


def test_a_bulk_update_such_as_an_admin_action_retires_pages(client, story):
    url = story.get_absolute_url()
    warm(client, url)
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT)
    assert client.get(url).status_code == 404


def test_deleting_a_story_removes_it_at_once(client, story):
    home = reverse("articles:home")
    warm(client, home)
    story.delete()
    assert "Harbour reopens" not in headlines(client.get(home))


@pytest.fixture
def clock(monkeypatch):
    """A controllable ``timezone.now()`` for the cache and ``published()``."""

    class Clock:
        now = timezone.now()

        def advance(self, **kwargs):
            self.now += timedelta(**kwargs)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def test_a_scheduled_story_appears_when_its_time_comes_without_any_write(
    client, clock, story
):
    scheduled = make_article(
        headline="Budget announced",
        section=story.section,
        published_at=clock.now + timedelta(minutes=10),
    )
    home = reverse("articles:home")
    warm(client, home)
    assert "Budget announced" not in headlines(client.get(home))
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    clock.advance(minutes=9, seconds=59)
    assert client.get(home)["X-Page-Cache"] == "hit"
    clock.advance(seconds=2)
    response = client.get(home)
    assert response["X-Page-Cache"] == "miss"
    assert "Budget announced" in headlines(response)
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_two_scheduled_stories_each_appear_on_time(client, clock, story):
    for minutes, headline in [(5, "First scheduled"), (15, "Second scheduled")]:
        make_article(
            headline=headline,
            section=story.section,
            published_at=clock.now + timedelta(minutes=minutes),
        )
    home = reverse("articles:home")
    warm(client, home)
    clock.advance(minutes=6)
    shown = headlines(client.get(home))
    assert "First scheduled" in shown and "Second scheduled" not in shown
    assert client.get(home)["X-Page-Cache"] == "hit"
    clock.advance(minutes=10)
    assert "Second scheduled" in headlines(client.get(home))


def test_an_approved_comment_appears_at_once_and_a_held_one_changes_nothing(
    client, story
):
    url = story.get_absolute_url()
    warm(client, url)
    held = Comment.objects.create(
        article=story, name="Held", body="Pending words", status="pending"
    )
    assert client.get(url)["X-Page-Cache"] == "hit"
    held.status = Comment.Status.APPROVED
    held.save()
    assert "Pending words" in text_of(client.get(url))


def test_comments_removed_or_moderated_in_bulk_disappear_at_once(client, story):
    url = story.get_absolute_url()
    first = Comment.objects.create(
        article=story, name="A", body="Comment one", status="approved"
    )
    Comment.objects.create(
        article=story, name="B", body="Comment two", status="approved"
    )
    warm(client, url)
    first.delete()
    assert "Comment one" not in text_of(client.get(url))
    warm(client, url)
    Comment.objects.filter(article=story).set_status(Comment.Status.REJECTED)
    assert "Comment two" not in text_of(client.get(url))


def test_a_comment_reported_back_to_pending_disappears_at_once(client, story):
    url = story.get_absolute_url()
    comment = Comment.objects.create(
        article=story, name="A", body="Reported words", status="approved"
    )
    warm(client, url)
    comment.report("reader-1", threshold=1)
    assert "Reported words" not in text_of(client.get(url))


def test_a_byline_change_shows_at_once(client, story):
    urls = page_urls(story)
    warm(client, urls["story"])
    second = make_author(name="Lee Photographer", slug="lee-photographer")
    Byline.objects.create(article=story, author=second, role=Byline.Role.BY, order=1)
    assert "Lee Photographer" in text_of(client.get(urls["story"]))
    author_page = reverse("articles:author", args=["lee-photographer"])
    warm(client, author_page)
    Byline.objects.filter(author=second).delete()
    assert client.get(author_page).status_code == 200
    assert "Harbour reopens" not in headlines(client.get(author_page))


def test_renaming_an_author_or_a_section_shows_at_once(client, story):
    url = story.get_absolute_url()
    warm(client, url)
    author = story.bylines.get().author
    author.name = "Kim Senior-Reporter"
    author.save()
    assert "Kim Senior-Reporter" in text_of(client.get(url))
    warm(client, url)
    story.section.name = "Coast"
    story.section.save()
    assert "Coast" in text_of(client.get(url))


def test_a_tag_change_shows_at_once(client, story):
    urls = page_urls(story)
    warm(client, urls["story"])
    story.tags.add("Ferries")
    assert "Ferries" in text_of(client.get(urls["story"]))
    warm(client, urls["tag"])
    story.tags.remove("Harbour")
    assert client.get(urls["tag"]).status_code == 404
    warm(client, urls["story"])
    tag = Tag.objects.get(name="Ferries")
    tag.name = "Ferry services"
    tag.save()
    assert "Ferry services" in text_of(client.get(urls["story"]))


def test_the_commit_of_a_change_retires_pages_again(
    client, story, django_capture_on_commit_callbacks
):
    url = story.get_absolute_url()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        story.headline = "Harbour reopens tonight"
        story.save()
    # A reader who cached the page between the save and its commit...
    warm(client, url)
    for callback in callbacks:
        callback()
    # ...is followed by one who gets the committed page.
    assert client.get(url)["X-Page-Cache"] == "miss"


# Failure


def test_with_redis_down_pages_are_still_served(client, settings, story):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.2,
                "SOCKET_TIMEOUT": 0.2,
            },
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
    for url in page_urls(story).values():
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert response["X-Page-Cache"] == "unavailable"
            assert not response.cookies
    story.headline = "Saved while Redis is down"
    story.save()
    assert "Saved while Redis is down" in text_of(client.get(story.get_absolute_url()))


def test_an_evicted_version_never_revives_old_pages(client, story):
    url = story.get_absolute_url()
    warm(client, url)
    cache.delete(versions.VERSION_KEY)
    story.headline = "Harbour reopens at dawn"
    Article.objects.filter(pk=story.pk).update(headline=story.headline)
    assert "Harbour reopens at dawn" in text_of(client.get(url))


# Revalidation and conditional requests


def test_a_revalidation_after_a_version_bump_gets_a_public_304_and_stores_the_page(
    client, story
):
    url = story.get_absolute_url()
    first = client.get(url)
    versions._bump()  # e.g. another story was saved: this page is unchanged
    revalidated = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert revalidated.status_code == 304
    assert revalidated["X-Page-Cache"] == "miss"
    assert revalidated["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert revalidated["ETag"] == first["ETag"]
    assert revalidated["Last-Modified"] == first["Last-Modified"]
    # The page was stored: the next reader gets a hit, and a hit's 304 is the
    # same answer.
    assert client.get(url)["X-Page-Cache"] == "hit"
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert dict(again.headers) == dict(revalidated.headers) | {
        "X-Page-Cache": "hit",
        "X-Request-ID": again["X-Request-ID"],
    }


def test_a_304_says_how_long_the_page_is_whether_hit_or_miss(client, story):
    url = story.get_absolute_url()
    full = client.get(url)
    versions._bump()
    for expected in ("miss", "hit"):
        response = client.get(url, headers={"If-None-Match": full["ETag"]})
        assert (response.status_code, response["X-Page-Cache"]) == (304, expected)
        assert response["Content-Length"] == str(len(full.content))


@pytest.mark.parametrize("state", ["hit", "miss"])
def test_a_weak_etag_revalidates(client, story, state):
    """nginx's gzip weakens ETags: W/"..." still names the same page."""
    url = story.get_absolute_url()
    etag = client.get(url)["ETag"]
    if state == "miss":
        versions._bump()
    response = client.get(url, headers={"If-None-Match": f"W/{etag}"})
    assert response.status_code == 304
    assert response["X-Page-Cache"] == state
    assert response["ETag"] == etag


def test_if_none_match_star_gets_a_304(client, story):
    url = story.get_absolute_url()
    client.get(url)
    response = client.get(url, headers={"If-None-Match": "*"})
    assert response.status_code == 304
    assert response["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("state", ["hit", "miss"])
def test_if_modified_since_with_the_last_modified_gets_a_304(client, story, state):
    url = story.get_absolute_url()
    first = client.get(url)
    if state == "miss":
        versions._bump()
    response = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert response.status_code == 304
    assert response["X-Page-Cache"] == state
    assert response["Last-Modified"] == first["Last-Modified"]


def test_if_modified_since_an_earlier_time_gets_the_page(client, story):
    from django.utils.http import http_date, parse_http_date

    url = story.get_absolute_url()
    first = client.get(url)
    earlier = http_date(parse_http_date(first["Last-Modified"]) - 1)
    response = client.get(url, headers={"If-Modified-Since": earlier})
    assert response.status_code == 200
    assert response.content == first.content


def test_if_none_match_decides_before_if_modified_since(client, story):
    url = story.get_absolute_url()
    first = client.get(url)
    response = client.get(
        url,
        headers={
            "If-None-Match": '"another-page"',
            "If-Modified-Since": first["Last-Modified"],
        },
    )
    assert response.status_code == 200


def test_an_edit_in_the_same_second_is_never_taken_for_the_page_before(
    client, story, monkeypatch
):
    """Dates have whole seconds: a page stored between a save and its commit and
    the committed page may share one, and If-Modified-Since must not take the
    one for the other."""
    now = versions.time.time()
    monkeypatch.setattr(versions.time, "time", lambda: now)
    url = story.get_absolute_url()
    before = warm(client, url)
    story.headline = "Harbour reopens after repairs"
    story.save()
    response = client.get(url, headers={"If-Modified-Since": before["Last-Modified"]})
    assert response.status_code == 200
    assert "Harbour reopens after repairs" in text_of(response)
    assert "Last-Modified" not in response
    assert response["ETag"] != before["ETag"]


def test_an_unchanged_page_keeps_its_last_modified_across_versions(
    client, story, monkeypatch
):
    now = versions.time.time()
    monkeypatch.setattr(versions.time, "time", lambda: now)
    url = story.get_absolute_url()
    first = warm(client, url)
    monkeypatch.setattr(versions.time, "time", lambda: now + 10)
    versions._bump()
    response = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert (response.status_code, response["X-Page-Cache"]) == (304, "miss")
    story.headline = "Harbour reopens after repairs"
    story.save()
    changed = client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert changed.status_code == 200
    assert changed["Last-Modified"] != first["Last-Modified"]


# Addresses visitors can vary: only one cached page per page


@pytest.fixture
def through_cache(monkeypatch):
    """A view served as the middleware serves a reader page, at any address."""

    def wrap(view, query_params=("page",)):
        page = reader_page(view, query_params=query_params)
        mw = middleware.PageCacheMiddleware(
            lambda request: mw.process_view(request, page, (), {}) or page(request)
        )
        monkeypatch.setattr(middleware, "reader_page_params", lambda r: query_params)
        return mw

    return wrap


@pytest.fixture
def stored(monkeypatch):
    """The keys the page cache stores pages under, in order."""
    keys = []
    real_store = store.store

    def recording_store(key, entry):
        keys.append(key)
        real_store(key, entry)

    monkeypatch.setattr(store, "store", recording_store)
    return keys


@pytest.mark.parametrize("order", ["all", "oldest", "NEWEST", "newest ", "x" * 300])
def test_comment_orders_other_than_newest_share_the_story_page(
    client, story, stored, order
):
    url = story.get_absolute_url()
    default = warm(client, url)
    response = client.get(url, {"comments": order})
    assert response["X-Page-Cache"] == "hit"
    assert response.content == default.content
    newest = client.get(url, {"comments": "newest"})
    assert newest["X-Page-Cache"] == "miss"
    assert client.get(url, {"comments": "newest"})["X-Page-Cache"] == "hit"
    assert len(stored) == len(set(stored)) == 2


@pytest.mark.parametrize("page", ["01", "001", "+1", " 1", "1 ", "", "１", "1234567"])
def test_page_numbers_are_stored_only_in_their_plain_form(
    rf, stored, page, through_cache
):
    """Django's paginator takes 01, +1, " 1"...; the list views refuse them, but
    the cache does not rely on every view doing so."""
    calls = []

    def view(request):
        calls.append(request.GET.get("page"))
        return store.HttpResponse(b"page one")

    cached_view = through_cache(view)
    for query in ("", "?page=2"):
        cached_view(rf.get("/pages/" + query))
        assert cached_view(rf.get("/pages/" + query))["X-Page-Cache"] == "hit"
    assert len(calls) == len(stored) == 2
    for _ in range(2):
        response = cached_view(rf.get("/pages/", {"page": page}))
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "uncacheable"
        assert "private" in response["Cache-Control"]
    assert len(calls) == 4
    assert len(stored) == 2


@pytest.mark.parametrize(
    "host", ["localhost:8123", "localhost:0", "LOCALHOST", "localhost."]
)
def test_a_host_in_another_form_is_not_stored(client, story, stored, host):
    url = story.get_absolute_url()
    warm(client, url)
    warm(client, url + "?comments=newest")
    for _ in range(2):
        response = client.get(url, headers={"host": host})
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "uncacheable"
    assert len(stored) == 2


@pytest.mark.parametrize("host", ["localhost", "localhost:80", "127.0.0.1", "[::1]"])
def test_a_host_without_a_port_or_with_the_servers_own_is_cached(client, story, host):
    url = story.get_absolute_url()
    assert client.get(url, headers={"host": host})["X-Page-Cache"] == "miss"
    assert client.get(url, headers={"host": host})["X-Page-Cache"] == "hit"


def test_parameter_values_cannot_run_into_one_another(rf):
    params = ("q", "page")
    assert store.page_key(rf.get("/?q=a%26page%3D2"), params) != (
        store.page_key(rf.get("/?q=a&page=2"), params)
    )


def test_a_reader_page_may_read_only_parameters_the_cache_can_bound(rf, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured
    from django.urls import path

    from pagecache import checks

    page = reader_page(lambda request: store.HttpResponse(b"x"), query_params=("q",))
    mw = middleware.PageCacheMiddleware(lambda request: None)
    with pytest.raises(ImproperlyConfigured):
        mw.process_view(rf.get("/"), page, (), {})

    class Resolver:
        url_patterns = [path("bounded/", reader_page(page)), path("q/", page, name="q")]

    monkeypatch.setattr(checks, "get_resolver", lambda: Resolver())
    errors = checks.reader_pages_read_bounded_params(None)
    assert [error.id for error in errors] == ["pagecache.E001"]
    assert "q" in errors[0].msg


def test_addresses_are_remembered_least_recently_used_first(client, story, monkeypatch):
    from django.urls import get_resolver

    middleware._params_at.cache_clear()
    home = reverse("articles:home")
    request = RequestFactory().get(home)
    assert middleware.reader_page_params(request) == ("page",)
    kept = middleware._params_at.cache_info().maxsize
    for i in range(kept - 2):
        middleware.reader_page_params(RequestFactory().get(f"/no-such-page-{i}/"))
    assert middleware.reader_page_params(request) == ("page",)  # used again
    for i in range(3):
        middleware.reader_page_params(RequestFactory().get(f"/no-such-other-{i}/"))

    def must_not_resolve(path):
        raise AssertionError(f"{path} was resolved again")

    monkeypatch.setattr(get_resolver(), "resolve", must_not_resolve)
    assert middleware.reader_page_params(request) == ("page",)
