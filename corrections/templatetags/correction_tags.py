"""``{% correction_notes article "top" %}``: a story's notes at the top or the
bottom of the story, as the editor placed each one (one query per page, shared
with the JSON-LD: ``corrections.models.notes_for``)."""

from django import template

from corrections.models import notes_for

register = template.Library()


@register.inclusion_tag("corrections/tags/notes.html")
def correction_notes(article, placement):
    notes = [note for note in notes_for(article) if note.placement == placement]
    return {"notes": notes, "placement": placement}
