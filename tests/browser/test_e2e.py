"""End to end in Chromium: a reader comments, a moderator approves, an editor
publishes with the rich-text editor, a reporter cannot publish.

The lead image is left out of the editor's story: uploads are not served by the
app without DEBUG (production serves them from a media host), so the browser
could not load it; image handling is tested in tests/articles/test_images*.py.
"""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from articles.models import Article
from articles.roles import ensure_roles
from comments.models import Comment
from comments.roles import ensure_moderator_group
from tests.browser.conftest import screenshot
from tests.factories import make_article, make_author, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery"


@pytest.fixture
def newsroom(settings):
    settings.COMMENTS_MODERATION = "pre"  # every comment waits for a moderator
    settings.COMMENTS_MIN_SECONDS = 0
    # The groups come from data migrations; a transactional test's flush
    # removes them, so set them up again (both functions are idempotent).
    ensure_roles()
    ensure_moderator_group()
    section = make_section(name="World", slug="world")
    author = make_author(name="Ann Correspondent", slug="ann")
    lead = make_article(
        headline="Harbour reopens after the storm",
        dek="Ships return to the old port.",
        section=section,
        authors=[author],
        tags=["harbour", "weather"],
        is_top_story=True,
    )
    make_article(headline="Ferries back on schedule", section=section, tags=["harbour"])
    return {"lead": lead, "section": section, "author": author}


def new_page(browser, live_server, viewport=DESKTOP):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def open_comment_form(page):
    """The story's "Write a comment" link: a page of its own, or the form under
    the story once a script has fetched its token."""
    page.locator("#comments").wait_for()
    link = page.get_by_role("link", name="Write a comment")
    if link.is_visible():
        link.click()
    form = page.locator("form.comment-form:visible")
    form.wait_for()
    return form


def test_a_reader_comments_a_moderator_approves_and_the_reader_sees_it(
    page, browser, live_server, newsroom
):
    lead = newsroom["lead"]
    page.goto("/")
    screenshot(page, "home-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "home-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name=lead.headline).first.click()
    expect(page.locator("h1")).to_have_text(lead.headline)
    screenshot(page, "story-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "story-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("navigation", name="Topics").get_by_role(
        "link", name="harbour"
    ).click()
    expect(page.locator("h1")).to_contain_text("harbour", ignore_case=True)
    page.get_by_role("link", name=lead.headline).first.click()

    form = open_comment_form(page)
    form.get_by_label("Display name").fill("Mina")
    form.get_by_label("Comment").fill("Good to see the harbour open again.")
    form.get_by_role("button", name="Post comment").click()
    # The page was already at the story's address: wait for the redirect
    # after the post (to the new comment's anchor), then for its message.
    page.wait_for_url(re.compile(re.escape(lead.get_absolute_url()) + r"#comment-\d+$"))
    expect(page.locator("#comments")).to_contain_text("held for review")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert "Good to see the harbour" not in page.locator("#comments").inner_text()

    moderator = make_user(staff=True)
    moderator.groups.add(Group.objects.get(name="Moderator"))
    admin = new_page(browser, live_server)
    log_in(admin, moderator)
    admin.goto("/admin/comments/comment/")
    admin.locator(f"input[name='_selected_action'][value='{comment.pk}']").check()
    admin.locator("select[name='action']").select_option("approve")
    admin.get_by_role("button", name="Run").or_(
        admin.get_by_role("button", name="Go")
    ).first.click()
    admin.locator(".messagelist").wait_for()
    admin.context.close()
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED

    page.goto(lead.get_absolute_url())
    thread = page.locator("#comments")
    assert "Good to see the harbour open again." in thread.inner_text()
    assert "Mina" in thread.inner_text()


def _editor_form(page, headline, section):
    page.goto("/admin/articles/article/add/")
    page.locator("#id_headline").fill(headline)
    page.locator("#id_dek").fill("Typed by an editor in a real browser.")
    page.locator("[contenteditable=true].ProseMirror").click()
    page.keyboard.type("The council voted on Tuesday. ")
    page.keyboard.press("Control+b")
    page.keyboard.type("Bold words")
    page.keyboard.press("Control+b")
    page.keyboard.press("Enter")
    page.keyboard.type("A second paragraph.")
    page.locator("#id_section").select_option(str(section.pk))
    page.locator("#id_tags").fill("council")


def _add_byline(page, author):
    page.locator("#bylines-0 .select2-selection").click()
    page.locator(".select2-search__field").fill(author.name.split()[0])
    page.locator(".select2-results__option", has_text=author.name).click()


def test_an_editor_writes_and_publishes_with_the_rich_text_editor(
    page, live_server, newsroom
):
    editor = make_user(staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    log_in(page, editor)
    headline = "Council approves the new sea wall"
    _editor_form(page, headline, newsroom["section"])
    _add_byline(page, newsroom["author"])
    page.locator("input[type=submit][value*='Publish']").first.click()
    page.locator(".messagelist").wait_for()

    story = Article.objects.get(headline=headline)
    assert story.is_published
    assert "<strong>Bold words</strong>" in story.body
    assert [b.author for b in story.bylines.all()] == [newsroom["author"]]

    page.goto("/")
    page.get_by_role("link", name=headline).first.click()
    expect(page.locator("h1")).to_have_text(headline)
    assert page.locator(".story__body strong").inner_text() == "Bold words"
    assert "Ann Correspondent" in page.locator(".story__label").inner_text()


def test_a_reporter_cannot_publish(page, live_server, newsroom):
    reporter = make_user(staff=True)
    reporter.groups.add(Group.objects.get(name="Reporter"))
    log_in(page, reporter)
    headline = "A reporter's first draft"
    _editor_form(page, headline, newsroom["section"])
    buttons = page.locator("input[type=submit]")
    labels = [buttons.nth(i).get_attribute("value") for i in range(buttons.count())]
    assert labels and not any("publish" in label.lower() for label in labels)
    assert page.locator("select#id_status").count() == 0
    buttons.first.click()
    page.locator(".messagelist").wait_for()

    story = Article.objects.get(headline=headline)
    assert not story.is_published
    page.goto("/")
    assert page.get_by_role("link", name=headline).count() == 0
