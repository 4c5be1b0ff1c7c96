"""Compressed pages: brotli and gzip made once when a page is stored, chosen by
the reader's ``Accept-Encoding``, each encoding with its own ETag."""

import gzip

import brotli
import pytest
from django.urls import reverse

from pagecache import compression, store
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TTL = 60
    settings.PAGE_CACHE_LOCAL_BYTES = 0
    store.local_pages.clear()
    yield
    store.local_pages.clear()


@pytest.fixture
def front_page():
    """A front page like the demo's: sections, bylines, tags, enough stories."""
    sections = [make_section(name=name) for name in ("World", "City", "Sport")]
    authors = [make_author(name=f"Reporter {n}") for n in range(6)]
    for n in range(30):
        make_article(
            headline=f"Council votes on harbour plan, part {n}",
            dek="What the decision means for ferries, fishing and the waterfront.",
            section=sections[n % 3],
            authors=[authors[n % 6], authors[(n + 1) % 6]],
            tags=["Harbour", f"Ward {n % 4}"],
        )
    return reverse("articles:home")


def decode(response):
    encoding = response.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.content)
    if encoding == "gzip":
        return gzip.decompress(response.content)
    assert encoding is None
    return response.content


@pytest.mark.parametrize("state", ["miss", "hit"])
def test_the_front_page_in_brotli_is_at_most_a_quarter_of_its_size(
    client, front_page, state
):
    client.get(front_page)
    plain = client.get(front_page)
    assert plain["X-Page-Cache"] == "hit"
    assert "Content-Encoding" not in plain
    store.local_pages.clear()
    if state == "miss":
        store.versions.bump()
    compressed = client.get(front_page, headers={"accept-encoding": "gzip, br"})
    assert compressed["X-Page-Cache"] == state
    assert compressed["Content-Encoding"] == "br"
    assert len(compressed.content) * 4 <= len(plain.content)
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert decode(compressed) == plain.content
    assert compressed["Vary"] == "Accept-Encoding"
    assert plain["Vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("br", "br"),
        ("gzip", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0.1", "gzip"),
        ("BR ; Q=1", "br"),
        ("*", "br"),
        ("*;q=0.5, br;q=0", "gzip"),
        ("x-gzip", "gzip"),
        ("identity", None),
        ("br;q=0, gzip;q=0", None),
        ("br;q=2, gzip;q=abc", None),  # malformed items are ignored
        ("deflate", None),
        ("", None),
        (",,;;=,q=", None),
    ],
)
def test_the_encoding_is_chosen_by_accept_encoding_and_its_q_values(accept, expected):
    assert compression.choose(accept, {"br": b"", "gzip": b""}) == expected


@pytest.mark.parametrize("accept", ["gzip", "identity", "br;q=0.9, gzip;q=1"])
def test_every_encoding_decodes_to_the_same_page(client, front_page, accept):
    response = client.get(front_page, headers={"accept-encoding": accept})
    expected = compression.choose(accept, ("br", "gzip"))
    assert response.get("Content-Encoding") == expected
    assert decode(response) == client.get(front_page).content


def test_each_encoding_has_its_own_etag_and_its_own_304(client, front_page):
    tags = {}
    for accept in ("br", "gzip", "identity"):
        response = client.get(front_page, headers={"accept-encoding": accept})
        tags[accept] = response["ETag"]
    plain = tags["identity"]
    assert tags["br"] == plain[:-1] + '-br"'
    assert tags["gzip"] == plain[:-1] + '-gz"'
    for accept, etag in tags.items():
        for state in ("hit", "miss"):
            if state == "miss":
                store.versions.bump()
            for tag in (etag, "W/" + etag):
                response = client.get(
                    front_page,
                    headers={"accept-encoding": accept, "if-none-match": tag},
                )
                assert response.status_code == 304, (accept, state, tag)
                assert response["ETag"] == etag
                assert response["Vary"] == "Accept-Encoding"
    # The ETag of another encoding is another representation: the page is sent.
    response = client.get(
        front_page, headers={"accept-encoding": "br", "if-none-match": tags["gzip"]}
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"


def test_head_sends_the_length_of_the_encoding_without_a_body(client, front_page):
    full = client.get(front_page, headers={"accept-encoding": "br"})
    head = client.head(front_page, headers={"accept-encoding": "br"})
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Encoding"] == "br"
    assert head["Content-Length"] == str(len(full.content))


def test_tiny_and_binary_bodies_are_sent_as_they_are(settings):
    settings.PAGE_CACHE_COMPRESS_MIN_BYTES = 1024
    assert compression.compress(b"x" * 1023, "text/html; charset=utf-8") == {}
    assert compression.compress(b"x" * 4096, "image/png") == {}
    variants = compression.compress(b"<p>x</p>" * 512, "application/rss+xml")
    assert set(variants) == {"br", "gzip"}


def test_a_small_page_carries_no_vary(client, settings):
    settings.PAGE_CACHE_COMPRESS_MIN_BYTES = 10**7
    make_article()
    url = reverse("articles:home")
    response = client.get(url, headers={"accept-encoding": "br"})
    assert "Content-Encoding" not in response
    assert "Vary" not in response


def test_a_page_varying_on_the_cookie_after_the_view_is_not_stored(
    client, front_page, settings
):
    """The cache's own ``Vary: Accept-Encoding`` is allowed; any other is personal."""
    response = client.get(front_page, headers={"accept-encoding": "br"})
    assert store.is_personal(response) is False
    response["Vary"] = "Accept-Encoding, Cookie"
    assert store.is_personal(response) is True
    response["Vary"] = "*"
    assert store.is_personal(response) is True
