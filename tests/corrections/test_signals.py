import pytest

from articles import signals as story_signals
from corrections import signals
from corrections.models import Correction
from tests.corrections.conftest import make_correction
from tests.factories import make_article, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    def listen(signal_name):
        def receiver(sender, **kwargs):
            events.append((signal_name, kwargs))

        return receiver

    receivers = {
        "added": listen("added"),
        "changed": listen("changed"),
        "content": listen("content"),
    }
    signals.correction_added.connect(receivers["added"])
    signals.correction_changed.connect(receivers["changed"])
    story_signals.content_changed.connect(receivers["content"])
    yield events
    signals.correction_added.disconnect(receivers["added"])
    signals.correction_changed.disconnect(receivers["changed"])
    story_signals.content_changed.disconnect(receivers["content"])


def test_adding_editing_and_deleting_a_note_is_announced(heard):
    story = make_article()
    editor = make_user(staff=True)
    heard.clear()

    note = Correction(story=story, text="First.")
    note.save(by=editor)
    assert [name for name, _ in heard] == ["content", "added"]
    assert heard[0][1]["instance"] == story
    assert heard[1][1] == {
        "signal": signals.correction_added,
        "correction": note,
        "by": editor,
    }

    heard.clear()
    note.text = "Second."
    note.save(by=editor)
    assert [name for name, _ in heard] == ["content", "changed"]
    assert heard[1][1]["by"] == editor

    heard.clear()
    note.delete()
    assert [name for name, _ in heard] == ["content", "changed"]
    assert heard[1][1]["deleted"] is True


def test_deleting_a_story_does_not_announce_each_note(heard):
    story = make_article()
    make_correction(story)
    heard.clear()
    story.delete()
    assert "changed" not in [name for name, _ in heard]
