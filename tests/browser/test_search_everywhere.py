"""Search is reachable from every reader page: a box in the header (on phones
too), the footer, and the 404 page's; submitting it lists the results."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import run_axe
from tests.factories import make_article, make_author, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def site(db):
    """A story to find, and one of each page it appears on."""
    section = make_section(name="Coast", slug="coast")
    author = make_author(name="Ines Keeper", slug="ines-keeper")
    published = timezone.localtime() - timedelta(days=1)
    story = make_article(
        headline="Lighthouse reopens",
        dek="Tours start on Monday.",
        body="<p>The old lighthouse keeper retired last year.</p>",
        section=section,
        authors=[author],
        tags=["Harbours"],
        published_at=published,
    )
    make_article(headline="Fish market prices", section=section)
    day = timezone.localtime(story.published_at)
    return {
        "home": "/",
        "story": story.get_absolute_url(),
        "section": section.get_absolute_url(),
        "tag": reverse("articles:tag", args=["harbours"]),
        "tag index": reverse("articles:tag_index"),
        "author": author.get_absolute_url(),
        "author index": reverse("articles:author_index"),
        "year archive": reverse("articles:archive_year", args=[day.year]),
        "month archive": reverse("articles:archive_month", args=[day.year, day.month]),
        "day archive": reverse(
            "articles:archive_day", args=[day.year, day.month, day.day]
        ),
        "404": "/no-such-page/",
        "search": reverse("articles:search") + "?q=market",
    }


PAGES = [
    "home",
    "story",
    "section",
    "tag",
    "tag index",
    "author",
    "author index",
    "year archive",
    "month archive",
    "day archive",
    "404",
    "search",
]


def result_headlines(page):
    return page.locator(".search-result h2 a").all_inner_texts()


def submit(page, box, query):
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_the_header_search_box_works_on_every_reader_page(
    page, live_server, site, name, viewport
):
    page.set_viewport_size(viewport)
    response = page.goto(site[name])
    assert response.status == (404 if name == "404" else 200)
    box = page.locator("header form[role=search] input[name=q]")
    assert box.count() == 1
    assert box.is_visible()
    # Within the first screen: no scrolling or menu to reach it.
    top = box.bounding_box()
    assert top["y"] + top["height"] <= viewport["height"]
    submit(page, box, "lighthouse")
    assert page.url.startswith(live_server.url + reverse("articles:search"))
    assert result_headlines(page) == ["Lighthouse reopens"]
    # The query stays in the boxes on the results page.
    assert page.locator("main form[role=search] input[name=q]").input_value() == (
        "lighthouse"
    )


@pytest.mark.parametrize("name", ["home", "story", "404", "search"])
def test_the_footer_search_box_works(page, live_server, site, name):
    page.goto(site[name])
    box = page.locator("footer form[role=search] input[name=q]")
    assert box.count() == 1
    box.scroll_into_view_if_needed()
    assert box.is_visible()
    submit(page, box, "keeper")
    assert result_headlines(page) == ["Lighthouse reopens"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_404_page_offers_its_own_search_box(page, live_server, site, viewport):
    page.set_viewport_size(viewport)
    page.goto(site["404"])
    box = page.get_by_role("search", name="Search for the story").get_by_role(
        "searchbox"
    )
    assert box.is_visible()
    assert run_axe(page) == []
    submit(page, box, "harbours")
    assert result_headlines(page) == ["Lighthouse reopens"]


def test_the_results_page_marks_the_words_shows_times_and_passes_axe(
    page, live_server, site
):
    page.goto(site["search"].replace("market", "lighthouse keeper"))
    assert page.locator(".search-count").inner_text() == (
        "1 result for “lighthouse keeper”"
    )
    result = page.locator(".search-result")
    assert result.locator("mark").all_inner_texts() == [
        "Lighthouse",
        "lighthouse",
        "keeper",
    ]
    assert result.locator("time").get_attribute("datetime")
    assert run_axe(page) == []


def test_no_results_help_is_shown_and_passes_axe(page, live_server, site):
    page.goto(reverse("articles:search") + "?q=harbours+zebracorn")
    assert page.locator(".search-empty .empty").inner_text() == (
        "No stories match “harbours zebracorn”."
    )
    page.get_by_role("link", name="Harbours").click()
    assert page.url.endswith(reverse("articles:tag", args=["harbours"]))
    page.go_back()
    assert run_axe(page) == []
