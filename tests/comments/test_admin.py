import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from comments.models import Comment, CommentReport
from comments.roles import (
    MODERATOR_GROUP,
    MODERATOR_PERMISSIONS,
    ensure_moderator_group,
)
from tests.comments.conftest import make_comment
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


def make_moderator():
    user = make_user(staff=True)
    user.groups.add(Group.objects.get(name=MODERATOR_GROUP))
    return user


@pytest.fixture
def moderator_client(client):
    client.force_login(make_moderator())
    return client


def test_the_moderator_group_has_exactly_the_comment_permissions():
    group = Group.objects.get(name=MODERATOR_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == set(MODERATOR_PERMISSIONS)
    labels = set(group.permissions.values_list("content_type__app_label", flat=True))
    assert labels == {"comments"}


def test_creating_the_moderator_group_again_changes_nothing():
    group = Group.objects.get(name=MODERATOR_GROUP)
    group.permissions.add(Permission.objects.get(codename="change_article"))
    ensure_moderator_group()
    ensure_moderator_group()
    assert Group.objects.filter(name=MODERATOR_GROUP).count() == 1
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert codenames == set(MODERATOR_PERMISSIONS)


def test_a_moderator_can_moderate_but_not_edit_stories(moderator_client):
    article = make_article()
    comment = make_comment(article, status=Comment.Status.PENDING)
    assert moderator_client.get(QUEUE).status_code == 200
    change = reverse("admin:comments_comment_change", args=[comment.pk])
    assert moderator_client.get(change).status_code == 200
    response = moderator_client.post(
        QUEUE, {"action": "approve", "_selected_action": [comment.pk]}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    article_change = reverse("admin:articles_article_change", args=[article.pk])
    assert moderator_client.get(article_change).status_code == 403
    response = moderator_client.post(article_change, {"headline": "Hijacked"})
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.headline != "Hijacked"


def test_readers_and_anonymous_visitors_cannot_reach_the_queue(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    client.force_login(make_user())  # a reader account, not staff
    assert client.get(QUEUE).status_code == 302
    client.force_login(make_user(staff=True))  # staff without comment rights
    assert client.get(QUEUE).status_code == 403


def test_staff_without_the_moderate_permission_get_no_bulk_actions(client):
    user = make_user(staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(user)
    comment = make_comment(make_article(), status=Comment.Status.PENDING)
    client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_the_queue_lists_pending_then_reported_then_the_rest(moderator_client):
    article = make_article()
    approved = make_comment(article)
    reported = make_comment(article, report_count=1)
    pending_old = make_comment(article, status="pending", held_reason="links")
    rejected = make_comment(article, status="rejected")
    pending_new = make_comment(article, status="pending", held_reason="reported")
    response = moderator_client.get(QUEUE + "?status=all")
    listed = [c.pk for c in response.context["cl"].result_list]
    assert listed == [
        pending_new.pk,
        pending_old.pk,
        reported.pk,
        rejected.pk,
        approved.pk,
    ]
    assert b"Too many links" in response.content  # the reason is shown


@pytest.mark.parametrize(
    ("action", "status"),
    [("approve", "approved"), ("reject", "rejected"), ("mark_spam", "spam")],
)
def test_bulk_actions_set_the_status(moderator_client, action, status):
    article = make_article()
    chosen = [make_comment(article, status="pending") for _ in range(3)]
    other = make_comment(article, status="pending")
    moderator_client.post(
        QUEUE, {"action": action, "_selected_action": [c.pk for c in chosen]}
    )
    assert set(
        Comment.objects.filter(pk__in=[c.pk for c in chosen]).values_list(
            "status", flat=True
        )
    ) == {status}
    other.refresh_from_db()
    assert other.status == "pending"


def test_approving_a_reported_comment_clears_its_reports(moderator_client):
    comment = make_comment(
        make_article(), status="pending", held_reason="reported", report_count=3
    )
    CommentReport.objects.create(comment=comment, reporter_hash="a")
    moderator_client.post(
        QUEUE, {"action": "approve", "_selected_action": [comment.pk]}
    )
    comment.refresh_from_db()
    assert (comment.status, comment.report_count) == ("approved", 0)
    assert not CommentReport.objects.exists()


def test_the_queue_filters_and_searches(moderator_client):
    article, other = make_article(), make_article()
    held = make_comment(article, status="pending", held_reason="links", body="zebra")
    make_comment(other, name="zebra fan", body="hello")
    make_comment(article, body="nothing")

    def listed(query):
        response = moderator_client.get(QUEUE + query)
        assert response.status_code == 200
        return {c.pk for c in response.context["cl"].result_list}

    assert listed("?status=pending") == {held.pk}
    assert listed("?held_reason__exact=links") == {held.pk}
    assert len(listed(f"?status=all&article__id__exact={other.pk}")) == 1
    assert len(listed("?status=all&q=zebra")) == 2


def test_the_queue_query_count_does_not_grow_with_rows(
    moderator_client, django_assert_max_num_queries
):
    article = make_article()
    for _ in range(10):
        make_comment(article, status="pending")
    with django_assert_max_num_queries(20) as few:
        moderator_client.get(QUEUE)
    for _ in range(60):
        make_comment(make_article(), status="pending")
    with django_assert_max_num_queries(len(few)):
        moderator_client.get(QUEUE)
