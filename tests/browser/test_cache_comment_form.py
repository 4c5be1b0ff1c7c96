"""The comment form under a cached story page, in a real browser.

The page comes from the page cache without a CSRF token; static/comments/comments.js
fetches one when the reader starts writing, and the post is accepted.
"""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reader_comments_from_the_form_under_a_cached_story(page, settings):
    settings.PAGE_CACHE = True
    settings.COMMENTS_MIN_SECONDS = 0
    article = make_article(headline="A story with a form")
    page.goto(article.get_absolute_url())
    page.goto(article.get_absolute_url())  # the second view is a cache hit
    form = page.locator("#comment-form")
    assert form.is_visible()
    assert not page.locator("[data-comment-link]").is_visible()
    token = form.locator("input[name=csrfmiddlewaretoken]")
    assert token.input_value() == ""
    page.get_by_label("Display name").fill("Ana")
    page.get_by_label("Comment", exact=True).fill("Written under the story.")
    # Polled by Playwright from outside the page: the strict CSP (no eval)
    # refuses wait_for_function's string predicates.
    expect(token).not_to_have_value("", timeout=10_000)
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(f"**{article.get_absolute_url()}#comment-*")
    assert Comment.objects.get().body == "Written under the story."
    assert "Written under the story." in page.locator("#comments").inner_text()
