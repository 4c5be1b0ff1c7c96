"""The desk's moderation: the row endpoint, who may use it, the pending
default, the navigation badge and the queue alert."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client
from django.urls import reverse

from comments import alerts
from comments.models import Comment, CommentReport
from tests.articles.workflow_helpers import make_role_user, parse
from tests.comments.conftest import make_comment
from tests.factories import make_article, make_draft, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")
JSON = {"HTTP_ACCEPT": "application/json"}


def moderate_url(pk):
    return reverse("admin:comments_comment_moderate", args=[pk])


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def pending():
    return make_comment(make_article(), status="pending", held_reason="links")


# Who may moderate -----------------------------------------------------------------


def test_an_editor_moderates_through_the_permission_not_a_group(pending):
    editor = make_role_user("Editor")
    assert not editor.groups.filter(name="Moderator").exists()
    client = client_for(editor)
    assert client.get(QUEUE).status_code == 200
    response = client.post(moderate_url(pending.pk), {"status": "approved"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED


def test_an_editor_without_the_permission_may_not_moderate(pending):
    editor = make_role_user("Editor")
    Group.objects.get(name="Editor").permissions.remove(
        Permission.objects.get(codename="moderate_comment")
    )
    response = client_for(editor).post(moderate_url(pending.pk), {"status": "spam"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_a_reporter_cannot_open_the_queue_or_moderate(pending):
    client = client_for(make_role_user("Reporter"))
    assert client.get(QUEUE).status_code == 403
    response = client.post(moderate_url(pending.pk), {"status": "approved"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_staff_who_may_view_comments_but_not_moderate_get_no_row_buttons(pending):
    user = make_user(staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client = client_for(user)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert parse(response).find(".//button[@form='row-moderation']") is None
    assert (
        client.post(moderate_url(pending.pk), {"status": "approved"}).status_code == 403
    )


# The endpoint ---------------------------------------------------------------------


def test_moderation_refuses_get(pending):
    client = client_for(make_role_user("Moderator"))
    assert client.get(moderate_url(pending.pk)).status_code == 405
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_moderation_needs_the_csrf_token(pending):
    client = client_for(make_role_user("Moderator"), enforce_csrf_checks=True)
    response = client.post(moderate_url(pending.pk), {"status": "approved"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_moderation_with_the_token_from_the_list_works(pending):
    client = client_for(make_role_user("Moderator"), enforce_csrf_checks=True)
    form = parse(client.get(QUEUE)).find(".//form[@id='row-moderation']")
    token = form.find(".//input[@name='csrfmiddlewaretoken']").get("value")
    response = client.post(
        moderate_url(pending.pk),
        {"status": "rejected", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == Comment.Status.REJECTED


@pytest.mark.parametrize(
    "object_id", ["999999", "abc", "1.5", "²", "9" * 25, "-1", "%00"]
)
def test_bad_ids_are_a_404(pending, object_id):
    client = client_for(make_role_user("Moderator"))
    url = f"{QUEUE}{object_id}/moderate/"
    assert client.post(url, {"status": "approved"}).status_code == 404


def test_a_comment_on_a_story_the_user_may_not_know_is_a_404():
    hidden = make_comment(make_draft(), status="pending")
    client = client_for(make_role_user("Moderator"))
    assert (
        client.post(moderate_url(hidden.pk), {"status": "approved"}).status_code == 404
    )
    hidden.refresh_from_db()
    assert hidden.status == Comment.Status.PENDING


@pytest.mark.parametrize("status", ["", "pending", "published", "APPROVED", "x" * 500])
def test_an_unknown_status_is_a_400(pending, status):
    client = client_for(make_role_user("Moderator"))
    assert client.post(moderate_url(pending.pk), {"status": status}).status_code == 400
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_without_javascript_the_button_returns_to_the_list_it_came_from(pending):
    client = client_for(make_role_user("Moderator"))
    back = QUEUE + "?status=pending&held_reason__exact=links"
    response = client.post(
        moderate_url(pending.pk), {"status": "approved", "next": back}
    )
    assert response.status_code == 302
    assert response["Location"] == back
    page = client.get(back)
    assert "approved" in page.content.decode()  # the message


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/admin/", "/admin/auth/user/"]
)
def test_the_return_address_stays_on_the_queue(pending, next_url):
    client = client_for(make_role_user("Moderator"))
    response = client.post(
        moderate_url(pending.pk), {"status": "approved", "next": next_url}
    )
    assert response["Location"] == QUEUE


def test_the_script_gets_json_with_the_new_pending_count(pending):
    other = make_comment(pending.article, status="pending")
    client = client_for(make_role_user("Moderator"))
    response = client.post(moderate_url(pending.pk), {"status": "spam"}, **JSON)
    assert response.status_code == 200
    assert response.json() == {
        "id": pending.pk,
        "status": "spam",
        "label": "Spam",
        "pending": 1,
    }
    other.refresh_from_db()
    assert other.status == Comment.Status.PENDING


def test_approving_from_the_row_clears_reports_and_tells_the_page_cache(pending):
    from comments import signals

    CommentReport.objects.create(comment=pending, reporter_hash="a")
    Comment.objects.filter(pk=pending.pk).update(report_count=1)
    heard = []

    def listener(sender, comment=None, **kwargs):
        heard.append(comment)

    signals.comments_changed.connect(listener)
    try:
        client_for(make_role_user("Moderator")).post(
            moderate_url(pending.pk), {"status": "approved"}, **JSON
        )
    finally:
        signals.comments_changed.disconnect(listener)
    pending.refresh_from_db()
    assert (pending.status, pending.report_count) == ("approved", 0)
    assert not CommentReport.objects.exists()
    # One story's comments changed: that comment is named, not a bulk change.
    assert [c.pk for c in heard if c is not None] == [pending.pk]
    assert None not in heard


# The list -------------------------------------------------------------------------


def test_the_queue_opens_on_pending_comments():
    article = make_article()
    held = make_comment(article, status="pending")
    make_comment(article, status="approved")
    make_comment(article, status="spam")
    response = client_for(make_role_user("Moderator")).get(QUEUE)
    assert [c.pk for c in response.context["cl"].result_list] == [held.pk]
    selected = parse(response).find(
        ".//search[@id='changelist-filter']//li[@class='selected']/a"
    )
    assert selected.text.strip() == "Pending"


@pytest.mark.parametrize(
    ("query", "statuses"),
    [
        ("?status=all", {"pending", "approved", "spam"}),
        ("?status=approved", {"approved"}),
        ("?status=spam", {"spam"}),
        ("?status=nonsense", set()),
        ("?status__exact=approved", {"approved"}),  # an old bookmark
    ],
)
def test_the_status_filter_still_reaches_every_comment(query, statuses):
    article = make_article()
    for status in ("pending", "approved", "spam"):
        make_comment(article, status=status)
    response = client_for(make_role_user("Moderator")).get(QUEUE + query)
    assert response.status_code == 200
    assert {c.status for c in response.context["cl"].result_list} == statuses


def test_each_row_offers_the_other_statuses_as_buttons(pending):
    approved = make_comment(pending.article)
    doc = parse(client_for(make_role_user("Moderator")).get(QUEUE + "?status=all"))

    def buttons(comment):
        url = moderate_url(comment.pk)
        return {
            b.get("value")
            for b in doc.iter("button")
            if b.get("formaction") == url and b.get("form") == "row-moderation"
        }

    assert buttons(pending) == {"approved", "rejected", "spam"}
    assert buttons(approved) == {"rejected", "spam"}
    form = doc.find(".//form[@id='row-moderation']")
    assert form.get("method") == "post"
    # Outside the list's own form: forms do not nest.
    assert doc.find(".//form[@id='changelist-form']//form") is None


# The badge ------------------------------------------------------------------------


def badge_text(response):
    link = parse(response).find(".//a[@class='desk-badge-link']")
    return None if link is None else link.find("span").text


def test_the_navigation_shows_the_pending_count_to_moderators():
    article = make_article()
    for _ in range(3):
        make_comment(article, status="pending")
    make_comment(article, status="approved")
    make_comment(make_draft(), status="pending")  # on a story a moderator cannot know
    assert badge_text(client_for(make_role_user("Moderator")).get("/admin/")) == "3"
    assert badge_text(client_for(make_role_user("Editor")).get("/admin/")) == "4"
    assert badge_text(client_for(make_role_user("Reporter")).get("/admin/")) is None


@pytest.mark.parametrize("page", ["/admin/", QUEUE])
def test_the_badge_costs_the_same_queries_however_long_the_queue(
    page, django_assert_num_queries
):
    client = client_for(make_role_user("Moderator"))
    article = make_article()
    make_comment(article, status="pending")
    client.get(page)  # warm: content types, permissions

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(page)
    for _ in range(40):
        make_comment(make_article(), status="pending")
    with django_assert_num_queries(len(few)):
        response = client.get(page)
    assert badge_text(response) == "41"


# The queue alert ------------------------------------------------------------------


@pytest.fixture
def alerting(settings, django_capture_on_commit_callbacks):
    settings.COMMENTS_QUEUE_ALERT_THRESHOLD = 3
    moderator = make_role_user("Moderator")
    moderator.email = "desk@example.org"
    moderator.save()
    make_role_user("Reporter")  # no moderate permission: no mail

    def hold(article, n=1):
        for _ in range(n):
            with django_capture_on_commit_callbacks(execute=True):
                make_comment(article, status="pending")

    return hold


def test_the_alert_goes_out_once_when_the_queue_reaches_the_threshold(alerting):
    from django.core.cache import cache

    cache.delete(alerts.SENT_KEY)
    article = make_article()
    alerting(article, 2)
    assert mail.outbox == []
    alerting(article)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["desk@example.org"]
    assert "3 comments are waiting" in message.subject
    alerting(article, 3)  # still above: no second message
    assert len(mail.outbox) == 1


def test_the_alert_rearms_when_the_queue_falls_below(
    alerting, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.delete(alerts.SENT_KEY)
    article = make_article()
    alerting(article, 3)
    assert len(mail.outbox) == 1
    client = client_for(make_role_user("Moderator"))
    for comment in Comment.objects.pending()[:2]:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(moderate_url(comment.pk), {"status": "approved"})
    assert len(mail.outbox) == 1
    alerting(article, 2)  # 1 + 2 = 3 again: a new crossing
    assert len(mail.outbox) == 2


def test_approved_comments_and_a_zero_threshold_send_nothing(
    settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.delete(alerts.SENT_KEY)
    settings.COMMENTS_QUEUE_ALERT_THRESHOLD = 1
    make_role_user("Moderator")
    article = make_article()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_comment(article, status="approved")
    assert alerts.check_queue not in callbacks
    settings.COMMENTS_QUEUE_ALERT_THRESHOLD = 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_comment(article, status="pending")
    assert alerts.check_queue not in callbacks
    assert mail.outbox == []
