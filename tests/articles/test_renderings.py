"""Rendered cards reused across page-cache misses (``articles.renderings``):
drawn again after each kind of change to what they show, reused otherwise,
and pages byte for byte what they are without reuse."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles import fragments as article_fragments
from articles import markup, renderings
from articles.models import Byline
from comments.models import Comment
from pagecache import store, versions
from tests.articles.test_queries import build_newsroom
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    """Misses as readers cause them: the page cache on, retiring by name."""
    settings.PAGE_CACHE = True
    settings.ARTICLES_RENDERINGS = True
    renderings.clear_local()
    store.local_pages.clear()
    store.assembled_pages.clear()
    yield
    renderings.clear_local()
    store.local_pages.clear()
    store.assembled_pages.clear()


@pytest.fixture
def renders(monkeypatch):
    """How many times each story's card was drawn."""
    counts = Counter()
    draw = markup.story_card_html

    def counting(article, *args, **kwargs):
        counts[article.pk] += 1
        return draw(article, *args, **kwargs)

    monkeypatch.setattr(markup, "story_card_html", counting)
    return counts


def front_page_miss(client):
    """The front page rendered again (a new story would do this), as HTML."""
    versions.bump_names({"list:home"})
    response = client.get(reverse("articles:home"))
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "miss"
    return response.content.decode()


@pytest.fixture
def newsroom():
    section = make_section(name="Harbour")
    reporter = make_author(name="Ana Reporter")
    photographer = make_author(name="Ben Lens")
    story = make_article(
        headline="Ferry returns",
        section=section,
        authors=[reporter],
        lead_image="uploads/2026/01/ferry.webp",
        lead_image_width=1600,
        lead_image_height=900,
    )
    # The front page's lead is the newest story; ``story`` is the first
    # card of its section's block (with its picture, without its section).
    elsewhere = make_section(name="Elsewhere")
    others = [make_article(section=elsewhere) for _ in range(3)]
    return {
        "story": story,
        "others": others,
        "section": section,
        "reporter": reporter,
        "photographer": photographer,
    }


def test_cards_are_reused_on_the_next_miss(client, newsroom, renders):
    story, others = newsroom["story"], newsroom["others"]
    first = front_page_miss(client)
    assert renders[story.pk] == 1
    assert "Ferry returns" in first

    second = front_page_miss(client)

    assert second == first
    assert renders[story.pk] == 1
    assert all(renders[other.pk] <= 1 for other in others)


def _story_edits(newsroom):
    story, section = newsroom["story"], newsroom["section"]
    reporter, photographer = newsroom["reporter"], newsroom["photographer"]

    def headline():
        story.headline = "Ferry returns at last"
        story.save()
        return "Ferry returns at last"

    def author_renamed():
        reporter.name = "Ana Editor"
        reporter.save()
        return "Ana Editor"

    def section_renamed():
        section.name = "Waterfront"
        section.save()
        return "Waterfront"

    def new_rendition():
        story.lead_image = "uploads/2026/02/dock.webp"
        story.save()
        return "uploads/2026/02/dock"

    def byline_added():
        Byline.objects.create(
            article=story, author=photographer, role=Byline.Role.PHOTOS, order=1
        )
        return "Ben Lens"

    def dek():
        story.dek = "After ten years, the crossing is back."
        story.save()
        return "After ten years, the crossing is back."

    return {
        "headline": headline,
        "author renamed": author_renamed,
        "section renamed": section_renamed,
        "new rendition": new_rendition,
        "byline added": byline_added,
        "dek": dek,
    }


@pytest.mark.parametrize(
    "change",
    [
        "headline",
        "dek",
        "author renamed",
        "section renamed",
        "new rendition",
        "byline added",
    ],
)
def test_a_card_is_drawn_again_when_what_it_shows_changes(
    client, newsroom, renders, change
):
    story = newsroom["story"]
    front_page_miss(client)
    front_page_miss(client)
    assert renders[story.pk] == 1

    expected = _story_edits(newsroom)[change]()
    page = front_page_miss(client)

    assert renders[story.pk] == 2
    # The section's name heads its block (the card leaves it out there).
    shown = page if change == "section renamed" else _card_of(page, story.slug)
    assert expected in shown


def test_a_byline_role_change_draws_the_card_again(client, newsroom, renders):
    story = newsroom["story"]
    front_page_miss(client)
    byline = story.bylines.get()
    byline.role = Byline.Role.REPORTING
    byline.save()

    page = front_page_miss(client)

    assert renders[story.pk] == 2
    assert 'data-role="reporting"' in _card_of(page, story.slug)


def test_a_change_to_one_story_leaves_the_other_cards_alone(client, newsroom, renders):
    story, others = newsroom["story"], newsroom["others"]
    front_page_miss(client)
    drawn = Counter(renders)
    story.headline = "Ferry returns at last"
    story.save()

    front_page_miss(client)

    assert renders[story.pk] == drawn[story.pk] + 1
    for other in others:
        assert renders[other.pk] == drawn[other.pk]


def _card_of(page: str, slug: str) -> str:
    """The ``<article class="card...">`` that links to the story ``slug``."""
    for card in re.findall(r'<article class="card.*?</article>', page, re.S):
        if f"/{slug}/" in card:
            return card
    raise AssertionError(f"no card for {slug}")


def _pages(client, data):
    return [
        reverse("articles:home"),
        reverse("articles:home") + "?page=2",
        data["story"].get_absolute_url(),
        data["section"].get_absolute_url(),
        reverse("articles:tag", args=[data["tag"].slug]),
        data["author"].get_absolute_url(),
    ]


def _with_comments(data):
    for story in data["stories"]:
        Comment.objects.create(
            article=story,
            name="Reader",
            email="reader@example.com",
            body="Well said.",
            status=Comment.Status.APPROVED,
        )


@pytest.mark.parametrize("page_cache", [True, False], ids=["cached", "uncached"])
def test_pages_are_the_same_with_reuse_on_and_off(client, settings, page_cache):
    """Cached pages (placeholders for the counts, stitched in) and pages
    rendered in place ("N comments" written into the cards) alike, the second
    time with warm pieces too."""
    settings.ARTICLES_PER_PAGE = 5
    data = build_newsroom(30)
    data["stories"] = list(data["section"].articles.all()[:4])
    _with_comments(data)
    settings.PAGE_CACHE = page_cache

    def bodies():
        out = []
        for url in _pages(client, data):
            versions.bump()
            store.local_pages.clear()
            store.assembled_pages.clear()
            response = client.get(url)
            assert response.status_code == 200
            out.append(response.content)
        return out

    settings.ARTICLES_RENDERINGS = False
    off = bodies()
    settings.ARTICLES_RENDERINGS = True
    cold = bodies()
    warm = bodies()

    assert cold == off
    assert warm == off
    assert any(b"comment</a></p>" in body for body in off)


def test_reuse_needs_no_more_queries(client, settings):
    """A miss with warm pieces costs no more queries than one without reuse."""
    settings.PAGE_CACHE = False
    data = build_newsroom(30)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for url in _pages(client, data):
        settings.ARTICLES_RENDERINGS = False
        off = queries(url)
        settings.ARTICLES_RENDERINGS = True
        cold, warm = queries(url), queries(url)
        assert cold <= off, url
        assert warm <= off, url


def test_nothing_is_kept_when_switched_off(client, newsroom, renders, settings):
    settings.ARTICLES_RENDERINGS = False
    front_page_miss(client)
    front_page_miss(client)

    assert renders[newsroom["story"].pk] == 2
    assert len(renderings.local_pieces) == 0


def test_a_change_that_sends_no_signal_is_seen_too(client, newsroom, renders):
    """Keys are made of the values loaded: nothing has to announce a change
    (here a bulk ``update()`` of a section, which sends no model signal)."""
    story, section = newsroom["story"], newsroom["section"]
    front_page_miss(client)
    type(section).objects.filter(pk=section.pk).update(name="Docks")

    page = front_page_miss(client)

    assert renders[story.pk] == 2
    assert ">Docks</a>" in page


def test_a_piece_that_queries_while_drawn_is_not_kept(newsroom):
    """A story whose bylines were not fetched with it: drawing its card reads
    them, so the key (what was loaded) does not cover them."""
    story = (
        type(newsroom["story"])
        .objects.select_related("section")
        .get(pk=newsroom["story"].pk)
    )
    drawn = []

    def draw():
        drawn.append(1)
        return markup.story_card_html(story)

    assert renderings.piece("card", story, draw) == renderings.piece(
        "card", story, draw
    )
    assert len(drawn) == 2
    assert len(renderings.local_pieces) == 0


def test_a_piece_with_another_volatile_fragment_is_not_kept(newsroom):
    """Only the card's comment count is filled in when a piece is used: a
    piece showing any other fragment (a view count) is drawn each time, and
    never with the count baked in."""
    story = newsroom["story"]

    def draw():
        return f"<p>{article_fragments.emit('view_count', story.pk)}</p>"

    assert renderings.piece("card", story, draw) is None
    assert len(renderings.local_pieces) == 0


def test_a_story_with_its_relations_loaded_is_drawn_once(newsroom):
    story = (
        type(newsroom["story"])
        .objects.select_related("section")
        .prefetch_related("bylines__author")
        .get(pk=newsroom["story"].pk)
    )
    drawn = []

    def draw():
        drawn.append(1)
        return markup.story_card_html(story)

    first = renderings.piece("card", story, draw, (3,))
    assert renderings.piece("card", story, draw, (3,)) == first
    assert len(drawn) == 1
    # Other arguments, another piece.
    renderings.piece("card", story, draw, (2,))
    assert len(drawn) == 2


def test_kept_pieces_are_bounded_in_bytes(settings):
    # Three pieces of 1,000 characters, each counted with its key.
    settings.ARTICLES_RENDERINGS_LOCAL_BYTES = 3 * (1000 + renderings.KEY_BYTES)
    pieces = renderings.LocalPieces()
    for n in range(10):
        pieces.put(("card", n), "x" * 1000)
    pieces.get(("card", 7))
    pieces.put(("card", 10), "x" * 1000)

    assert len(pieces) == 3
    assert pieces.get(("card", 7)) is not None
    assert pieces.get(("card", 8)) is None
    assert pieces.get(("card", 10)) is not None
    pieces.put(("big", 0), "x" * 3 * (1000 + renderings.KEY_BYTES))
    assert pieces.get(("big", 0)) is None


def _related(client, story):
    versions.bump_names({f"comments:{story.pk}"})  # a miss, as a comment causes
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return [related.pk for related in response.context["related"]]


def _fresh_related(story):
    live = type(story).objects.published().for_cards()
    return [related.pk for related in live.related_to(story, 4)]


# Outside a test transaction: inside one the ranking is always read afresh.
@pytest.mark.django_db(transaction=True)
def test_kept_related_stories_follow_every_change_that_moves_them(client):
    """The story page keeps the ranking of its related stories (their ids)
    per version of the story and of its tags' related lists: each change that
    moves them gives what ranking afresh gives."""
    story = make_article(tags=["harbour", "ferry"])
    old = make_article(tags=["harbour"])
    assert _related(client, story) == [old.pk] == _fresh_related(story)

    closer = make_article(tags=["harbour", "ferry"])
    assert _related(client, story) == [closer.pk, old.pk] == _fresh_related(story)

    closer.status = type(closer).Status.DRAFT
    closer.save()
    assert _related(client, story) == [old.pk] == _fresh_related(story)

    old.tags.remove("harbour")
    assert _related(client, story) == [] == _fresh_related(story)

    story.tags.add("weather")
    rainy = make_article(tags=["weather"])
    assert _related(client, story) == [rainy.pk] == _fresh_related(story)


@pytest.mark.django_db(transaction=True)
def test_kept_related_stories_cost_no_more_queries(client):
    story = make_article(tags=["harbour"])
    make_article(tags=["harbour"])

    def queries():
        versions.bump_names({f"comments:{story.pk}"})
        with CaptureQueriesContext(connection) as captured:
            assert client.get(story.get_absolute_url()).status_code == 200
        return [query["sql"] for query in captured]

    cold, warm = queries(), queries()

    assert len(warm) <= len(cold)
    assert not any("COUNT(" in sql and "taggedarticle" in sql for sql in warm)
