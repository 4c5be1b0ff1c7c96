"""Story revisions: a snapshot after every save, a readable diff, restore, pruning.

A revision holds the editable fields, the bylines and the tags as JSON, so a
story can be shown and restored as it was even after authors or tags change.
``articles.services`` records them whenever a story is saved, and restores
through ``save_story()`` with the helpers at the end of this module.
"""

import difflib
import re

from django.conf import settings
from django.db.models import (
    Count,
    F,
    JSONField,
    OuterRef,
    Prefetch,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber

from articles.models import Article, ArticleRevision, Author, Byline, Section

DEFAULT_KEEP = 50

# Snapshot key -> label, in the order a diff shows them.
FIELDS = {
    "headline": "Headline",
    "slug": "Slug",
    "dek": "Standfirst",
    "body": "Body",
    "section": "Section",
    "tags": "Tags",
    "bylines": "Bylines",
    "lead_image": "Lead image",
    "lead_image_alt": "Alt text",
    "lead_image_caption": "Caption",
    "lead_image_credit": "Credit",
    "status": "Status",
    "published_at": "Publication time",
    "is_top_story": "Top story",
    "comments_enabled": "Comments enabled",
}

# What a restore brings back. Publication state (status, time, top story) and
# the slug stay as they are: going live or moving a link is an editor's
# separate decision, and the lead image file may no longer exist.
RESTORED_FIELDS = (
    "headline",
    "dek",
    "body",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "comments_enabled",
)

_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|ul|ol|blockquote|pre|table|tr)>|<br>)")


def keep_count() -> int:
    return getattr(settings, "ARTICLE_REVISIONS_KEEP", DEFAULT_KEEP)


def _ordered_bylines():
    return Byline.objects.select_related("author").order_by("order", "pk")


def snapshot(article: Article, *, bylines=None, tag_names=None) -> dict:
    """The story as saved now, bylines and tags read fresh from the database.

    ``record_many()`` passes ``bylines`` and ``tag_names`` it fetched for a
    whole batch at once.
    """
    if bylines is None:
        bylines = _ordered_bylines().filter(article=article)
    if tag_names is None:
        tag_names = article.tags.names()
    return {
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "body": article.body,
        "section": {"id": article.section_id, "name": str(article.section)},
        "lead_image": article.lead_image.name or "",
        "lead_image_alt": article.lead_image_alt,
        "lead_image_caption": article.lead_image_caption,
        "lead_image_credit": article.lead_image_credit,
        "status": article.status,
        "published_at": (
            article.published_at.isoformat() if article.published_at else None
        ),
        "is_top_story": article.is_top_story,
        "comments_enabled": article.comments_enabled,
        "bylines": [[b.author_id, b.author.name, b.role, b.order] for b in bylines],
        "tags": sorted(tag_names, key=str.casefold),
    }


def changed_fields(old: dict | None, new: dict) -> list[str]:
    if old is None:
        return list(FIELDS)
    return [key for key in FIELDS if old.get(key) != new.get(key)]


def summarize(old: dict | None, new: dict) -> str:
    if old is None:
        return "First version."
    labels = [FIELDS[key].lower() for key in changed_fields(old, new)]
    if not labels:
        return "No changes."
    if len(labels) == 1:
        return f"Changed {labels[0]}."
    return f"Changed {', '.join(labels[:-1])} and {labels[-1]}."


def record(article: Article, user=None, summary: str = "") -> ArticleRevision | None:
    """Keep a revision of the story as saved; None when nothing changed."""
    return record_changes(article, user, summary)[0]


def record_changes(
    article: Article, user=None, summary: str = ""
) -> tuple[ArticleRevision | None, list[str]]:
    """``record()``, also saying which fields (keys of ``FIELDS``) changed since
    the latest revision: all of them for a first one, none (and no revision)
    when nothing did. ``articles.services`` passes them on in ``story_saved``.
    """
    data = snapshot(article)
    previous = (
        ArticleRevision.objects.filter(article=article)
        .order_by("-created_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    if previous == data:
        return None, []
    revision = ArticleRevision.objects.create(
        article=article,
        created_by=_author(user),
        summary=summary or summarize(previous, data),
        data=data,
    )
    prune(article)
    return revision, changed_fields(previous, data)


def record_unchanged(article: Article, user, summary: str) -> ArticleRevision:
    """A revision although nothing changed: a restore to the latest version
    still notes who restored it."""
    revision = ArticleRevision.objects.create(
        article=article,
        created_by=_author(user),
        summary=summary,
        data=snapshot(article),
    )
    prune(article)
    return revision


def _author(user):
    """The user to credit, or None (the shell, a command, an anonymous user)."""
    return user if user is not None and user.pk else None


def record_many(pks, user=None) -> int:
    """``record()`` for a batch (admin bulk actions) in a constant number of
    queries: stories, bylines, tags and each one's latest revision are read
    once for all, and the new revisions are written in one INSERT.

    Returns how many revisions were written (unchanged stories get none).
    """
    latest = ArticleRevision.objects.filter(article=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    articles = (
        Article.objects.filter(pk__in=pks)
        .select_related("section")
        .prefetch_related(
            Prefetch("bylines", queryset=_ordered_bylines()),
            "tags",
        )
        .annotate(
            previous_data=Subquery(latest.values("data")[:1], output_field=JSONField())
        )
    )
    created_by = _author(user)
    new = []
    for article in articles:
        data = snapshot(
            article,
            bylines=article.bylines.all(),
            tag_names=[tag.name for tag in article.tags.all()],
        )
        previous = article.previous_data
        if previous == data:
            continue
        new.append(
            ArticleRevision(
                article=article,
                created_by=created_by,
                summary=summarize(previous, data),
                data=data,
            )
        )
    ArticleRevision.objects.bulk_create(new)
    prune_over_limit([revision.article_id for revision in new])
    return len(new)


def prune(article: Article | None = None, *, keep: int | None = None, dry_run=False):
    """Delete all but the newest ``keep`` revisions of a story (or of every story).

    Returns how many were (or, with ``dry_run``, would be) deleted.
    """
    keep = keep_count() if keep is None else keep
    if article is not None:
        article_ids = [article.pk]
    else:
        article_ids = over_limit(keep=keep)
    return _prune_ids(article_ids, keep, dry_run)


def over_limit(article_ids=None, *, keep: int) -> list[int]:
    """Stories (of ``article_ids``, or all) with more than ``keep`` revisions."""
    revisions = ArticleRevision.objects.all()
    if article_ids is not None:
        revisions = revisions.filter(article_id__in=article_ids)
    return list(
        revisions.values("article_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=keep)
        .values_list("article_id", flat=True)
    )


def prune_over_limit(article_ids) -> int:
    """Prune only those of ``article_ids`` that went over the limit."""
    if not article_ids:
        return 0
    keep = keep_count()
    return _prune_ids(over_limit(article_ids, keep=keep), keep, False)


def _prune_ids(article_ids, keep: int, dry_run: bool) -> int:
    """Delete all but the newest ``keep`` revisions of each story, in one
    SELECT (revisions ranked per story) and one DELETE, however many stories."""
    if not article_ids:
        return 0
    old = list(
        ArticleRevision.objects.filter(article_id__in=article_ids)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=F("article_id"),
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(position__gt=keep)
        .values_list("pk", flat=True)
    )
    if old and not dry_run:
        ArticleRevision.objects.filter(pk__in=old).delete()
    return len(old)


def _field_text(key: str, value) -> str:
    if key == "section":
        return (value or {}).get("name", "")
    if key == "bylines":
        return "\n".join(
            f"{role}: {name} (order {order})" for _, name, role, order in value or []
        )
    if key == "tags":
        return "\n".join(value or [])
    if key == "body":
        return _BLOCK_END.sub(r"\1\n", value or "")
    if value is None:
        return ""
    return str(value)


def diff(old: dict, new: dict) -> list[dict]:
    """Per changed field, its lines marked "-", "+" or " " (plain text).

    Templates print the lines with autoescaping on: story content never
    becomes markup on this page.
    """
    changes = []
    for key in changed_fields(old, new):
        before = _field_text(key, old.get(key)).splitlines()
        after = _field_text(key, new.get(key)).splitlines()
        lines = [
            (line[0], line[2:])
            for line in difflib.ndiff(before, after)
            if not line.startswith("?")
        ]
        changes.append({"field": FIELDS[key], "lines": lines})
    return changes


def restore_fields(article: Article, data: dict) -> None:
    """Put a revision's text and section back on ``article``, unsaved.

    Only ``RESTORED_FIELDS``, and the section if it still exists.
    ``articles.services.restore_revision()`` saves it.
    """
    for field in RESTORED_FIELDS:
        if field in data:
            setattr(article, field, data[field])
    section_id = (data.get("section") or {}).get("id")
    if section_id and Section.objects.filter(pk=section_id).exists():
        article.section_id = section_id


def restore_bylines_and_tags(article: Article, data: dict) -> None:
    """Replace the saved story's bylines and tags with a revision's.

    Authors deleted since are left out; so is a repeated (author, role).
    """
    wanted = data.get("bylines") or []
    existing_authors = set(
        Author.objects.filter(pk__in=[row[0] for row in wanted]).values_list(
            "pk", flat=True
        )
    )
    Byline.objects.filter(article=article).delete()
    seen = set()
    for author_id, _name, role, order in wanted:
        if author_id in existing_authors and (author_id, role) not in seen:
            seen.add((author_id, role))
            Byline.objects.create(
                article=article, author_id=author_id, role=role, order=order
            )
    article.tags.set(data.get("tags") or [])
