"""A comment flow that never loses the reader, in Chromium (issue 15, point 3).

The story pages come from the page cache, as in production: the form under
them fetches its token when the reader starts writing.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from comments import ratelimit
from comments.models import Comment, StoryCommentSettings
from tests.browser.conftest import run_axe, screenshot
from tests.comments.conftest import make_comment
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LONG_BODY = "".join(
    f"<p>Paragraph {n} of a long story, so that its comments are well below "
    "the first screen on a phone and a lost reader would show.</p>"
    for n in range(30)
)


@pytest.fixture
def story(settings):
    settings.PAGE_CACHE = True
    settings.COMMENTS_MODERATION = "post"
    settings.COMMENTS_MIN_SECONDS = 0
    settings.COMMENTS_CLOSE_AFTER_DAYS = 30
    article = make_article(headline="Harbour reopens", body=LONG_BODY)
    first = make_comment(article, name="Kim", body="The first comment.")
    second = make_comment(article, name="Lee", body="The second comment.")
    make_comment(article, name="Moe", body="The third comment.")
    return {"article": article, "first": first, "second": second}


def hold_comments(article):
    StoryCommentSettings.objects.create(article=article, mode="pre")


def new_page(browser, live_server, **options):
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def write(page, form, name, body):
    """Fill the form under the story and wait for its token (polled from
    outside the page: the strict CSP refuses wait_for_function's strings)."""
    if name is not None:
        form.get_by_label("Display name").fill(name)
    form.get_by_label("Comment", exact=True).fill(body)
    expect(form.locator("input[name=csrfmiddlewaretoken]")).not_to_have_value(
        "", timeout=10_000
    )


def test_a_held_comment_lands_on_its_notice_in_view_and_focused_at_390(
    browser, live_server, story
):
    article = story["article"]
    hold_comments(article)
    page = new_page(browser, live_server, viewport=PHONE)
    page.goto(article.get_absolute_url())
    page.goto(article.get_absolute_url())  # a cache hit
    form = page.locator("#comment-form")
    write(page, form, "Ana", "Held until a moderator reads it.")
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    comment = Comment.objects.get(body="Held until a moderator reads it.")
    assert comment.status == Comment.Status.PENDING
    assert page.url.endswith(f"#comment-{comment.pk}")
    notice = page.locator(f"#comment-{comment.pk}")
    expect(notice).to_contain_text("held for review")
    expect(notice).to_contain_text("read by a moderator first")
    expect(notice).to_be_in_viewport()
    expect(notice).to_be_focused()
    assert notice.get_attribute("role") == "status"
    # Where the comment will be: after the thread's last comment.
    assert (
        page.locator("ol.comment-list > li")
        .last.locator(f"#comment-{comment.pk}")
        .count()
    )
    assert "Held until" not in page.locator("ol.comment-list").inner_text()
    assert run_axe(page) == []
    screenshot(page, "comment-flow-held-390")
    page.context.close()


def test_a_published_comment_lands_on_the_comment_itself(browser, live_server, story):
    article = story["article"]
    page = new_page(browser, live_server, viewport=PHONE)
    page.goto(article.get_absolute_url())
    form = page.locator("#comment-form")
    write(page, form, "Ana", "Published at once.")
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    comment_pk = Comment.objects.get(body="Published at once.").pk
    item = page.locator(f"li#comment-{comment_pk}")
    expect(item).to_contain_text("Published at once.")
    expect(item).to_be_in_viewport()
    # The comment is focused, its first words the notice: read out at once.
    expect(item).to_be_focused()
    expect(item.locator("[data-comment-notice]")).to_contain_text("is published")
    page.context.close()


def test_a_reply_opens_under_its_comment_and_posts_in_place(page, story):
    article, second = story["article"], story["second"]
    page.goto(article.get_absolute_url())
    page.goto(article.get_absolute_url())
    # Set in the page: gone if the page were left or loaded again.
    page.evaluate("window.stillHere = 'yes'")
    parent = page.locator(f"li#comment-{second.pk}")
    parent.get_by_role("link", name="Reply").click()
    form = page.locator("#comment-form")
    # The one form, moved to just under the comment it answers.
    slot = page.locator(f"li#comment-{second.pk} + li.comment-reply-slot")
    expect(slot.locator("#comment-form")).to_be_visible()
    expect(form).to_contain_text("Reply to Lee")
    assert form.locator("input[name=parent]").input_value() == str(second.pk)
    assert run_axe(page) == []
    write(page, form, "Ana", "A reply, posted in place.")
    form.get_by_role("button", name="Post reply").click()
    reply = page.locator(f"li#comment-{second.pk} + li.comment")
    expect(reply).to_contain_text("A reply, posted in place.")
    expect(reply.locator("[data-comment-notice]")).to_be_focused()
    stored = Comment.objects.get(body="A reply, posted in place.")
    assert (stored.parent_id, stored.status) == (second.pk, "approved")
    assert reply.get_attribute("id") == f"comment-{stored.pk}"
    assert page.evaluate("window.stillHere") == "yes"
    assert page.url.endswith(article.get_absolute_url())
    expect(page.locator("#comments-heading .comment-count")).to_have_text("4")
    # The form went back to its place, empty, for a new comment.
    expect(page.locator("#comments > #comment-form")).to_be_visible()
    assert form.locator("textarea[name=body]").input_value() == ""
    assert form.locator("input[name=parent]").input_value() == ""


def test_a_held_reply_shows_its_notice_in_place(page, story):
    article, first = story["article"], story["first"]
    hold_comments(article)
    page.goto(article.get_absolute_url())
    page.evaluate("window.stillHere = 'yes'")
    page.locator(f"li#comment-{first.pk}").get_by_role("link", name="Reply").click()
    form = page.locator("#comment-form")
    write(page, form, "Ana", "A reply a moderator will read.")
    form.get_by_role("button", name="Post reply").click()
    stored = Comment.objects.filter(body="A reply a moderator will read.")
    notice = page.locator(f"li#comment-{first.pk} + li [data-comment-notice]")
    expect(notice).to_contain_text("held for review")
    expect(notice).to_be_focused()
    assert notice.get_attribute("id") == f"comment-{stored.get().pk}"
    assert page.evaluate("window.stillHere") == "yes"
    assert "A reply a moderator" not in page.locator("ol.comment-list").inner_text()


def test_a_reply_error_in_place_keeps_the_text_and_cancel_puts_the_form_back(
    page, story
):
    article, first = story["article"], story["first"]
    page.goto(article.get_absolute_url())
    link = page.locator(f"li#comment-{first.pk}").get_by_role("link", name="Reply")
    link.click()
    form = page.locator("#comment-form")
    write(page, form, "...", "Nameless words.")
    form.get_by_role("button", name="Post reply").click()
    error = form.locator("#id_name_error")
    expect(error).to_contain_text("a display name with at least one letter")
    expect(form.get_by_label("Display name")).to_be_focused()
    assert form.get_by_label("Comment", exact=True).input_value() == "Nameless words."
    assert not Comment.objects.filter(body="Nameless words.").exists()
    form.get_by_role("button", name="Cancel reply").click()
    expect(page.locator("li.comment-reply-slot")).to_have_count(0)
    expect(page.locator("#comments > #comment-form")).to_be_visible()
    expect(link).to_be_focused()


def test_without_javascript_the_reply_page_still_works(browser, live_server, story):
    article, first = story["article"], story["first"]
    hold_comments(article)
    page = new_page(browser, live_server, java_script_enabled=False)
    page.goto(article.get_absolute_url())
    expect(page.locator("#comment-form")).to_be_hidden()
    page.locator(f"li#comment-{first.pk}").get_by_role("link", name="Reply").click()
    page.wait_for_url(f"**/comments/write/{article.pk}/?reply={first.pk}")
    expect(page.locator("h1")).to_have_text("Reply to Kim")
    page.get_by_label("Display name").fill("Ana")
    page.get_by_label("Comment", exact=True).fill("Replied without a script.")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    stored = Comment.objects.get(body="Replied without a script.")
    assert stored.parent_id == first.pk
    notice = page.locator(f"li#comment-{first.pk} + li #comment-{stored.pk}")
    expect(notice).to_contain_text("held for review")
    expect(notice).to_be_in_viewport()
    page.context.close()


def test_the_display_name_is_remembered_in_the_browser_without_a_cookie(page, story):
    article = story["article"]
    other = make_article(headline="Another story")
    page.goto(article.get_absolute_url())
    form = page.locator("#comment-form")
    write(page, form, "Ana Remembered", "My first comment here.")
    form.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(r"#comment-\d+$"))
    page.goto(other.get_absolute_url())
    expect(page.get_by_label("Display name")).to_have_value("Ana Remembered")
    page.goto(f"/comments/write/{other.pk}/")
    expect(page.get_by_label("Display name")).to_have_value("Ana Remembered")
    stored = page.evaluate("localStorage.getItem('newsroom.comments.name')")
    assert stored == "Ana Remembered"
    cookies = page.context.cookies()
    assert not [c for c in cookies if "Ana" in c["value"] or "name" in c["name"]]
    assert {c["name"] for c in cookies} <= {"csrftoken", "__Host-csrftoken"}


def test_over_the_limit_is_a_field_error_that_keeps_all_the_text(page, story):
    article = story["article"]
    text = "Words. " * 700 + "The end."  # 4,908 characters
    over = text + " And some more, well past the limit." * 3  # 5,016
    page.goto(article.get_absolute_url())
    body = page.get_by_label("Comment", exact=True)
    assert body.get_attribute("maxlength") is None
    counter = page.locator("#id_body_count")
    live = page.locator("[data-comment-counter-status]")
    assert live.get_attribute("aria-live") == "polite"
    body.fill(text)
    expect(counter).to_have_text("92 characters left of 5,000.")
    body.fill(over)
    assert len(body.input_value()) == len(over)  # nothing cut
    expect(counter).to_have_text("16 characters too many: the limit is 5,000.")
    expect(live).to_have_text("16 characters too many: the limit is 5,000.")
    page.get_by_label("Display name").fill("Ana")
    page.get_by_role("button", name="Post comment").click()
    error = page.locator("#id_body_error")
    expect(error).to_contain_text("Please keep your comment to 5,000 characters")
    expect(body).to_be_focused()
    assert body.get_attribute("aria-invalid") == "true"
    assert "id_body_error" in body.get_attribute("aria-describedby")
    assert body.input_value() == over
    assert not Comment.objects.filter(name="Ana").exists()


def test_over_the_limit_without_javascript_comes_back_with_all_the_text(
    browser, live_server, story
):
    article = story["article"]
    over = "x" * 5100
    page = new_page(browser, live_server, java_script_enabled=False)
    page.goto(f"/comments/write/{article.pk}/")
    page.get_by_label("Display name").fill("Ana")
    page.get_by_label("Comment", exact=True).fill(over)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Post comment").click()
    assert navigation.value.status == 400
    expect(page.locator("#id_body_error")).to_contain_text("it has 5,100")
    assert page.get_by_label("Comment", exact=True).input_value() == over
    page.context.close()


class FrozenClock:
    """The limiter's clock, stopped 300 s into a 600 s window: no window
    starts during the test, and the wait is known."""

    monotonic = staticmethod(time.monotonic)

    def __init__(self):
        self.now = (int(time.time()) // 600) * 600 + 300.0

    def time(self):
        return self.now


def test_readers_behind_one_address_are_counted_apart_and_told_when_to_retry(
    browser, live_server, story, settings, monkeypatch
):
    settings.COMMENTS_RATE_LIMIT = 2
    settings.COMMENTS_RATE_LIMIT_WINDOW = 600
    monkeypatch.setattr(ratelimit, "time", FrozenClock())
    article = story["article"]
    readers = [new_page(browser, live_server) for _ in range(3)]
    for n, page in enumerate(readers):
        for k in range(2):
            page.goto(article.get_absolute_url())
            form = page.locator("#comment-form")
            write(page, form, "Reader", f"Reader {n}, comment {k}.")
            form.get_by_role("button", name="Post comment").click()
            page.wait_for_url(re.compile(r"#comment-\d+$"))
    # Six comments from one address and one name: three browsers, so three
    # posters, each within their limit.
    assert Comment.objects.filter(body__startswith="Reader ").count() == 6
    page = readers[0]
    page.goto(article.get_absolute_url())
    form = page.locator("#comment-form")
    write(page, form, "Reader", "One too many.")
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Post comment").click()
    response = navigation.value
    assert response.status == 429
    assert response.headers["retry-after"] == "301"
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("You have posted 2 comments in the last 10 minutes")
    expect(alert).to_contain_text("Please try again in 6 minutes")
    expect(page.get_by_label("Comment", exact=True)).to_have_value("One too many.")
    for reader in readers:
        reader.context.close()
