from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from audit.models import AuditEntry
from tests.audit.conftest import CLIENT_ADDRESS, entries
from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action
# The signals are sent on commit: inside the request only when the request
# really commits (in a TestCase the commit waits for the end of the test).
in_request = pytest.mark.django_db(transaction=True)


def run_action(client, action, stories):
    return client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [story.pk for story in stories]},
    )


@in_request
def test_publishing_from_the_admin_records_who_from_where_and_the_story(
    editor, editor_client
):
    story = make_draft(headline="Harbour reopens")
    response = run_action(editor_client, "publish", [story])
    assert response.status_code == 302
    [entry] = entries(Action.PUBLISHED)
    assert entry.actor == editor
    assert entry.actor_name == editor.username
    assert entry.address == CLIENT_ADDRESS
    assert entry.via == AuditEntry.Via.WEB
    assert entry.object_repr == "Harbour reopens"
    assert entry.content_type.model_class() is Article
    assert entry.object_id == str(story.pk)


def test_a_bulk_publish_records_one_entry_per_story_in_constant_queries(
    editor, django_capture_on_commit_callbacks
):
    def run(count):
        pks = [make_draft().pk for _ in range(count)]
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                services.publish_stories(Article.objects.filter(pk__in=pks), by=editor)
        recorded = entries(Action.PUBLISHED, object_id__in=[str(pk) for pk in pks])
        assert sorted(int(entry.object_id) for entry in recorded) == sorted(pks)
        assert all(entry.actor == editor for entry in recorded)
        assert all(entry.details == {"bulk": True} for entry in recorded)
        return len(queries)

    run(1)  # content types cached
    assert run(2) == run(15)
    assert AuditEntry.objects.filter(action=Action.PUBLISHED).count() == 18


@in_request
def test_scheduling_and_unpublishing_are_recorded_once_each(editor, editor_client):
    when = timezone.now() + timedelta(days=2)
    later = make_draft(published_at=when)
    live = make_article()
    run_action(editor_client, "schedule", [later])
    run_action(editor_client, "unpublish", [live])
    [scheduled] = entries(Action.SCHEDULED)
    assert scheduled.object_id == str(later.pk)
    assert scheduled.details["published_at"] == when.isoformat()
    assert scheduled.address == CLIENT_ADDRESS
    [unpublished] = entries(Action.UNPUBLISHED)
    assert unpublished.object_id == str(live.pk) and unpublished.actor == editor
    assert not entries(Action.PUBLISHED)


def test_a_single_save_that_publishes_outside_a_request_names_the_command(
    editor, django_capture_on_commit_callbacks
):
    story = make_draft()
    story.status = Article.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story, by=editor)
    [entry] = entries(Action.PUBLISHED)
    assert entry.actor == editor
    assert entry.address is None
    assert entry.via == AuditEntry.Via.COMMAND


def test_a_save_by_nobody_outside_a_request_has_no_actor(
    django_capture_on_commit_callbacks,
):
    story = make_draft()
    story.status = Article.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
    [entry] = entries(Action.PUBLISHED)
    assert entry.actor is None and entry.actor_name == ""


def test_deleting_a_story_keeps_its_name_and_id(editor_client):
    story = make_article(headline="Gone soon")
    pk = story.pk
    response = editor_client.post(
        reverse("admin:articles_article_delete", args=[pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    [entry] = entries(Action.DELETED)
    assert (entry.object_id, entry.object_repr) == (str(pk), "Gone soon")
    assert entry.address == CLIENT_ADDRESS


@in_request
def test_restoring_a_revision_is_recorded_with_the_revision(editor, editor_client):
    story = make_draft(headline="First")
    services.save_story(story, by=editor)
    first = story.revisions.get()
    story.headline = "Second"
    services.save_story(story, by=editor)
    url = reverse("admin:articles_article_revision_restore", args=[story.pk, first.pk])
    response = editor_client.post(url)
    assert response.status_code == 302
    [entry] = entries(Action.RESTORED)
    assert entry.actor == editor and entry.address == CLIENT_ADDRESS
    assert entry.details["revision"] == first.pk
    assert entry.details["new_revision"] == story.revisions.latest("pk").pk
    assert entry.object_repr == "First"
