"""Two saves of one story: what the conflict screen compares.

``services.save_story(expected_version=...)`` refuses to save a story that
is stored at another version than the one the editor's form was opened at
(``services.StoryChanged``); the change form's own check sees most of these
first, and the UPDATE catches the rest. Either way the editor is shown
theirs (the story as stored now) against mine (what the form sent), both in
the shape of ``revisions.snapshot()`` so that ``revisions.diff()`` compares
them word by word, bylines and tags included.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from articles import revisions
from articles.models import Article, ArticleRevision


@dataclass
class Conflict:
    """The story as stored now against what the editor sent."""

    story: Article  # as stored now: its version is the one to save over
    theirs: dict
    mine: dict
    changes: list[dict]  # revisions.diff(theirs, mine), one per field
    revision: ArticleRevision | None  # the latest: who saved, and when
    opened_version: int  # what the editor's form was opened at (0: unknown)

    @property
    def saved_by(self) -> str:
        user = self.revision.created_by if self.revision else None
        if user is None:
            return ""
        return user.get_full_name() or user.get_username()

    @property
    def saved_at(self):
        return self.revision.created_at if self.revision else self.story.updated_at

    def change(self, key: str) -> dict | None:
        return next((c for c in self.changes if c["key"] == key), None)


def latest_revision(story: Article) -> ArticleRevision | None:
    return (
        ArticleRevision.objects.filter(article=story)
        .select_related("created_by")
        .defer("data")
        .order_by("-created_at", "-pk")
        .first()
    )


def load(pk: int, form, formsets, *, opened_version: int) -> Conflict | None:
    """The conflict between the stored story ``pk`` and the bound change
    ``form`` (and its inline ``formsets``); None if the story is gone.

    The version is read with the row, before the bylines and tags: should
    yet another save land meanwhile, what is shown is newer than the version
    carried on, and saving over it is refused again, never lost.
    """
    story = Article.objects.select_related("section").filter(pk=pk).first()
    if story is None:
        return None
    theirs = revisions.snapshot(story)
    mine = form_snapshot(form, formsets)
    return Conflict(
        story=story,
        theirs=theirs,
        mine=mine,
        changes=revisions.diff(theirs, mine),
        revision=latest_revision(story),
        opened_version=opened_version,
    )


def form_snapshot(form, formsets) -> dict:
    """What a bound change form sent, as ``revisions.snapshot()`` has it.

    The form's instance carries the sent values of its fields (Django puts
    the valid ones on it while validating; the others, and the fields this
    editor may not change, stay as they were stored); the bylines come from
    the inline formset, the tags from the form.
    """
    story = form.instance
    cleaned = getattr(form, "cleaned_data", {})
    tag_names = cleaned.get("tags")
    if tag_names is None:
        tag_names = story.tags.names() if story.pk else []
    bylines = None
    for formset in formsets:
        if formset.model._meta.model_name == "byline":
            bylines = _sent_bylines(formset)
    return revisions.snapshot(story, bylines=bylines or [], tag_names=tag_names)


def _sent_bylines(formset) -> list:
    """The bylines a formset sent (valid rows, not removed), in their order."""
    rows = []
    for index, row in enumerate(formset.forms):
        data = getattr(row, "cleaned_data", None) or {}
        author = data.get("author")
        if author is None or data.get("DELETE"):
            continue
        rows.append(
            (
                data.get("order") or 0,
                index,
                SimpleNamespace(
                    author_id=author.pk,
                    author=author,
                    role=data.get("role") or "",
                    order=data.get("order") or 0,
                ),
            )
        )
    return [byline for _order, _index, byline in sorted(rows, key=lambda r: r[:2])]
