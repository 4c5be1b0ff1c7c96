"""The desk: editors add, change and delete notes; reporters only read them;
every edit leaves a revision shown under the note."""

import pytest
from django.urls import reverse
from django.utils import timezone

from corrections import roles
from corrections.models import Correction
from tests.articles.workflow_helpers import make_role_user
from tests.corrections.conftest import make_correction
from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db


def form_data(story, **overrides):
    now = timezone.localtime()
    data = {
        "story": story.pk,
        "kind": Correction.Kind.CORRECTION,
        "text": "The bridge opened in 1998, not 1989.",
        "placement": Correction.Placement.TOP,
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        "revisions-TOTAL_FORMS": "0",
        "revisions-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_only_editors_may_delete_a_note():
    editor, reporter = make_role_user("Editor"), make_role_user("Reporter")
    assert editor.has_perm(roles.DELETE_PERMISSION)
    assert editor.has_perm("corrections.add_correction")
    assert editor.has_perm("corrections.change_correction")
    assert not reporter.has_perm(roles.DELETE_PERMISSION)
    assert not reporter.has_perm("corrections.change_correction")
    assert reporter.has_perm("corrections.view_correction")
    assert not make_role_user("Moderator").has_perm(roles.DELETE_PERMISSION)


def test_an_editor_adds_a_note_and_is_its_writer(client):
    editor = make_role_user("Editor")
    story = make_article()
    client.force_login(editor)
    response = client.post(
        reverse("admin:corrections_correction_add"), form_data(story)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    note = Correction.objects.get()
    assert note.story == story
    assert note.created_by == editor


def test_a_future_time_is_refused_next_to_the_field_and_the_text_kept(client):
    client.force_login(make_role_user("Editor"))
    story = make_article()
    response = client.post(
        reverse("admin:corrections_correction_add"),
        form_data(story, published_at_0="2999-01-01", text="Keep these words."),
    )
    assert response.status_code == 200
    assert "not in the future" in response.content.decode()
    assert "Keep these words." in response.content.decode()
    assert not Correction.objects.exists()


def test_an_edit_in_the_admin_leaves_a_revision_shown_on_the_note(client):
    editor = make_role_user("Editor")
    story = make_article()
    note = make_correction(story, text="The first wording.")
    client.force_login(editor)
    url = reverse("admin:corrections_correction_change", args=[note.pk])
    data = form_data(story, text="The second wording.")
    data.pop("story")  # read-only once written
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    revision = note.revisions.get()
    assert revision.text == "The first wording."
    assert revision.changed_by == editor
    page = client.get(url).content.decode()
    assert "The first wording." in page
    assert "Earlier versions" in page


def test_a_reporter_can_neither_change_nor_delete_a_note(client):
    note = make_correction(make_article(), text="Stays as it is.")
    client.force_login(make_role_user("Reporter"))
    change = reverse("admin:corrections_correction_change", args=[note.pk])
    assert client.get(change).status_code == 200  # read only
    client.post(change, form_data(note.story, text="Quietly gone."))
    delete = reverse("admin:corrections_correction_delete", args=[note.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    note.refresh_from_db()
    assert note.text == "Stays as it is."
    assert not note.revisions.exists()


def test_an_editor_may_delete_a_note(client):
    note = make_correction(make_article())
    client.force_login(make_role_user("Editor"))
    delete = reverse("admin:corrections_correction_delete", args=[note.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Correction.objects.exists()


def test_a_reporter_does_not_see_notes_on_stories_hidden_from_them(client):
    make_correction(make_draft(headline="Someone else's draft"), text="Hidden note.")
    make_correction(make_article(headline="Live story"), text="Public note.")
    client.force_login(make_role_user("Reporter"))
    page = client.get(reverse("admin:corrections_correction_changelist")).content
    assert b"Live story" in page
    assert b"Someone else" not in page
