"""The sign-up block under a cached section page and the sign-up page, in
a real Chromium: the script fetches the CSRF token, the post is accepted;
no serious accessibility violation, light and dark; screenshots."""

import pytest
from playwright.sync_api import expect

from newsletters.models import Subscription
from tests.browser.conftest import ROOT, run_axe
from tests.factories import make_article, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = ROOT / "artifacts" / "screenshots" / "newsletters"


def open_page(browser, live_server, width=1280, scheme="light"):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = []
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Refused to" in m.text else None,
    )
    page.on(
        "request",
        lambda r: (
            problems.append(r.url)
            if not r.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    return context, page, problems


def test_a_reader_signs_up_from_the_block_under_a_cached_section(
    browser, live_server, settings
):
    settings.PAGE_CACHE = True
    section = make_section(name="Science")
    make_article(section=section, headline="Comets and their tails")
    context, page, problems = open_page(browser, live_server)
    page.goto(section.get_absolute_url())
    response = page.goto(section.get_absolute_url())  # a cache hit now
    assert response.headers.get("x-page-cache") == "hit"
    form = page.locator("form[data-newsletter-form]")
    expect(form).to_be_visible()
    expect(page.locator("[data-newsletter-fallback]")).to_be_hidden()
    token = form.locator("input[name=csrfmiddlewaretoken]")
    assert token.input_value() == ""
    page.get_by_label("Your e-mail address").fill("comet@example.org")
    expect(token).not_to_have_value("", timeout=10_000)
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/newsletters/check-your-inbox/")
    row = Subscription.objects.get(subscriber__email="comet@example.org")
    assert (row.kind, row.section_id, row.status) == ("section", section.pk, "pending")
    context.close()
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_pages_are_accessible_and_look_right(
    browser, live_server, settings, width, scheme
):
    section = make_section(name="Culture")
    make_article(section=section, headline="A night at the opera")
    context, page, problems = open_page(browser, live_server, width, scheme)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(section.get_absolute_url())
    expect(page.locator("form[data-newsletter-form]")).to_be_visible()
    assert run_axe(page) == []
    page.locator(".newsletter-signup").screenshot(
        path=str(SHOTS / f"block-{width}-{scheme}.png")
    )

    page.goto("/newsletters/")
    assert run_axe(page) == []
    page.screenshot(path=str(SHOTS / f"index-{width}-{scheme}.png"), full_page=True)

    # Errors beside their fields, the text kept, focus reachable by keyboard.
    page.get_by_label("Your e-mail address").fill("not an address")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_email_error")).to_be_visible()
    assert page.get_by_label("Your e-mail address").input_value() == "not an address"
    assert run_axe(page) == []
    page.screenshot(path=str(SHOTS / f"errors-{width}-{scheme}.png"), full_page=True)
    context.close()
    assert problems == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_the_digest_e_mail_renders_in_light_and_dark(browser, width, scheme):
    from newsletters import sending
    from newsletters.models import Issue
    from newsletters.sending import make_issue

    stories = [
        make_article(headline="Rain returns to Seoul", dek="The dry spell ends."),
        make_article(headline="Markets close higher", dek="Chip makers lead."),
    ]
    issue = make_issue(Issue.Kind.DIGEST, stories, subject="Morning briefing")
    _text, html = sending.preview(issue)
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    page.set_content(html)
    background = page.evaluate(
        "getComputedStyle(document.querySelector('.inner')).backgroundColor"
    )
    assert background == (
        "rgb(28, 31, 36)" if scheme == "dark" else "rgb(255, 255, 255)"
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"email-{width}-{scheme}.png"), full_page=True)
    context.close()
