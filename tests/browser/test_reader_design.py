"""The reader site's design in Chromium: dark mode with AA contrast, the phone
menu and the Most Viewed tabs without JavaScript, the search box in the
header and footer of every reader page, a front page that shows each story
once and stops after about 30, the reading measure and the print style sheet.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import AXE, AXE_TAGS
from tests.factories import make_article, make_author, make_section
from viewcounts import counter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = (
    "<p>The harbour authority said on Tuesday that the old port would reopen to"
    " container ships within a week, after divers finished checking the"
    " breakwater that the storm had damaged, and that ferries to the islands"
    " would run to their summer timetable from the first of the month.</p>"
    "<p>Fishing crews, who had moored in the next bay since the storm, said they"
    " welcomed the news but wanted the authority to publish the divers' report"
    " so that they could judge the state of the inner harbour for themselves.</p>"
)


@pytest.fixture
def site():
    """Three sections, one author, a top story, 45 more stories over three
    days and views for Most Viewed: today, last week and last month."""
    sections = [
        make_section(name=name, slug=name.lower(), order=n)
        for n, name in enumerate(["World", "Economy", "Culture"])
    ]
    author = make_author(name="Ann Correspondent", slug="ann", bio="Ports.")
    now = timezone.now()
    lead = make_article(
        headline="Harbour reopens after the storm",
        dek="Ships return to the old port.",
        body=BODY,
        section=sections[0],
        authors=[author],
        tags=["harbour"],
        is_top_story=True,
    )
    stories = [
        make_article(
            headline=f"Harbour update {n}",
            section=sections[n % 3],
            authors=[author],
            tags=["harbour"],
            published_at=now - timedelta(hours=2 * n + 1),
        )
        for n in range(45)
    ]
    today = timezone.localdate()
    counter.apply_counts(
        {
            (lead.pk, today): 40,
            (stories[1].pk, today - timedelta(days=3)): 90,
            (stories[2].pk, today - timedelta(days=20)): 500,
        }
    )
    return {"lead": lead, "stories": stories, "sections": sections}


@pytest.fixture
def reader(browser, live_server):
    """``reader(width=..., scheme=..., javascript=...)``: a new page; at the
    end, no request went to another host and the CSP refused nothing."""
    contexts, problems = [], []

    def open_page(width=1280, scheme="light", javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 900},
            color_scheme=scheme,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((live_server.url, "data:", "blob:"))
                else problems.append(request.url)
            ),
        )
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert problems == []


def axe(page, rules=None):
    """Every axe violation (any impact), of ``rules`` or of the WCAG A/AA and
    best-practice tags."""
    page.evaluate(AXE.read_text())
    only = {"type": "rule", "values": rules} if rules else {"type": "tag"}
    if not rules:
        only["values"] = AXE_TAGS
    result = page.evaluate(
        "async (only) => await axe.run(document, {runOnly: only})", only
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def story_links(page):
    """The address of every story headline on the page, in order."""
    return page.eval_on_selector_all(
        "main :is(.card__headline, .lead-story__headline) a",
        "links => links.map(a => a.getAttribute('href'))",
    )


def reader_pages(site):
    lead = site["lead"]
    local = timezone.localtime(lead.published_at)
    return {
        "front": "/",
        "front-2": "/?page=2",
        "story": lead.get_absolute_url(),
        "section": "/sections/world/",
        "tag": "/tags/harbour/",
        "tag-index": "/tags/",
        "author": "/authors/ann/",
        "author-index": "/authors/",
        "year": f"/archive/{local.year}/",
        "month": f"/archive/{local.year}/{local.month:02d}/",
        "day": f"/archive/{local.year}/{local.month:02d}/{local.day:02d}/",
        "search": "/search/?q=harbour",
        "not-found": "/no-such-page/",
    }


DESIGNED = ["front", "front-2", "story", "section", "tag", "tag-index"]
DESIGNED += ["author", "author-index", "month", "day"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", DESIGNED)
def test_axe_finds_no_violation_light_or_dark(reader, site, name, scheme):
    page = reader(scheme=scheme)
    page.goto(reader_pages(site)[name])
    assert axe(page) == []


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["front", "story", "tag"])
def test_dark_mode_follows_the_system_with_aa_contrast(reader, site, name, width):
    page = reader(width=width, scheme="dark")
    page.goto(reader_pages(site)[name])
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = map(int, re.findall(r"\d+", background)[:3])
    assert max(red, green, blue) < 60  # a dark page, not the light one
    assert axe(page, rules=["color-contrast"]) == []


def test_phone_menu_opens_without_javascript(reader, site):
    page = reader(width=390, javascript=False)
    page.goto("/")
    economy = page.get_by_role("navigation", name="Sections").get_by_role(
        "link", name="Economy"
    )
    assert not economy.is_visible()
    page.get_by_text("Menu", exact=True).click()
    assert economy.is_visible()
    box = economy.bounding_box()
    assert box["height"] >= 44  # a finger-sized target
    economy.click()
    page.wait_for_url("**/sections/economy/")
    assert page.get_by_role("heading", level=1).inner_text() == "Economy"


def test_desktop_shows_the_sections_in_one_row_without_a_menu_button(reader, site):
    page = reader(width=1280, javascript=False)
    page.goto("/")
    assert not page.get_by_text("Menu", exact=True).is_visible()
    nav = page.get_by_role("navigation", name="Sections")
    tops = {round(link.bounding_box()["y"]) for link in nav.get_by_role("link").all()}
    assert len(tops) == 1


EVERY_TEMPLATE = DESIGNED + ["year", "search", "not-found"]


@pytest.mark.parametrize("name", EVERY_TEMPLATE)
def test_every_reader_page_has_a_labelled_search_box_in_header_and_footer(
    reader, site, name
):
    page = reader(width=390, javascript=False)
    response = page.goto(reader_pages(site)[name])
    assert response.status == (404 if name == "not-found" else 200)
    header = page.locator("header.site-header").get_by_role("search")
    footer = page.locator("footer.site-footer").get_by_role("search")
    for box in (header, footer):
        assert box.get_attribute("method") == "get"
        assert box.get_attribute("action") == "/search/"
        field = box.get_by_label("Search stories")
        assert field.get_attribute("name") == "q"
        assert field.is_visible()


@pytest.mark.parametrize("width", [390, 1280])
def test_header_search_is_reached_and_used_with_the_keyboard(reader, site, width):
    page = reader(width=width)
    page.goto(site["stories"][3].get_absolute_url())
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "header-search-q":
            break
    else:
        pytest.fail("Tab never reached the header's search box")
    page.keyboard.type("breakwater")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=breakwater")
    assert "Harbour reopens after the storm" in page.locator("main").inner_text()


def test_footer_search_submits_the_query(reader, site):
    page = reader(width=1280, javascript=False)
    page.goto("/tags/")
    footer = page.locator("footer.site-footer")
    footer.get_by_label("Search stories").fill("harbour")
    footer.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=harbour")


@pytest.mark.parametrize("width", [390, 1280])
def test_front_page_shows_each_story_once_and_about_thirty(reader, site, width):
    page = reader(width=width)
    page.goto("/")
    first = story_links(page)
    assert len(first) == len(set(first))
    assert 20 <= len(first) <= 30
    assert page.locator("main article").count() <= 30
    assert site["lead"].get_absolute_url() == first[0]

    page.get_by_role("link", name="More stories").click()
    page.wait_for_url("**/?page=2")
    second = story_links(page)
    assert second and len(second) == len(set(second))
    assert not set(first) & set(second)  # "More" goes on where page 1 stops
    assert site["lead"].get_absolute_url() not in second
    page.locator("a[rel=prev]").click()
    page.wait_for_url(re.compile(r"/$"))
    assert story_links(page) == first


def test_most_viewed_tabs_work_without_javascript(reader, site):
    page = reader(width=1280, javascript=False)
    page.goto("/")
    rail = page.locator(".most-viewed")
    today, week, month = (
        rail.locator(f"[data-period='{period}']") for period in ("today", "7d", "30d")
    )
    assert today.is_visible() and not week.is_visible() and not month.is_visible()
    assert today.locator("li a").first.inner_text() == site["lead"].headline

    rail.locator("label", has_text="7 days").click()
    assert week.is_visible() and not today.is_visible()
    assert week.locator("li a").first.inner_text() == site["stories"][1].headline

    # A radio group: the arrow keys move between the periods.
    page.keyboard.press("ArrowRight")
    assert month.is_visible() and not week.is_visible()
    assert month.locator("li a").first.inner_text() == site["stories"][2].headline


def test_a_fresh_site_shows_no_empty_most_viewed(reader, db):
    make_article(headline="The only story")
    page = reader(width=1280, javascript=False)
    page.goto("/")
    assert page.locator(".most-viewed").count() == 0
    assert "No views yet" not in page.content()


def test_story_text_is_set_to_a_reading_measure_of_60_to_75_characters(reader, site):
    page = reader(width=1280)
    page.goto(site["lead"].get_absolute_url())
    # Characters on each full line of the first paragraph of several lines
    # (its last, short line left out), counted one character at a time.
    per_line = page.eval_on_selector_all(
        ".story__body p",
        """paragraphs => {
            for (const p of paragraphs) {
                const rows = new Map();
                const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    for (let i = 0; i < node.length; i++) {
                        const range = document.createRange();
                        range.setStart(node, i);
                        range.setEnd(node, i + 1);
                        const rect = range.getClientRects()[0];
                        if (!rect) continue;
                        const top = Math.round(rect.top);
                        rows.set(top, (rows.get(top) || 0) + 1);
                    }
                }
                const counts = [...rows.values()];
                if (counts.length >= 3) return counts.slice(0, -1);
            }
            return [];
        }""",
    )
    assert per_line, "no paragraph of three lines or more"
    median = sorted(per_line)[len(per_line) // 2]
    assert 60 <= median <= 75, per_line


def test_day_archive_keeps_previous_and_next_day_apart(reader, site):
    middle = timezone.localtime(site["stories"][12].published_at).date()
    page = reader(width=1280)
    page.goto(f"/archive/{middle.year}/{middle.month:02d}/{middle.day:02d}/")
    nav = page.get_by_role("navigation", name="Other days")
    previous, following = nav.locator("a[rel=prev]"), nav.locator("a[rel=next]")
    assert "Previous day" in previous.text_content()
    assert "Next day" in following.text_content()
    left, right = previous.bounding_box(), following.bounding_box()
    assert left["x"] + left["width"] + 100 < right["x"]


def test_print_style_sheet_keeps_the_story_and_drops_the_rest(reader, site):
    page = reader(width=1280)
    page.goto(site["lead"].get_absolute_url())
    page.emulate_media(media="print")
    assert page.locator(".story__body").is_visible()
    for selector in (".rail", ".search-box--header", ".site-footer nav"):
        assert not page.locator(selector).first.is_visible(), selector
    colour = page.evaluate("getComputedStyle(document.body).color")
    assert colour == "rgb(0, 0, 0)"
