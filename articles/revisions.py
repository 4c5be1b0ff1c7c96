"""Story revisions: a snapshot after every save, a readable diff, restore, pruning.

A revision holds the editable fields, the bylines and the tags as JSON, so a
story can be shown and restored as it was even after authors or tags change.
``articles.services`` records them whenever a story is saved, and restores
through ``save_story()`` with the helpers at the end of this module.
"""

import difflib
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

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
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article, ArticleRevision, Author, Byline, Section

DEFAULT_KEEP = 50

# Snapshot key -> label, in the order a diff shows them.
FIELDS = {
    "headline": _("Headline"),
    "slug": _("Slug"),
    "dek": _("Standfirst"),
    "body": _("Body"),
    "section": _("Section"),
    "tags": _("Tags"),
    "bylines": _("Bylines"),
    "lead_image": _("Lead image"),
    "lead_image_alt": _("Alt text"),
    "lead_image_caption": _("Caption"),
    "lead_image_credit": _("Credit"),
    "status": _("Status"),
    "published_at": _("Publication time"),
    "is_top_story": _("Top story"),
    "comments_enabled": _("Comments enabled"),
    "language": _("Language"),
    "seo_headline": _("Search and social headline"),
    "seo_description": _("Search and social description"),
    "social_image": _("Social image"),
    # Which stories are its translations: the group's key (Article.translation_key).
    "translation_key": _("Translations"),
}
# Fields added after revisions were first kept: a revision from before has
# none of them, which is no change (an upgrade edits no story).
LATER_FIELDS = {
    "language",
    "seo_headline",
    "seo_description",
    "social_image",
    "translation_key",
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
    "language",
    "seo_headline",
    "seo_description",
)

# Elements that end a line of text in a story body (the word diff keeps them).
_BLOCKS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr",
    "figure", "figcaption", "br",
}  # fmt: skip
_WORD = re.compile(r"\n|[^\s]+")
# Fields whose value is text: compared word by word.
_TEXT_FIELDS = {"headline", "slug", "dek", "body", "lead_image_alt",
                "lead_image_caption", "lead_image_credit", "seo_headline",
                "seo_description"}  # fmt: skip


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
        "published_at": _moment(article.published_at),
        "is_top_story": article.is_top_story,
        "comments_enabled": article.comments_enabled,
        "language": article.language,
        "seo_headline": article.seo_headline,
        "seo_description": article.seo_description,
        "social_image": article.social_image.name or "",
        "translation_key": str(article.translation_key or ""),
        "bylines": [[b.author_id, b.author.name, b.role, b.order] for b in bylines],
        "tags": sorted(tag_names, key=str.casefold),
    }


def _moment(value) -> str | None:
    """A publication time as one string whatever its time zone or precision:
    UTC, to the second (the form shows no finer)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def _normalised(key: str, value):
    """A snapshot value in the form two saves of the same story agree on.

    Older revisions kept the publication time in the server's zone with
    microseconds: the same moment written another way is no change.
    """
    if key == "published_at":
        return _moment(value)
    if key in _TEXT_FIELDS:
        return (value or "").strip()
    return value


def changed_fields(old: dict | None, new: dict) -> list[str]:
    if old is None:
        return list(FIELDS)
    return [
        key
        for key in FIELDS
        if not (key in LATER_FIELDS and key not in old)
        and _normalised(key, old.get(key)) != _normalised(key, new.get(key))
    ]


def summarize(old: dict | None, new: dict) -> str:
    if old is None:
        return gettext("First version.")
    keys = changed_fields(old, new)
    if not keys:
        return gettext("No changes.")
    return gettext("Changed %(fields)s.") % {"fields": _labels(keys)}


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
    if previous is not None and not changed_fields(previous, data):
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
        if previous is not None and not changed_fields(previous, data):
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


class _TextOf(HTMLParser):
    """The words of a story body, a line per paragraph: tags dropped, a
    picture named by its alt text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            alt = dict(attrs).get("alt") or ""
            label = (
                gettext("[picture: %(alt)s]") % {"alt": alt}
                if alt
                else gettext("[picture]")
            )
            self.parts.append(f"\n{label}\n")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def body_text(html: str) -> str:
    """The text content of a body's HTML, paragraphs on their own lines."""
    parser = _TextOf()
    parser.feed(html or "")
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _field_text(key: str, value) -> str:
    if key == "section":
        return (value or {}).get("name", "")
    if key == "bylines":
        return "\n".join(
            gettext("%(role)s: %(name)s (order %(order)s)")
            % {"role": role, "name": name, "order": order}
            for _id, name, role, order in value or []
        )
    if key == "tags":
        return "\n".join(value or [])
    if key == "body":
        return body_text(value)
    if key == "published_at":
        moment = _moment(value)
        return moment.replace("T", " ").replace("+00:00", " UTC") if moment else ""
    if value is None:
        return ""
    return str(value)


def word_diff(before: str, after: str) -> tuple[list, list]:
    """Both sides of a word diff: lists of ``(mark, text)``, mark "same",
    "del" (only on the left) or "ins" (only on the right). Each text ends in
    a space or a line break ("\n"); runs of words are joined, so a template
    prints few elements.
    """
    old, new = _WORD.findall(before), _WORD.findall(after)
    left, right = [], []

    def add(side, mark, words):
        text = ""
        for word in words:
            text += word if word == "\n" else word + " "
        if not text:
            return
        if side and side[-1][0] == mark:
            side[-1] = (mark, side[-1][1] + text)
        else:
            side.append((mark, text))

    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add(left, "same", old[i1:i2])
            add(right, "same", new[j1:j2])
        else:
            add(left, "del", old[i1:i2])
            add(right, "ins", new[j1:j2])
    return left, right


def diff(old: dict, new: dict) -> list[dict]:
    """Per changed field, its label and the two sides of a word diff
    (``word_diff()``), plain text.

    Templates print them with autoescaping on, inside ``<del>`` and
    ``<ins>``: story content never becomes markup on this page.
    """
    changes = []
    for key in changed_fields(old, new):
        before, after = word_diff(
            _field_text(key, old.get(key)), _field_text(key, new.get(key))
        )
        changes.append(
            {"key": key, "field": str(FIELDS[key]), "before": before, "after": after}
        )
    return changes


# What a restore can change: the restored fields, the section, bylines, tags.
RESTORABLE = (*RESTORED_FIELDS, "section", "bylines", "tags")


def _labels(keys) -> str:
    labels = [FIELDS[key].lower() for key in keys]
    if len(labels) <= 1:
        return "".join(labels)
    return gettext("%(items)s and %(last)s") % {
        "items": gettext(", ").join(labels[:-1]),
        "last": labels[-1],
    }


def restore_message(title: str, revision: ArticleRevision, changes) -> str:
    """What the editor is told after restoring ``revision`` of story
    ``title``; ``changes`` are ``diff()``'s, of what the restore changed."""
    when = date_format(timezone.localtime(revision.created_at), "DATETIME_FORMAT")
    version = (
        gettext("the version of %(when)s by %(who)s")
        % {"when": when, "who": revision.created_by.get_username()}
        if revision.created_by
        else gettext("the version of %(when)s") % {"when": when}
    )
    if not changes:
        return gettext(
            "“%(title)s” already matched %(version)s: nothing needed restoring."
        ) % {"title": title, "version": version}
    restored = _labels(change["key"] for change in changes)
    return gettext(
        "“%(title)s” is back to %(version)s: %(restored)s restored. Its "
        "publication status, time and address are unchanged."
    ) % {"title": title, "version": version, "restored": restored}


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
