"""What a change retires: the names of what changed (``articles.shown``).

A cached page records the names of what it shows while it renders; a change
moves the versions of the names it touches (``versions.bump_names``), so only
the pages that show the changed thing are retired:

- a comment on story X: ``comments:X`` (and, until the counts are stitched in
  at hit time, Most Commented and the cards' comment counts);
- a story: ``story:X`` and the lists it is on before and after the change
  (home, its section, its tags, its authors, its year's archive, the feeds
  and sitemaps); when it enters or leaves lists (published, unpublished,
  moved, re-dated, tags or bylines changed) also the tag and author indexes,
  the related-story lists of its tags, and the archive navigation when a day
  gains its first story or loses its last;
- an author or a tag: its own name and the lists whose cards or items show
  it, found in the database (bounded by the sections, tags and authors);
- a scheduled story whose time comes: what its publication changes;
- anything else (a section: the menu is on every page; a bulk ``update()``):
  every page (``versions.bump``).

Connected in ``PageCacheConfig.ready()``: ``content_changed`` (articles) and
``comments_changed`` (comments), and the model signals that show a story's
state before a change (``pre_save``, ``pre_delete``).
"""

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Byline, TaggedArticle
from pagecache import versions

# Comment names kept until the counts are stitched in at hit time (issue 13).
COMMENT_LISTS = ("list:most-commented", "list:card-comment-counts")
# A scheduled story's time is kept as a float timestamp: read a little early.
DUE_MARGIN = timedelta(milliseconds=1)

# Stories being deleted in this thread: their bylines' and tags' deletions
# need no names of their own (the story's deletion names everything).
_deleting = threading.local()


@dataclass(frozen=True)
class StoryState:
    """What decides which lists a story is on."""

    pk: int
    live: bool
    scheduled: bool
    section_id: int | None
    published_at: datetime | None
    tag_ids: frozenset = frozenset()
    author_ids: frozenset = frozenset()


def _state(pk, status, published_at, section_id, tag_ids, author_ids, now):
    published = status == Article.Status.PUBLISHED and published_at is not None
    return StoryState(
        pk=pk,
        live=published and published_at <= now,
        scheduled=published and published_at > now,
        section_id=section_id,
        published_at=published_at,
        tag_ids=frozenset(tag_ids),
        author_ids=frozenset(author_ids),
    )


def _tags_and_authors(ids) -> tuple[dict, dict]:
    tags, authors = {pk: set() for pk in ids}, {pk: set() for pk in ids}
    for story, tag in TaggedArticle.objects.filter(
        content_object_id__in=ids
    ).values_list("content_object_id", "tag_id"):
        tags[story].add(tag)
    for story, author in Byline.objects.filter(article_id__in=ids).values_list(
        "article_id", "author_id"
    ):
        authors[story].add(author)
    return tags, authors


def story_states(ids, now=None) -> dict[int, StoryState]:
    """The stories' states as the database has them: three queries."""
    now = now or timezone.now()
    ids = list(ids)
    if not ids:
        return {}
    tags, authors = _tags_and_authors(ids)
    return {
        pk: _state(pk, status, published_at, section_id, tags[pk], authors[pk], now)
        for pk, status, published_at, section_id in Article.objects.filter(
            pk__in=ids
        ).values_list("pk", "status", "published_at", "section_id")
    }


def _instance_state(story, tag_ids, author_ids, now) -> StoryState:
    return _state(
        story.pk,
        story.status,
        story.published_at,
        story.section_id,
        tag_ids,
        author_ids,
        now,
    )


def list_names(state: StoryState | None) -> set[str]:
    """The lists a live story is on (its card, its feed item, its sitemap row)."""
    if state is None or not state.live:
        return set()
    year = timezone.localtime(state.published_at).year
    return {
        "list:home",
        "list:latest",
        "list:sitemap",
        f"list:section:{state.section_id}",
        f"list:archive:{year}",
        *(f"list:tag:{pk}" for pk in state.tag_ids),
        *(f"list:author:{pk}" for pk in state.author_ids),
    }


def membership_names(state: StoryState | None) -> set[str]:
    """What counts or ranks a live story: the indexes, related-story lists."""
    if state is None or not state.live:
        return set()
    return {
        "list:tags",
        "list:authors",
        *(f"related:{pk}" for pk in state.tag_ids),
    }


def _moved(before: StoryState | None, after: StoryState | None) -> bool:
    """Whether the story entered, left or moved among lists (not an edit of
    its text, which ``story:X`` and its lists cover)."""
    was, now = bool(before and before.live), bool(after and after.live)
    if was != now:
        return True
    if not now:
        return False
    return (
        before.section_id != after.section_id
        or before.published_at != after.published_at
        or before.tag_ids != after.tag_ids
        or before.author_ids != after.author_ids
    )


def _day_alone(state: StoryState, now) -> bool:
    """Whether no other live story shares the story's day (local time): then
    adding or removing it changes the archives' navigation."""
    day = timezone.localtime(state.published_at).date()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return (
        not Article.objects.published(now)
        .filter(published_at__gte=start, published_at__lt=start + timedelta(days=1))
        .exclude(pk=state.pk)
        .exists()
    )


def story_change_names(
    before: StoryState | None, after: StoryState | None, now=None
) -> set[str]:
    """The names a change of one story retires (``before``/``after``: its
    states; None when it did not or no longer exists)."""
    now = now or timezone.now()
    pk = (after or before).pk
    names = {f"story:{pk}"} | list_names(before) | list_names(after)
    if _moved(before, after):
        names |= membership_names(before) | membership_names(after)
        for state in (before, after):
            if state is not None and state.live and _day_alone(state, now):
                names.add("list:archive-nav")
                break
    return names


def author_names(author_id: int) -> set[str]:
    """An author's name, title, bio or photo: where they are shown."""
    names = {
        f"author:{author_id}",
        f"list:author:{author_id}",
        "list:authors",
        "list:sitemap",
    }
    live = Article.objects.published().by_author(author_id).order_by()
    return names | _names_of_cards(live)


def tag_names(tag_id: int) -> set[str]:
    """A tag's name or slug: the story pages and feeds that show it."""
    names = {
        f"tag:{tag_id}",
        f"list:tag:{tag_id}",
        f"related:{tag_id}",
        "list:tags",
        "list:sitemap",
    }
    # Cards do not show tags, feed items do (categories): the feeds of the
    # tag's live stories are those of their sections, tags and authors.
    live = Article.objects.published().tagged(tag_id).order_by()
    return names | _names_of_cards(live)


def _names_of_cards(live) -> set[str]:
    """The lists on which ``live`` stories appear (by section, tag, author,
    year): at most one name per section, tag, author and year."""
    ids = live.values("pk")
    sections = set(live.values_list("section_id", flat=True).distinct())
    if not sections:
        return set()
    tags = set(
        TaggedArticle.objects.filter(content_object__in=ids)
        .values_list("tag_id", flat=True)
        .distinct()
    )
    authors = set(
        Byline.objects.filter(article__in=ids)
        .values_list("author_id", flat=True)
        .distinct()
    )
    years = {
        moment.year for moment in live.datetimes("published_at", "year", tzinfo=None)
    }
    return {
        "list:home",
        "list:latest",
        *(f"list:section:{pk}" for pk in sections),
        *(f"list:tag:{pk}" for pk in tags),
        *(f"related:{pk}" for pk in tags),
        *(f"list:author:{pk}" for pk in authors),
        *(f"list:archive:{year}" for year in years),
    }


# Signal handlers


def story_pre_save(sender, instance, raw=False, **kwargs):
    """The story's row before the change (one query); its tags and bylines do
    not change in a row save and are read after it."""
    if not versions.enabled() or raw or instance.pk is None:
        return
    row = (
        Article.objects.filter(pk=instance.pk)
        .values_list("status", "published_at", "section_id")
        .first()
    )
    instance._pagecache_before = row


def story_pre_delete(sender, instance, **kwargs):
    """A story about to go: its state (its tags and bylines go first)."""
    if not versions.enabled():
        return
    tags, authors = _tags_and_authors([instance.pk])
    instance._pagecache_deleted = _instance_state(
        instance, tags[instance.pk], authors[instance.pk], timezone.now()
    )
    _being_deleted().add(instance.pk)


def byline_pre_save(sender, instance, raw=False, **kwargs):
    """A byline's author before the change, when the row is edited."""
    if not versions.enabled() or raw or instance.pk is None:
        return
    instance._pagecache_before = (
        Byline.objects.filter(pk=instance.pk)
        .values_list("author_id", "article_id")
        .first()
    )


def _being_deleted() -> set:
    if not hasattr(_deleting, "ids"):
        _deleting.ids = set()
    return _deleting.ids


def content_changed(sender, instance=None, **kwargs):
    """``articles.signals.content_changed``: retire what the change shows on."""
    if not versions.enabled() or instance is None:
        # Off (the version still keys articles.memo), or a bulk change.
        versions.bump()
        return
    if isinstance(instance, Article):
        if sender is TaggedArticle:
            _story_tags_changed(instance)
        elif sender is not Article:
            # Something a feature app attaches to the story (a correction
            # note, sender: its model): shown on its page and its feed items.
            _story_extra_changed(instance)
        else:
            _story_changed(instance)
    elif isinstance(instance, Byline):
        _byline_changed(instance)
    elif isinstance(instance, TaggedArticle):
        _tagging_changed(instance)
    elif isinstance(instance, Author):
        versions.bump_names(author_names(instance.pk))
    elif isinstance(instance, Tag):
        versions.bump_names(tag_names(instance.pk))
    else:
        # A section (the menu is on every page), or anything unknown.
        versions.bump()


def _story_changed(story):
    now = timezone.now()
    deleted = story.__dict__.pop("_pagecache_deleted", None)
    if deleted is not None:
        _being_deleted().discard(deleted.pk)
        before, after = deleted, None
    else:
        row = story.__dict__.pop("_pagecache_before", None)
        tags, authors = _tags_and_authors([story.pk])
        after = _instance_state(story, tags[story.pk], authors[story.pk], now)
        before = None
        if row is not None:
            before = _state(story.pk, *row, after.tag_ids, after.author_ids, now)
    if any(state is not None and state.scheduled for state in (before, after)) or (
        before and after and before.published_at != after.published_at
    ):
        versions.forget_next_publication()
    versions.bump_names(story_change_names(before, after, now))


def _story_extra_changed(story):
    """The story's page and the lists it is on (its feed items); it neither
    entered nor left a list."""
    state = story_states([story.pk]).get(story.pk)
    versions.bump_names({f"story:{story.pk}"} | list_names(state))


def _story_tags_changed(story):
    """Tags added to, removed from or cleared off a story (taggit's m2m):
    its current tags here; a removed tag is named by its row's deletion."""
    if story.pk in _being_deleted():
        return
    state = story_states([story.pk]).get(story.pk)
    if state is None:
        return
    names = {f"story:{story.pk}"} | list_names(state) | membership_names(state)
    versions.bump_names(names)


def _byline_changed(byline):
    if byline.article_id in _being_deleted():
        return
    before = byline.__dict__.pop("_pagecache_before", None)
    state = story_states([byline.article_id]).get(byline.article_id)
    names = {f"story:{byline.article_id}"}
    if state is not None and state.live:
        authors = {byline.author_id} | ({before[0]} if before else set())
        names |= list_names(state) | membership_names(state)
        names |= {f"list:author:{pk}" for pk in authors}
    versions.bump_names(names)


def _tagging_changed(tagging):
    story_id = tagging.content_object_id
    if story_id in _being_deleted():
        return
    state = story_states([story_id]).get(story_id)
    names = {f"story:{story_id}"}
    if state is not None and state.live:
        names |= list_names(state) | membership_names(state)
        names |= {f"list:tag:{tagging.tag_id}", f"related:{tagging.tag_id}"}
    versions.bump_names(names)


def comments_changed(sender, comment=None, **kwargs):
    """``comments.signals.comments_changed``: one story's comments, or (a
    bulk moderation, which names no story) every page."""
    if not versions.enabled() or comment is None:
        versions.bump()
        return
    versions.bump_names({f"comments:{comment.article_id}", *COMMENT_LISTS})


def stories_went_live(due: datetime, now: datetime) -> None:
    """Scheduled stories whose time came between ``due`` and ``now``: what
    their publication changes (``versions.settle_version``)."""
    ids = (
        Article.objects.published(now)
        .filter(Q(published_at__gte=due - DUE_MARGIN))
        .values_list("pk", flat=True)
    )
    names = set()
    for state in story_states(ids, now).values():
        names |= story_change_names(replace(state, live=False), state, now)
    if names:
        versions.bump_names(names)
