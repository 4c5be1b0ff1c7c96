from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from corrections.models import Correction, CorrectionRevision
from tests.corrections.conftest import make_correction
from tests.factories import make_article, make_draft, make_user

pytestmark = pytest.mark.django_db


def test_editing_a_note_keeps_what_it_said_before_and_who_changed_it():
    story = make_article()
    note = make_correction(story, text="The mayor is Ann Lee.")
    editor = make_user(staff=True)
    first_time = note.published_at

    note.text = "The mayor is Anne Lee."
    note.kind = Correction.Kind.CLARIFICATION
    note.save(by=editor)

    revision = note.revisions.get()
    assert revision.text == "The mayor is Ann Lee."
    assert revision.kind == Correction.Kind.CORRECTION
    assert revision.published_at == first_time
    assert revision.placement == Correction.Placement.TOP
    assert revision.changed_by == editor
    note.refresh_from_db()
    assert note.text == "The mayor is Anne Lee."


def test_every_edit_leaves_its_own_revision_even_from_the_shell():
    note = make_correction(make_article(), text="One.")
    for text in ("Two.", "Three."):
        note.text = text
        note.save()
    assert list(note.revisions.values_list("text", flat=True)) == ["Two.", "One."]


def test_saving_without_a_change_leaves_no_revision():
    note = make_correction(make_article())
    note.save()
    note.placement = Correction.Placement.TOP  # already top
    note.save()
    assert not CorrectionRevision.objects.exists()


def test_moving_a_note_to_the_bottom_is_an_edit_too():
    note = make_correction(make_article())
    note.placement = Correction.Placement.BOTTOM
    note.save()
    assert note.revisions.get().placement == Correction.Placement.TOP


def test_the_writer_of_a_new_note_is_kept():
    editor = make_user(staff=True)
    note = Correction(story=make_article(), text="A note.")
    note.save(by=editor)
    assert note.created_by == editor
    assert not note.revisions.exists()


def test_a_note_needs_text_and_a_time_not_in_the_future():
    note = Correction(story=make_article(), text="   ")
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "text" in error.value.message_dict

    note = Correction(
        story=make_article(),
        text="Fine.",
        published_at=timezone.now() + timedelta(hours=2),
    )
    with pytest.raises(ValidationError) as error:
        note.full_clean()
    assert "published_at" in error.value.message_dict


def test_readers_see_only_notes_of_live_stories():
    live = make_correction(make_article())
    make_correction(make_draft())
    make_correction(make_article(published_at=timezone.now() + timedelta(days=1)))
    assert list(Correction.objects.public()) == [live]


def test_notes_go_with_their_story():
    story = make_article()
    note = make_correction(story)
    note.text = "Edited."
    note.save()
    story.delete()
    assert not Correction.objects.exists()
    assert not CorrectionRevision.objects.exists()
