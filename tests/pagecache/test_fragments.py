"""Volatile fragments: view counts, card comment counts, Most Viewed and Most
Commented are stitched into cached pages when served, so a count that moves
does not retire the page, and the page needs no JavaScript."""

import gzip
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles import fragments as article_fragments
from comments.models import Comment
from pagecache import fragments, store, versions
from tests.factories import make_article
from viewcounts.models import ArticleViewTotal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TTL = 3600
    settings.PAGE_CACHE_LOCAL_BYTES = 2**20
    settings.PAGE_CACHE_FRAGMENT_SECONDS = 60
    store.local_pages.clear()
    store.assembled_pages.clear()
    yield
    store.local_pages.clear()
    store.assembled_pages.clear()


def expire_fragments():
    """What 60 seconds do to the fragments' copies: they are due again."""
    holes = {
        hole
        for entry in list(store.local_pages._entries.values())
        for hole in entry["fragments"]
    }
    for hole in holes:
        key = fragments._key(hole)
        value = cache.get(key)
        if value is not None:
            cache.set(key, {**value, "fresh": time.time() - 1}, 60)
    store.assembled_pages.clear()


def approve_comment(story, body="Good news for the harbour."):
    return Comment.objects.create(
        article=story,
        name="Reader",
        email="reader@example.com",
        body=body,
        status=Comment.Status.APPROVED,
    )


def test_the_stored_page_holds_placeholders_and_the_reader_gets_the_counts(client):
    story = make_article(headline="Harbour reopens")
    ArticleViewTotal.objects.create(article=story, views=1234)
    response = client.get(story.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert b"1,234 views" in response.content
    assert b"<!--pc:" not in response.content
    entry = cache.get(store.page_key(response.wsgi_request, ("comments",)))
    assert f"<!--pc:view_count:{story.pk}-->".encode() in entry["body"]
    assert b"<!--pc:most_viewed:5-->" in entry["body"]
    assert b"1,234 views" not in entry["body"]


def test_a_new_view_count_shows_within_the_fragment_lifetime_without_a_render(
    client, django_assert_max_num_queries
):
    story = make_article()
    url = story.get_absolute_url()
    ArticleViewTotal.objects.create(article=story, views=7)
    assert b"7 views" in client.get(url).content
    ArticleViewTotal.objects.filter(article=story).update(views=8)
    # Within its lifetime the count is the cached one: no query at all.
    with django_assert_max_num_queries(0):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert b"7 views" in response.content
    expire_fragments()
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"  # the page itself was kept
    assert b"8 views" in response.content


def test_an_approved_comment_updates_card_counts_and_most_commented_not_the_page(
    client,
):
    story = make_article(headline="Harbour reopens")
    other = make_article(headline="Ferry timetable")
    home = reverse("articles:home")
    first = client.get(home)
    assert b"1 comment" not in first.content
    approve_comment(story)
    expire_fragments()
    response = client.get(home)
    # The story page was retired (its thread changed); the front page kept.
    assert response["X-Page-Cache"] == "hit"
    assert b'#comments">1 comment</a>' in response.content
    assert b"Most Commented" in response.content
    assert b"Harbour reopens" in response.content
    assert other.headline.encode() in response.content
    assert client.get(story.get_absolute_url())["X-Page-Cache"] == "miss"


def test_a_hit_compresses_nothing_until_a_fragment_changes(client):
    story = make_article()
    ArticleViewTotal.objects.create(article=story, views=3)
    url = story.get_absolute_url()
    client.get(url, headers={"accept-encoding": "gzip"})
    first = client.get(url, headers={"accept-encoding": "gzip"})
    assert first["X-Page-Cache"] == "hit"
    held = dict(store.assembled_pages._entries)
    assert len(held) == 1
    again = client.get(url, headers={"accept-encoding": "gzip"})
    assert again["ETag"] == first["ETag"]
    assert store.assembled_pages._entries == held  # the same assembled copy
    ArticleViewTotal.objects.filter(article=story).update(views=4)
    expire_fragments()
    changed = client.get(url, headers={"accept-encoding": "gzip"})
    assert changed["ETag"] != first["ETag"]
    assert b"4 views" in gzip.decompress(changed.content)
    # The old ETag no longer gets a 304: the page changed.
    revalidated = client.get(
        url, headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]}
    )
    assert revalidated.status_code == 200
    current = client.get(
        url, headers={"accept-encoding": "gzip", "if-none-match": changed["ETag"]}
    )
    assert current.status_code == 304


def test_an_unchanged_count_keeps_the_etag_after_its_lifetime(client):
    story = make_article()
    url = story.get_absolute_url()
    client.get(url)
    first = client.get(url)
    expire_fragments()
    again = client.get(url)
    assert again["ETag"] == first["ETag"]
    assert again.get("Last-Modified") == first.get("Last-Modified")


def test_pages_not_cached_show_the_counts_in_place(client, settings):
    settings.PAGE_CACHE = False
    story = make_article()
    ArticleViewTotal.objects.create(article=story, views=5)
    response = client.get(story.get_absolute_url())
    assert b"5 views" in response.content
    assert b"<!--pc:" not in response.content


def test_a_page_that_is_not_stored_is_stitched_before_it_leaves(client, settings):
    story = make_article()
    ArticleViewTotal.objects.create(article=story, views=9)
    # A host in another form is rendered for the cache's rules but not stored.
    response = client.get(story.get_absolute_url(), headers={"host": "Testserver"})
    assert response["X-Page-Cache"] == "uncacheable"
    assert b"9 views" in response.content
    assert b"<!--pc:" not in response.content


def test_placeholders_carry_only_registered_names_and_integers():
    assert article_fragments.placeholder("most_viewed", 5) == "<!--pc:most_viewed:5-->"
    assert fragments.holes_in(b"<!--pc:most_viewed:5--><!--pc:unknown:1-->") == (
        b"<!--pc:most_viewed:5-->",
    )
    assert fragments.holes_in(b"<!--pc:most_viewed:x--><!--pc:view_count:-->") == ()
    with pytest.raises(ValueError):
        article_fragments.register("Bad-Name", lambda args: [])


def test_a_reader_comment_cannot_become_a_placeholder(client):
    story = make_article()
    approve_comment(story, body="<!--pc:most_viewed:5-->")
    response = client.get(story.get_absolute_url())
    assert b"&lt;!--pc:most_viewed:5--&gt;" in response.content
    versions.bump()
    again = client.get(story.get_absolute_url())
    assert b"&lt;!--pc:most_viewed:5--&gt;" in again.content
