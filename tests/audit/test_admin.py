from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from audit import log
from audit.models import AppendOnlyError, AuditEntry
from tests.articles.workflow_helpers import make_role_user
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action
CHANGELIST = reverse("admin:audit_auditentry_changelist")


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def published(story, **kwargs):
    return log.record(Action.PUBLISHED, story, **kwargs)


def test_a_stored_entry_cannot_be_changed_or_deleted():
    entry = published(make_article())
    entry.object_repr = "Something else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "Something else"


def test_nobody_adds_changes_or_deletes_in_the_admin_not_even_a_superuser():
    entry = published(make_article())
    client = logged_in(make_user(staff=True, superuser=True))
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_add")).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    # The change page is read-only: a POST changes nothing.
    page = client.get(change)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(change, {"object_repr": "x"}).status_code == 403
    # No bulk delete, no action at all.
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200
    assert (
        "action_form" not in listing.context or listing.context["action_form"] is None
    )
    assert b"delete_selected" not in listing.content
    response = client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert response.status_code in {200, 302}


def test_an_editor_reads_the_log_and_a_reporter_does_not():
    story = make_article(headline="Tide tables")
    entry = published(story)
    editor = logged_in(make_role_user("Editor"))
    page = editor.get(CHANGELIST)
    assert page.status_code == 200
    assert b"Tide tables" in page.content
    assert (
        editor.get(
            reverse("admin:audit_auditentry_change", args=[entry.pk])
        ).status_code
        == 200
    )
    reporter = logged_in(make_role_user("Reporter"))
    assert reporter.get(CHANGELIST).status_code == 403
    assert reporter.get(
        reverse("admin:audit_auditentry_change", args=[entry.pk])
    ).status_code in {302, 403}


def test_an_entry_page_shows_its_details_escaped():
    entry = log.record(
        Action.GROUPS_CHANGED,
        make_user(),
        details={"added": ["Editor", "<b>Night</b>"]},
    )
    client = logged_in(make_role_user("Editor"))
    body = client.get(
        reverse("admin:audit_auditentry_change", args=[entry.pk])
    ).content.decode()
    assert "<dt>added</dt><dd>Editor, &lt;b&gt;Night&lt;/b&gt;</dd>" in body


def test_an_entry_links_to_its_object_while_it_exists():
    kept = make_article(headline="Still here")
    gone = make_article(headline="Deleted since")
    published(kept)
    published(gone)
    gone.delete()
    client = logged_in(make_role_user("Editor"))
    body = client.get(CHANGELIST).content.decode()
    url = reverse("admin:articles_article_change", args=[kept.pk])
    assert f'<a href="{url}">Still here</a>' in body
    assert "Deleted since" in body
    assert reverse("admin:articles_article_change", args=[gone.pk]) not in body


def test_the_list_filters_and_searches():
    editor = make_role_user("Editor")
    story = make_article(headline="Ferry strike")
    published(story, by=editor)
    log.record(Action.LOGIN_FAILED, object_repr="mallory")
    client = logged_in(editor)
    story_type = ContentType.objects.get_for_model(Article)
    for params, shown, hidden in [
        ({"action": "published"}, "Ferry strike", "mallory"),
        ({"actor__id__exact": editor.pk}, "Ferry strike", "mallory"),
        ({"content_type__id__exact": story_type.pk}, "Ferry strike", "mallory"),
        ({"q": "mallory"}, "mallory", "Ferry strike"),
        ({"q": "203.0"}, "", "Ferry strike"),
    ]:
        response = client.get(CHANGELIST, params)
        assert response.status_code == 200, params
        body = response.content.decode()
        assert shown in body and hidden not in body, params


def test_the_date_hierarchy_narrows_by_day():
    published(make_article(headline="Old news"))
    entry = log.entry(Action.PUBLISHED, make_article(headline="Last year"))
    entry.when = timezone.now() - timedelta(days=400)
    entry.save()
    client = logged_in(make_role_user("Editor"))
    today = timezone.localdate()
    response = client.get(
        CHANGELIST,
        {"when__year": today.year, "when__month": today.month, "when__day": today.day},
    )
    body = response.content.decode()
    assert "Old news" in body and "Last year" not in body


def test_the_list_takes_the_same_queries_for_5_entries_as_for_60(
    django_assert_num_queries,
):
    editor = make_role_user("Editor")
    client = logged_in(editor)

    def fill(count):
        for _ in range(count):
            published(make_article(), by=editor)
            log.record(Action.LOGIN_FAILED, object_repr="someone")

    fill(5)
    client.get(CHANGELIST)  # warm the session and content types
    with CaptureQueriesContext(connection) as small:
        assert client.get(CHANGELIST).status_code == 200
    fill(55)
    with django_assert_num_queries(len(small)):
        assert client.get(CHANGELIST).status_code == 200
    # Session, user, permissions, counts, the page, one look-up per kind of
    # object linked, the date hierarchy, the filters, the desk's badge.
    assert len(small) <= 14
