"""What sets off a webhook (and a WebSub ping): the stories', notes', live
updates' and comments' signals, connected in ``WebhooksConfig.ready()``.

A story is "updated" when a save changes a story that was live before and
still is; it was live before when its status and time did not change, or
when only its time did and it was not waiting for its time
(``ScheduledStory``). A scheduled story going live by the clock is announced
by the periodic sweep, or by the first save after its time, whichever comes
first (``tasks.claim_due_story()``). Bulk actions are heard once, through
``stories_changed_in_bulk``, in constant queries.
"""

from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from webhooks import dispatch, events, tasks
from webhooks.events import Event
from webhooks.models import ScheduledStory

# Marks a story instance whose save was announced as an update, so the
# ``pending_changes_published`` that follows the same save adds none.
UPDATED_MARK = "_webhooks_updated_version"


def _announce_story(event: str, story: Article) -> None:
    if not tasks.anyone_listens(event):
        return
    loaded = events.load_story(story.pk)
    if loaded is None:
        return
    if event == Event.STORY_UNPUBLISHED:
        tasks.announce(event, events.unpublished_data(loaded), story=loaded)
    else:
        tasks.announce(event, events.story_data(loaded), story=loaded)


def _schedule(story: Article) -> None:
    ScheduledStory.objects.update_or_create(
        story_id=story.pk, defaults={"due_at": story.published_at}
    )


def story_saved(sender, story, created=False, changed_fields=(), bulk=False, **kw):
    if bulk:
        return  # stories_changed_in_bulk
    if story.is_scheduled:
        _schedule(story)
        return
    if not story.is_published:
        ScheduledStory.objects.filter(story_id=story.pk).delete()
        return
    if tasks.claim_due_story(story.pk):
        # Its time came before the sweep saw it: this is its going live.
        tasks.announce_published(story.pk)
        return
    changed = set(changed_fields or ())
    if created or not changed or "status" in changed:
        return
    if (
        "published_at" in changed
        and ScheduledStory.objects.filter(story_id=story.pk).exists()
    ):
        return  # it was waiting: story_published follows
    setattr(story, UPDATED_MARK, story.version)
    _announce_story(Event.STORY_UPDATED, story)


def story_published(sender, story, bulk=False, **kwargs):
    if bulk:
        return
    ScheduledStory.objects.filter(story_id=story.pk).delete()
    tasks.announce_published(story.pk)


def story_unpublished(sender, story, bulk=False, **kwargs):
    if bulk:
        return
    ScheduledStory.objects.filter(story_id=story.pk).delete()
    _announce_story(Event.STORY_UNPUBLISHED, story)


def story_scheduled(sender, story, bulk=False, **kwargs):
    if not bulk:
        _schedule(story)


def stories_changed_in_bulk(sender, changes, **kwargs):
    published = [story.pk for story, event in changes if event == "published"]
    unpublished = [story.pk for story, event in changes if event == "unpublished"]
    scheduled = [story for story, event in changes if event == "scheduled"]
    if published or unpublished:
        ScheduledStory.objects.filter(story_id__in=published + unpublished).delete()
    if scheduled:
        ScheduledStory.objects.bulk_create(
            [ScheduledStory(story_id=s.pk, due_at=s.published_at) for s in scheduled],
            update_conflicts=True,
            unique_fields=["story"],
            update_fields=["due_at"],
        )
    tasks.announce_stories(Event.STORY_PUBLISHED, published)
    tasks.announce_stories(Event.STORY_UNPUBLISHED, unpublished, live_only=False)


def pending_changes_published(sender, story, **kwargs):
    if getattr(story, UPDATED_MARK, None) == story.version:
        return  # its save was announced already
    if story.is_published:
        _announce_story(Event.STORY_UPDATED, story)


def story_deleted(sender, instance, **kwargs):
    """``pre_delete`` of a story: a live one is announced as taken down."""
    if instance.is_published_at(timezone.now()):
        _announce_story(Event.STORY_UNPUBLISHED, instance)


def _live_story(story_id: int, event: str) -> Article | None:
    if not tasks.anyone_listens(event):
        return None
    story = events.load_story(story_id)
    return story if story is not None and story.is_published else None


def correction_added(sender, correction, **kwargs):
    story = _live_story(correction.story_id, Event.CORRECTION_ADDED)
    if story is not None:
        tasks.announce(
            Event.CORRECTION_ADDED,
            {
                "story": events.story_data(story),
                "correction": events.correction_data(correction),
            },
            story=story,
            feeds=[reverse("corrections:feed")],
        )


def update_posted(sender, update, **kwargs):
    story = _live_story(update.coverage.story_id, Event.LIVE_UPDATE_ADDED)
    if story is not None:
        tasks.announce(
            Event.LIVE_UPDATE_ADDED,
            {
                "story": events.story_data(story),
                "update": events.live_update_data(update),
            },
            story=story,
            feeds=[reverse("live:feed", args=[story.pk])],
        )


def _announce_comments(comments) -> None:
    live = {
        story.pk: story
        for story in events.stories_with_relations({c.article_id for c in comments})
        if story.is_published
    }
    items = [
        {
            "story": events.story_data(live[c.article_id]),
            "comment": events.comment_data(c),
        }
        for c in comments
        if c.article_id in live
    ]
    tasks.deliver_after_commit(dispatch.create_many(Event.COMMENT_APPROVED, items))


def comment_saved(sender, instance, created=False, raw=False, **kwargs):
    """A new comment approved as it was posted."""
    if raw or not created or instance.status != Comment.Status.APPROVED:
        return
    if dispatch.subscribers(Event.COMMENT_APPROVED):
        _announce_comments([instance])


def comment_moderated(sender, comment_ids, status, **kwargs):
    if status != Comment.Status.APPROVED or not comment_ids:
        return
    if not dispatch.subscribers(Event.COMMENT_APPROVED):
        return
    comments = list(
        Comment.objects.approved().filter(pk__in=comment_ids).order_by("pk")
    )
    _announce_comments(comments)
