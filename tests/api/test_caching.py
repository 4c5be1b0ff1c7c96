"""ETags, 304s and Cache-Control; the page cache keeps the API's answers and
retires them with the same names and purges as the site's pages."""

import http.server
import threading
import uuid

import pytest

from api.models import ApiKey  # noqa: F401 - the app's models are loaded
from articles import services
from articles.models import Article
from comments.models import Comment
from corrections.models import Correction
from live import services as live_services
from pagecache import purgers
from tests.api.conftest import make_key
from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db

# The port of this file's stand-in for Varnish (the api helper's range).
VARNISH_PORT = 8611


def test_answers_carry_an_etag_and_a_matching_one_gets_a_304(newsroom, client):
    for url in [
        "/api/v1/stories",
        f"/api/v1/stories/{newsroom.story.pk}",
        "/api/v1/tags",
        "/api/v1/search?q=harbour",
        "/api/v1/most-viewed",
        "/api/v1/openapi.json",
    ]:
        first = client.get(url)
        assert first.status_code == 200
        etag = first["ETag"]
        assert etag.startswith('"') and first["Cache-Control"].startswith("public")
        again = client.get(url, headers={"if-none-match": etag})
        assert again.status_code == 304, url
        assert again.content == b""
        assert again["ETag"] == etag
        other = client.get(url, headers={"if-none-match": '"something-else"'})
        assert other.status_code == 200


def test_rankings_may_be_kept_a_minute_other_answers_are_revalidated(newsroom, client):
    assert client.get("/api/v1/stories")["Cache-Control"] == "public, max-age=0"
    ranking = client.get("/api/v1/most-commented")
    assert ranking["Cache-Control"] == "public, max-age=60"


def test_errors_are_never_kept(client, db):
    response = client.get("/api/v1/stories/12345")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"
    assert "ETag" not in response


def test_a_changed_story_changes_the_etag(newsroom, client):
    url = f"/api/v1/stories/{newsroom.story.pk}"
    etag = client.get(url)["ETag"]
    newsroom.story.headline = "Harbour reopens, ferries first"
    services.save_story(newsroom.story)
    response = client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 200
    assert response.json()["headline"] == "Harbour reopens, ferries first"


# With the page cache -----------------------------------------------------------


def warm(client, *urls):
    for url in urls:
        client.get(url)
        response = client.get(url)
        assert response["X-Page-Cache"] == "hit", url


def states(client, *urls):
    return {url: client.get(url)["X-Page-Cache"] for url in urls}


def test_the_page_cache_keeps_answers_and_answers_304s(newsroom, client, page_cache_on):
    url = f"/api/v1/stories/{newsroom.story.pk}"
    assert client.get(url)["X-Page-Cache"] == "miss"
    hit = client.get(url)
    assert hit["X-Page-Cache"] == "hit"
    assert hit.json()["headline"] == "Harbour reopens after the storm"
    names = hit["Surrogate-Key"].split()
    assert f"story:{newsroom.story.pk}" in names
    assert f"comments:{newsroom.story.pk}" in names
    # The translation it lists: an edit of the Korean story retires it too.
    assert f"story:{newsroom.korean.pk}" in names
    not_modified = client.get(url, headers={"if-none-match": hit["ETag"]})
    assert not_modified.status_code == 304
    assert "list:latest" in client.get("/api/v1/stories")["Surrogate-Key"].split()


def test_a_hit_costs_no_query(
    newsroom, client, page_cache_on, django_assert_num_queries
):
    url = "/api/v1/stories"
    warm(client, url)
    with django_assert_num_queries(0):
        assert client.get(url)["X-Page-Cache"] == "hit"


def test_a_page_of_a_list_is_kept_under_its_cursor(client, db, page_cache_on):
    for _ in range(3):
        make_article()
    cursor = client.get("/api/v1/stories?limit=1").json()["next_cursor"]
    url = f"/api/v1/stories?limit=1&cursor={cursor}"
    warm(client, url)
    # A cursor that does not verify is a 400, never kept.
    bad = f"/api/v1/stories?limit=1&cursor={cursor[:-2]}xx"
    for _ in range(2):
        response = client.get(bad)
        assert response.status_code == 400
        assert "X-Page-Cache" not in response or response["X-Page-Cache"] != "hit"


def test_an_edit_saved_through_save_story_shows_at_once(
    newsroom, client, page_cache_on, django_capture_on_commit_callbacks
):
    story_url = f"/api/v1/stories/{newsroom.story.pk}"
    lists = [
        "/api/v1/stories",
        "/api/v1/sections/harbour/stories",
        "/api/v1/tags/storms/stories",
        "/api/v1/authors/sam-lee/stories",
    ]
    other = make_article(headline="Elsewhere")
    other_url = f"/api/v1/stories/{other.pk}"
    warm(client, story_url, *lists, other_url, "/api/v1/sections")
    with django_capture_on_commit_callbacks(execute=True):
        newsroom.story.headline = "Harbour reopens, ferries first"
        services.save_story(newsroom.story)
    assert client.get(story_url).json()["headline"] == "Harbour reopens, ferries first"
    for url in lists:
        headlines = [item["headline"] for item in client.get(url).json()["items"]]
        assert "Harbour reopens, ferries first" in headlines, url
    # What does not show the story stays kept.
    assert states(client, other_url, "/api/v1/sections") == {
        other_url: "hit",
        "/api/v1/sections": "hit",
    }


def test_a_story_published_through_save_story_enters_the_lists(
    newsroom, client, page_cache_on, django_capture_on_commit_callbacks
):
    draft = make_draft(headline="Breaking: the bridge", section=newsroom.section)
    story_url = f"/api/v1/stories/{newsroom.story.pk}"
    warm(client, "/api/v1/stories", "/api/v1/sections/harbour/stories", story_url)
    assert client.get(f"/api/v1/stories/{draft.pk}").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Article.Status.PUBLISHED
        services.save_story(draft)
    for url in ("/api/v1/stories", "/api/v1/sections/harbour/stories"):
        assert client.get(url).json()["items"][0]["id"] == draft.pk, url
    assert client.get(f"/api/v1/stories/{draft.pk}").status_code == 200
    assert states(client, story_url) == {story_url: "hit"}


def test_a_story_taken_down_leaves_every_answer(
    newsroom, client, page_cache_on, django_capture_on_commit_callbacks
):
    story_url = f"/api/v1/stories/{newsroom.story.pk}"
    korean_url = f"/api/v1/stories/{newsroom.korean.pk}"
    warm(client, story_url, korean_url, "/api/v1/stories", "/api/v1/tags/storms")
    with django_capture_on_commit_callbacks(execute=True):
        newsroom.story.status = Article.Status.DRAFT
        services.save_story(newsroom.story)
    assert client.get(story_url).status_code == 404
    assert client.get("/api/v1/tags/storms").status_code == 404
    ids = [item["id"] for item in client.get("/api/v1/stories").json()["items"]]
    assert newsroom.story.pk not in ids
    # Its translation no longer lists it.
    assert client.get(korean_url).json()["translations"] == []


def test_a_translation_published_later_is_listed_at_once(
    client, db, page_cache_on, django_capture_on_commit_callbacks
):
    key = uuid.uuid4()
    original = make_article(translation_key=key, language="ko")
    translation = make_draft(translation_key=key, language="en")
    url = f"/api/v1/stories/{original.pk}"
    warm(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        translation.status = Article.Status.PUBLISHED
        services.save_story(translation)
    assert [t["id"] for t in client.get(url).json()["translations"]] == [translation.pk]


def test_corrections_live_updates_and_comments_retire_the_story(
    newsroom, client, page_cache_on, django_capture_on_commit_callbacks
):
    url = f"/api/v1/stories/{newsroom.story.pk}"

    def changed(change):
        warm(client, url)
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return client.get(url).json()

    data = changed(
        lambda: Correction.objects.create(story=newsroom.story, text="Second note.")
    )
    assert [n["text"] for n in data["corrections"]][-1] == "Second note."
    data = changed(
        lambda: live_services.post_update(newsroom.coverage, "The pier is open.")
    )
    assert data["live"]["updates"][0]["text"] == "The pier is open."
    data = changed(
        lambda: Comment.objects.create(
            article=newsroom.story,
            name="Reader",
            email="reader@example.org",
            body="Good news.",
            status=Comment.Status.APPROVED,
        )
    )
    assert data["comment_count"] == 1


class Varnish(http.server.ThreadingHTTPServer):
    """Stands in for Varnish: records each PURGE's ``xkey-purge`` names."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", VARNISH_PORT), _PurgeHandler)
        self.purged = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()


class _PurgeHandler(http.server.BaseHTTPRequestHandler):
    def do_PURGE(self):  # noqa: N802 - the method's name
        self.server.purged.append(self.headers.get("xkey-purge", "").split())
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def varnish(settings):
    server = Varnish()
    settings.PAGE_CACHE_PURGERS = [f"varnish://127.0.0.1:{VARNISH_PORT}"]
    settings.PAGE_CACHE_PURGE_IN_BACKGROUND = False
    yield server
    server.stop()


def test_a_cdn_is_purged_of_the_answers_by_the_names_they_carry(
    newsroom, client, page_cache_on, varnish, django_capture_on_commit_callbacks
):
    url = f"/api/v1/stories/{newsroom.story.pk}"
    warm(client, url, "/api/v1/stories")
    carried = set(client.get(url)["xkey"].split())
    listed = set(client.get("/api/v1/stories")["xkey"].split())
    with django_capture_on_commit_callbacks(execute=True):
        newsroom.story.headline = "Harbour reopens, ferries first"
        services.save_story(newsroom.story)
    purgers.drain()
    purged = {name for names in varnish.purged for name in names}
    assert f"story:{newsroom.story.pk}" in purged & carried
    assert "list:latest" in purged & listed


def test_answers_for_keys_only_are_private_while_anonymous_access_is_off(
    newsroom, client, settings, page_cache_on
):
    settings.API_ANONYMOUS = False
    key, whole = make_key()
    for _ in range(2):
        response = client.get("/api/v1/stories", headers={"x-api-key": whole})
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, max-age=0, must-revalidate"
    # Kept inside (the page cache sits behind the key check), never outside.
    assert response["X-Page-Cache"] == "hit"
    assert client.get("/api/v1/stories").status_code == 401


def test_a_head_request_through_the_page_cache_keeps_the_whole_answer(
    newsroom, client, page_cache_on
):
    url = f"/api/v1/stories/{newsroom.story.pk}"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert response.json()["id"] == newsroom.story.pk


def test_a_renamed_author_shows_in_the_stories_that_name_them(
    newsroom, client, page_cache_on, django_capture_on_commit_callbacks
):
    story_url = f"/api/v1/stories/{newsroom.story.pk}"
    warm(client, story_url, "/api/v1/stories", "/api/v1/authors")
    with django_capture_on_commit_callbacks(execute=True):
        newsroom.reporter.name = "Min-ji Park-Kim"
        newsroom.reporter.save()
    names = [b["author"]["name"] for b in client.get(story_url).json()["bylines"]]
    assert "Min-ji Park-Kim" in names
    listed = client.get("/api/v1/stories").json()["items"][0]["bylines"]
    assert listed[0]["author"]["name"] == "Min-ji Park-Kim"
    authors = [a["name"] for a in client.get("/api/v1/authors").json()["items"]]
    assert "Min-ji Park-Kim" in authors
