"""Webhook deliveries and WebSub pings as background tasks
(``newsroom.background``): run at once by the immediate backend, or queued
for ``manage.py db_worker``; ``sweep`` runs from ``manage.py run_periodic``.
"""

import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from articles.models import Article
from newsroom import background
from webhooks import conf, dispatch, events, websub
from webhooks.models import ScheduledStory

logger = logging.getLogger(__name__)


@task
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries, each if it is due and unclaimed (idempotent: a
    delivery sent, or held by another worker, is left alone). A failure is
    retried later: by a task enqueued for that time when the backend can
    wait, and by the periodic sweep in any case, whichever claims it first.
    One task for an event's deliveries, so a bulk action enqueues one."""
    retries = 0
    for delivery_id in delivery_ids:
        retry_at = dispatch.attempt(delivery_id)
        if retry_at is None:
            continue
        retries += 1
        if deliver.get_backend().supports_defer:
            deliver.using(run_after=retry_at).enqueue([delivery_id])
    return {"done": len(delivery_ids) - retries, "retries": retries}


def deliver_after_commit(delivery_ids: list[int]) -> None:
    if delivery_ids:
        background.enqueue_on_commit(deliver, list(delivery_ids))


@task
def ping_hub(topics: list[str], attempt: int = 1) -> int:
    """Ping the WebSub hub for each feed in ``topics``; how many it took.
    A hub that fails is asked again later for the feeds still to ping."""
    if not websub.hub_url():
        return 0
    for done, topic in enumerate(topics):
        try:
            websub.ping(topic)
        except websub.HubError:
            background.retry_later(ping_hub, topics[done:], attempt=attempt)
            raise
    return len(topics)


def anyone_listens(event: str) -> bool:
    """A hub to ping, or a subscription that wants ``event`` (else a
    change costs one query here and nothing more)."""
    return bool(websub.hub_url() or dispatch.subscribers(event))


def announce(
    event: str, data: dict, *, story: Article | None = None, feeds: list[str] = ()
):
    """Write the event's deliveries now (in the change's transaction) and
    send them after the commit; with a hub, ping the feeds ``story`` shows
    in (its items carry its notes and live updates too) and ``feeds``, the
    addresses of the change's own (the corrections feed, a live story's)."""
    deliver_after_commit(dispatch.create(event, data))
    if story is not None and websub.hub_url():
        topics = websub.topics_for(story) + [websub.absolute(url) for url in feeds]
        background.enqueue_on_commit(ping_hub, list(dict.fromkeys(topics)))


def announce_stories(event: str, story_ids, *, live_only: bool = True) -> int:
    """One event for each of several stories (a bulk action): constant
    queries, one ping of the hub for all the feeds they show in."""
    hub = websub.hub_url()
    if not story_ids or not anyone_listens(event):
        return 0
    stories = list(events.stories_with_relations(story_ids))
    if live_only:
        stories = [story for story in stories if story.is_published]
    build = (
        events.unpublished_data
        if event == events.Event.STORY_UNPUBLISHED
        else events.story_data
    )
    deliver_after_commit(dispatch.create_many(event, [build(s) for s in stories]))
    if hub and stories:
        topics = [topic for story in stories for topic in websub.topics_for(story)]
        background.enqueue_on_commit(ping_hub, list(dict.fromkeys(topics)))
    return len(stories)


def announce_published(story_id: int) -> bool:
    if not anyone_listens(events.Event.STORY_PUBLISHED):
        return False
    story = events.load_story(story_id)
    if story is None or not story.is_published:
        return False
    announce(events.Event.STORY_PUBLISHED, events.story_data(story), story=story)
    return True


def claim_due_story(story_id: int, now=None) -> bool:
    """The scheduled story ``story_id`` went live by the clock: take its row
    (a conditional DELETE, so it is announced once however many callers)."""
    now = now or timezone.now()
    deleted, _ = ScheduledStory.objects.filter(
        story_id=story_id, due_at__lte=now
    ).delete()
    return bool(deleted)


def announce_due_stories(now=None) -> int:
    """Announce the scheduled stories whose time has come; how many."""
    now = now or timezone.now()
    announced = 0
    for story_id in ScheduledStory.objects.fallen_due(now).values_list(
        "story_id", flat=True
    )[: conf.settings.WEBHOOKS_SWEEP_BATCH]:
        # The claim and the deliveries commit together: none is lost.
        with transaction.atomic():
            if claim_due_story(story_id, now) and announce_published(story_id):
                announced += 1
    return announced


@task
def sweep() -> dict[str, int]:
    """The periodic work: scheduled stories that went live, then the due
    deliveries (retries, and any whose task was lost), each sent by one
    caller only (``dispatch.attempt()`` claims it)."""
    stories = announce_due_stories()
    sent = 0
    for delivery_id in dispatch.due_ids(conf.settings.WEBHOOKS_SWEEP_BATCH):
        dispatch.attempt(delivery_id)
        sent += 1
    return {"stories": stories, "deliveries": sent}
