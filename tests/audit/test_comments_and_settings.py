import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from comments.models import Comment, ModerationWord, StoryCommentSettings
from tests.audit.conftest import CLIENT_ADDRESS, entries
from tests.comments.conftest import make_comment
from tests.factories import make_article

Action = AuditEntry.Action
# Moderation is announced on commit: inside the request only when it commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def story():
    return make_article()


def test_moderating_one_comment_from_the_queue_is_recorded(
    editor, editor_client, story
):
    comment = make_comment(story, status=Comment.Status.PENDING, name="Ana")
    url = reverse("admin:comments_comment_moderate", args=[comment.pk])
    response = editor_client.post(url, {"status": "approved"})
    assert response.status_code == 302
    [entry] = entries(Action.COMMENT_MODERATED)
    assert entry.actor == editor and entry.address == CLIENT_ADDRESS
    assert entry.object_id == str(comment.pk)
    assert entry.object_repr == str(comment)
    assert entry.details == {"status": "approved"}
    # The same decision again changes nothing and records nothing.
    editor_client.post(url, {"status": "approved"})
    assert len(entries(Action.COMMENT_MODERATED)) == 1


def test_bulk_moderation_records_each_comment_in_constant_queries(
    editor, editor_client, story
):
    def run(count):
        pks = [
            make_comment(story, status=Comment.Status.PENDING).pk for _ in range(count)
        ]
        before = AuditEntry.objects.count()
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.post(
                reverse("admin:comments_comment_changelist"),
                {"action": "reject", "_selected_action": pks},
            )
        assert response.status_code == 302
        new = AuditEntry.objects.filter(
            action=Action.COMMENT_MODERATED, object_id__in=[str(pk) for pk in pks]
        )
        assert sorted(int(e.object_id) for e in new) == sorted(pks)
        assert {(e.actor_id, e.address, e.details["status"]) for e in new} == {
            (editor.pk, CLIENT_ADDRESS, "rejected")
        }
        assert AuditEntry.objects.count() - before == count
        return len(queries)

    run(1)
    assert run(2) == run(9)


def test_word_list_changes_are_recorded_as_settings_changes(editor_client):
    response = editor_client.post(
        reverse("admin:comments_moderationword_add"),
        {"word": "Spam Words", "action": "reject"},
    )
    assert response.status_code == 302
    word = ModerationWord.objects.get()
    editor_client.post(
        reverse("admin:comments_moderationword_delete", args=[word.pk]), {"post": "yes"}
    )
    added, deleted = entries(Action.SETTINGS_CHANGED)
    assert added.details == {
        "change": "added",
        "word": "spam words",
        "action": "reject",
    }
    assert deleted.details["change"] == "deleted"
    assert added.content_type.model_class() is ModerationWord
    assert added.address == deleted.address == CLIENT_ADDRESS


def test_story_comment_settings_changes_are_recorded(editor, story):
    settings = StoryCommentSettings.objects.create(
        article=story, mode=StoryCommentSettings.Mode.PRE
    )
    settings.mode = StoryCommentSettings.Mode.POST
    settings.save()
    added, changed = entries(Action.SETTINGS_CHANGED)
    assert added.details == {
        "change": "added",
        "article_id": str(story.pk),
        "mode": "pre",
    }
    assert changed.details["change"] == "changed" and changed.details["mode"] == "post"
    assert changed.object_repr == str(settings)
