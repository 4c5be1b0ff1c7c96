"""Accessibility in Chromium: axe-core finds no serious or critical violation on
the reader pages, and a keyboard alone reaches the content and the comment form
with a visible focus ring.

``run_axe`` checks WCAG 2.0-2.2 A and AA (colour contrast included) and
best practices.
"""

import pytest

from comments.models import Comment
from tests.browser.conftest import run_axe
from tests.comments.conftest import make_comment
from tests.factories import make_article, make_author, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(settings):
    settings.COMMENTS_MIN_SECONDS = 0
    section = make_section(name="World", slug="world")
    author = make_author(
        name="Ann Correspondent", slug="ann", bio="Covers ports and weather."
    )
    lead = make_article(
        headline="Harbour reopens after the storm",
        dek="Ships return to the old port.",
        body="<h2>What happened</h2><p>The <a href='https://example.org/'>port</a> "
        "reopened.</p><ul><li>One</li></ul><blockquote><p>Quote</p></blockquote>",
        section=section,
        authors=[author],
        tags=["harbour"],
        is_top_story=True,
    )
    for n in range(6):
        make_article(
            headline=f"Harbour update {n}",
            section=section,
            authors=[author],
            tags=["harbour"],
        )
    make_comment(lead, name="Mina", body="Good news, see https://example.org/ too.")
    return {"lead": lead}


PAGES = {
    "home": lambda s: "/",
    "story": lambda s: s["lead"].get_absolute_url(),
    "tag": lambda s: "/tags/harbour/",
    "author": lambda s: "/authors/ann/",
    "search": lambda s: "/search/?q=harbour",
    "comment-form": lambda s: f"/comments/write/{s['lead'].pk}/",
    "section": lambda s: "/sections/world/",
    "tag-index": lambda s: "/tags/",
    "not-found": lambda s: "/no-such-page/",
}


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_or_critical_violations(page, site, name):
    page.goto(PAGES[name](site))
    assert run_axe(page) == []


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_nothing_serious_at_phone_and_desktop_widths(page, site, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site["lead"].get_absolute_url())
    assert run_axe(page) == []


def active(page):
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return {tag: e.tagName.toLowerCase(), id: e.id, name: e.name || '',"
        " cls: e.className, text: (e.innerText || e.value || '').trim()}; }"
    )


def test_the_first_tab_reaches_the_skip_link_and_it_moves_focus_to_main(page, site):
    page.goto(site["lead"].get_absolute_url())
    page.keyboard.press("Tab")
    first = active(page)
    assert first["tag"] == "a" and "skip-link" in first["cls"]
    assert page.locator(".skip-link").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main"
    # The next Tab continues inside the main content, not the header.
    page.keyboard.press("Tab")
    assert page.evaluate(
        "() => document.querySelector('main').contains(document.activeElement)"
    )


def test_focused_links_and_fields_show_a_visible_focus_ring(page, site):
    page.goto(f"/comments/write/{site['lead'].pk}/")
    rings = []
    for _ in range(12):
        page.keyboard.press("Tab")
        rings.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " const s = getComputedStyle(e);"
                " return {tag: e.tagName, focusVisible: e.matches(':focus-visible'),"
                " style: s.outlineStyle, width: parseFloat(s.outlineWidth),"
                " shadow: s.boxShadow}; }"
            )
        )
    # Past the last control focus leaves the page (document.body): not a control.
    rings = [r for r in rings if r["tag"] != "BODY"]
    assert len(rings) >= 8
    assert all(r["focusVisible"] for r in rings), rings
    for ring in rings:
        assert (ring["style"] != "none" and ring["width"] >= 2) or ring[
            "shadow"
        ] != "none", ring


def _tab_to(page, predicate, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if predicate(active(page)):
            return True
    return False


def test_a_keyboard_user_reaches_and_submits_the_comment_form(page, site):
    lead = site["lead"]
    page.goto(lead.get_absolute_url())
    # The form under the story (shown by its script), or the "Write a comment"
    # link to the form's own page: whichever the keyboard meets first.
    assert _tab_to(
        page,
        lambda a: a["name"] == "name" or a["text"] == "Write a comment",
    )
    if active(page)["text"] == "Write a comment":
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/comments/write/{lead.pk}/")
        assert _tab_to(page, lambda a: a["name"] == "name")
    page.keyboard.type("Keyboard Reader")
    assert _tab_to(page, lambda a: a["name"] == "body", limit=5)
    page.keyboard.type("Written and sent without a mouse.")
    assert _tab_to(page, lambda a: a["text"] == "Post comment", limit=5)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{lead.get_absolute_url()}#comment-*")
    comment = Comment.objects.get(name="Keyboard Reader")
    assert comment.body == "Written and sent without a mouse."
    assert "Written and sent without a mouse." in page.locator("#comments").inner_text()
