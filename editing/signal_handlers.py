"""What the editing app does when the stories tell it something."""

from editing import autosaves


def story_saved(sender, story, by=None, created=False, bulk=False, **kwargs):
    """A save of the form keeps what was typed: the autosave has done its
    job. A new story's autosave was kept under "not saved yet". A bulk
    action (publish from the list) saved no form: the autosave stays."""
    if by is None or by.pk is None or bulk:
        return
    autosaves.discard(by, story)
    if created:
        autosaves.discard(by, None)
