"""The API's Swagger page (``/api/v1/docs``) in a real Chromium: it draws the
operations from the OpenAPI document with Swagger UI's own copies, asks no
other host, breaks no rule of its CSP, and "Try it out" reads a story."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import run_axe, screenshot
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1280])
def test_the_swagger_page_lists_the_operations_and_tries_one(page, width):
    story = make_article(headline="Harbour reopens after the storm")
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto("/api/v1/docs")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_text("Newsroom API", exact=False).first).to_be_visible()
    stories = page.locator(".opblock-get", has_text="/api/v1/stories").first
    expect(stories).to_be_visible()
    stories.locator(".opblock-summary").click()
    stories.get_by_role("button", name="Execute").click()
    body = stories.locator(".live-responses-table")
    expect(body).to_contain_text(story.headline)
    screenshot(page, f"api-docs-{width}")
    assert run_axe(page) == []
    # axe leaves one-character spans "incomplete" (the story's id, a number
    # in the highlighter's red): their colour is checked here, 5.8:1 on #333.
    number = body.locator('.microlight span[style*="211, 99, 99"]').first
    expect(number).to_be_attached()
    color = number.evaluate("span => getComputedStyle(span).color")
    assert color == "rgb(255, 143, 143)"
