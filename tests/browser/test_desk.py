"""The desk in Chromium, at a desktop's 1280 px and a phone's 390 px: one-click
moderation from the queue (and the same buttons without JavaScript), lists that
fit, the dashboards per role, and axe-core on the desk's three main screens.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from articles import services
from articles.models import Article
from articles.roles import ensure_roles
from comments.models import Comment
from comments.roles import ensure_moderator_group
from tests.browser.conftest import run_axe, screenshot
from tests.comments.conftest import make_comment
from tests.factories import make_article, make_author, make_section, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
WIDTHS = [1280, 390]


def role_user(role, **fields):
    from django.contrib.auth.models import Group

    user = make_user(staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def desk():
    # A transactional test's flush removes the groups: set them up again.
    ensure_roles()
    ensure_moderator_group()
    section = make_section(name="World", slug="world")
    author = make_author(name="Ann Correspondent", slug="ann")
    now = timezone.now()
    lead = make_article(
        headline="Harbour reopens after the storm with ships lining the quay",
        section=section,
        authors=[author],
        tags=["harbour"],
    )
    for n in range(12):
        make_article(
            headline=f"Ferry timetable changes for the winter season, part {n}",
            section=section,
            authors=[author],
            tags=["harbour", "ferries", f"tag-{n}"],
        )
    reporter = role_user("Reporter", username="reporter")
    draft = make_article(
        headline="Night buses for the port district",
        section=section,
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=reporter,
    )
    in_review = make_article(
        headline="Fishermen say quotas leave the harbour half empty",
        section=section,
        status=Article.Status.REVIEW,
        published_at=None,
        created_by=reporter,
    )
    returned = make_article(
        headline="School meals budget: what the figures show",
        section=section,
        status=Article.Status.REVIEW,
        published_at=None,
        created_by=reporter,
    )
    services.save_story(returned, by=reporter)
    editor = role_user("Editor", username="editor")
    returned.status = Article.Status.DRAFT
    services.save_story(returned, by=editor, summary="Needs a second source.")
    scheduled = make_article(
        headline="Bridge closure begins on Monday",
        section=section,
        published_at=now + timedelta(days=2),
    )
    comments = [
        make_comment(
            lead, name=f"Reader {n}", body=f"Held remark {n}", status="pending"
        )
        for n in range(3)
    ]
    comments[0].held_reason = Comment.Reason.LINKS
    comments[0].save()
    return {
        "lead": lead,
        "reporter": reporter,
        "editor": editor,
        "moderator": role_user("Moderator", username="moderator"),
        "draft": draft,
        "in_review": in_review,
        "returned": returned,
        "scheduled": scheduled,
        "comments": comments,
    }


def log_in(page, user):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def panel(page, panel_id):
    return page.locator(f"section.desk-panel:has(#{panel_id})")


# Moderation in one click ----------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_a_moderator_clears_three_comments_in_three_clicks(page, desk, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, desk["moderator"])
    page.goto("/admin/comments/comment/")
    expect(page.locator(".desk-badge-link .desk-badge")).to_have_text("3")
    # A mark a reload would wipe.
    page.evaluate("window.deskMark = 'still here'")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)

    for n, label in enumerate(["Approve", "Reject", "Spam"]):
        row = rows.nth(n)
        row.get_by_role("button", name=label).click()
        expect(row.locator(".desk-mod-done")).to_be_visible()

    expect(page.locator(".desk-badge-link .desk-badge")).to_have_text("0")
    assert page.evaluate("window.deskMark") == "still here"
    assert Comment.objects.pending().count() == 0
    assert sorted(Comment.objects.values_list("status", flat=True)) == [
        "approved",
        "rejected",
        "spam",
    ]
    screenshot(page, f"desk-queue-cleared-{width}")


def test_keyboard_shortcuts_moderate_the_current_comment(page, desk):
    log_in(page, desk["moderator"])
    page.goto("/admin/comments/comment/")
    page.evaluate("window.deskMark = 'still here'")
    page.keyboard.press("j")
    first = page.locator("#result_list tbody tr").first
    expect(first).to_have_class(re.compile("desk-current"))
    page.keyboard.press("a")
    expect(first.locator(".desk-mod-done")).to_have_text("Approved")
    # The next comment is current: "s" marks it as spam.
    page.keyboard.press("s")
    expect(
        page.locator("#result_list tbody tr").nth(1).locator(".desk-mod-done")
    ).to_have_text("Spam")
    assert page.evaluate("window.deskMark") == "still here"
    assert Comment.objects.pending().count() == 1


def test_without_javascript_each_button_posts_and_returns_to_the_list(
    browser, live_server, desk
):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    try:
        log_in(page, desk["editor"])  # editors moderate too
        page.goto("/admin/comments/comment/?status=pending")
        first = desk["comments"][0]
        page.locator(
            f"button[formaction$='/comments/comment/{first.pk}/moderate/'][value=approved]"
        ).click()
        page.wait_for_load_state()
        assert page.url.endswith("/admin/comments/comment/?status=pending")
        expect(page.locator(".messagelist")).to_contain_text("approved")
        expect(page.locator("#result_list tbody tr")).to_have_count(2)
        first.refresh_from_db()
        assert first.status == Comment.Status.APPROVED
    finally:
        context.close()


# Lists that fit -------------------------------------------------------------------


def overlaps(a, b):
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_the_story_list_at_1280_has_no_overlap_and_a_wide_headline(page, desk):
    log_in(page, desk["editor"])
    page.goto("/admin/articles/article/")
    page.locator("details.desk-filters > summary").click()
    panel_box = page.locator("#changelist-filter").bounding_box()
    assert panel_box["height"] > 0
    headers = page.locator("#result_list thead th")
    for n in range(headers.count()):
        assert not overlaps(panel_box, headers.nth(n).bounding_box())
    # Every column is on the page: the last one ends inside the viewport.
    last = headers.last.bounding_box()
    assert last["x"] + last["width"] <= 1280
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # The headline column is the widest, and a headline takes few lines.
    widths = [headers.nth(n).bounding_box()["width"] for n in range(headers.count())]
    headline = page.locator("#result_list thead th.column-headline").bounding_box()
    assert headline["width"] == max(widths)
    link = page.get_by_role("link", name=desk["lead"].headline)
    line_height = float(
        link.evaluate("a => parseFloat(getComputedStyle(a).lineHeight)")
    )
    assert link.bounding_box()["height"] <= 3 * line_height + 1
    screenshot(page, "desk-stories-1280")


@pytest.mark.parametrize(
    "path", ["/admin/articles/article/", "/admin/comments/comment/"]
)
def test_a_phone_never_scrolls_the_list_sideways(page, desk, path):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, desk["editor"])
    page.goto(path)
    page.locator("details.desk-filters > summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(
        "document.querySelector('#changelist-form .results').scrollWidth"
        " <= document.querySelector('#changelist-form .results').clientWidth"
    )
    screenshot(page, "desk-list-390" + path.replace("/", "-"))


# Dashboards per role --------------------------------------------------------------


def panel_count(page, panel_id):
    return panel(page, panel_id).locator("h2 .desk-count").inner_text()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_reporter_sees_their_own_stories_by_workflow_state(page, desk, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, desk["reporter"])
    expect(page.locator("#site-name")).not_to_contain_text("Django")
    assert panel_count(page, "my-drafts") == "2"  # a draft, and one sent back
    assert panel_count(page, "returned") == "1"
    assert panel_count(page, "in-review") == "1"
    returned = panel(page, "returned")
    expect(returned).to_contain_text("Needs a second source.")
    expect(panel(page, "in-review")).to_contain_text(desk["in_review"].headline)
    expect(page.locator("#awaiting-review")).to_have_count(0)
    expect(page.locator("#moderation-queue")).to_have_count(0)
    expect(page.locator(".desk-badge-link")).to_have_count(0)
    screenshot(page, f"desk-dashboard-reporter-{width}")

    # One click from the list: the count opens the filtered story list.
    returned.locator("h2 a").click()
    page.wait_for_url(re.compile(r"\?state=returned$"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(desk["returned"].headline)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_editor_sees_review_schedule_and_the_comment_queue(page, desk, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, desk["editor"])
    assert panel_count(page, "awaiting-review") == "1"
    expect(panel(page, "awaiting-review")).to_contain_text(desk["in_review"].headline)
    calendar = page.locator("#schedule")
    expect(calendar.locator(".desk-day")).to_have_count(8)
    expect(calendar).to_contain_text(desk["scheduled"].headline)
    assert panel_count(page, "moderation-queue") == "3"
    expect(page.locator("#moderation-queue .desk-reasons")).to_contain_text(
        "Too many links"
    )
    expect(page.locator(".desk-badge-link .desk-badge")).to_have_text("3")
    expect(page.locator("#my-drafts")).to_have_count(0)
    screenshot(page, f"desk-dashboard-editor-{width}")

    panel(page, "moderation-queue").locator("h2 a").click()
    page.wait_for_url(re.compile(r"/admin/comments/comment/\?status=pending$"))
    expect(page.locator("#result_list tbody tr")).to_have_count(3)


def test_a_moderator_sees_the_queue_by_reason(page, desk):
    log_in(page, desk["moderator"])
    assert panel_count(page, "moderation-queue") == "3"
    reasons = page.locator("#moderation-queue .desk-reasons a")
    expect(reasons).to_have_count(2)
    links = page.locator("#moderation-queue .desk-reasons a", has_text="Too many links")
    expect(links.locator(".desk-count")).to_have_text("1")
    expect(page.locator("#awaiting-review")).to_have_count(0)
    links.click()
    page.wait_for_url(re.compile(r"held_reason__exact=links"))
    expect(page.locator("#result_list tbody tr")).to_have_count(1)


def test_internal_apps_are_for_superusers_only(page, desk):
    log_in(page, desk["editor"])
    nav = page.locator("#content-main .desk-apps")
    expect(nav).not_to_contain_text("Login attempts")
    expect(nav).not_to_contain_text("Taggit", ignore_case=True)
    expect(nav).to_contain_text("People")
    admin = make_user(superuser=True, username="chief")
    page.context.clear_cookies()
    log_in(page, admin)
    expect(page.locator("#content-main .desk-apps")).to_contain_text("Internal")
    expect(page.locator("#content-main .desk-apps")).to_contain_text("Login attempts")


# Accessibility --------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/articles/article/", "/admin/comments/comment/"]
)
def test_axe_finds_no_serious_violation_on_the_desk(page, desk, path, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, desk["editor"])
    page.goto(path)
    assert run_axe(page) == []
