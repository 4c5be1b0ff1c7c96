import pytest
from django.urls import reverse

from audit.models import AuditEntry
from corrections.models import Correction
from tests.audit.conftest import CLIENT_ADDRESS, entries
from tests.factories import make_article

Action = AuditEntry.Action
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_correction_added_in_the_admin_is_recorded_with_its_editor(
    editor, editor_client
):
    story = make_article()
    response = editor_client.post(
        reverse("admin:corrections_correction_add"),
        {
            "story": story.pk,
            "kind": Correction.Kind.CORRECTION,
            "text": "An earlier version gave the wrong date of the talks.",
            "published_at_0": "2026-12-01",
            "published_at_1": "09:00:00",
            "placement": "bottom",
            # The read-only inline of past versions: none yet.
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    [entry] = entries(Action.CORRECTION_ADDED)
    correction = Correction.objects.get()
    assert entry.actor == editor and entry.address == CLIENT_ADDRESS
    assert entry.object_id == str(correction.pk)
    assert entry.details["story"] == story.pk
    assert entry.details["text"].startswith("An earlier version")


def test_editing_and_deleting_a_correction_are_recorded_apart(editor):
    story = make_article()
    correction = Correction(story=story, text="The minister's title was wrong.")
    correction.save(by=editor)
    correction.text = "The minister's title was wrong; it is Unification Minister."
    correction.save(by=editor)
    [changed] = entries(Action.CORRECTION_CHANGED)
    assert changed.actor == editor
    assert changed.details["text"].endswith("Unification Minister.")
    correction.delete()
    [deleted] = entries(Action.CORRECTION_DELETED)
    assert deleted.object_id == str(changed.object_id)
    assert len(entries(Action.CORRECTION_ADDED)) == 1
