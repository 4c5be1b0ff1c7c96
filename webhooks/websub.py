"""WebSub (https://www.w3.org/TR/websub/): feeds name their hub, and a
change pings it.

With ``WEBSUB_HUB_URL`` set, every feed (those of ``articles``, the
corrections feed and each live story's updates) carries
``<link rel="hub">`` beside its ``rel="self"`` (``feed_links()``, registered
with ``articles.feeds.register_feed_links()``: articles never imports this
app), and when a story is published, updated or taken down, or a note or
live update is added, the hub is sent ``hub.mode=publish`` and
``hub.url=<feed>`` for each feed the change shows in (``topics_for()``),
by the task ``webhooks.tasks.ping_hub``.
"""

import http.client
from urllib.parse import urlencode

from django.urls import reverse

from articles.models import Article
from webhooks import conf, transport
from webhooks.events import absolute


class HubError(Exception):
    pass


def hub_url() -> str:
    return conf.settings.WEBSUB_HUB_URL or ""


def feed_links() -> list[tuple[str, str]]:
    """The links a feed adds to its head: the hub, when there is one."""
    hub = hub_url()
    return [("hub", hub)] if hub else []


def _both(name: str, *args) -> list[str]:
    return [
        absolute(reverse(f"articles:{name}_rss", args=args)),
        absolute(reverse(f"articles:{name}_atom", args=args)),
    ]


def topics_for(story: Article) -> list[str]:
    """The feeds a change of ``story`` shows in: the latest stories, its
    section, its tags and its authors (RSS and Atom each)."""
    urls = _both("feed_latest")
    urls += _both("section_feed", story.section.slug)
    for tag in sorted(story.tags.all(), key=lambda tag: tag.slug):
        urls += _both("tag_feed", tag.slug)
    for byline in story.bylines.all():
        urls += _both("author_feed", byline.author.slug)
    return list(dict.fromkeys(urls))


def ping(topic: str) -> int:
    """Tell the hub that ``topic`` changed; its status code. ``HubError``
    when the hub does not accept it (2xx), so the task tries again."""
    body = urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
    try:
        response = transport.post(
            hub_url(),
            body,
            {},
            content_type="application/x-www-form-urlencoded",
        )
    except (transport.Refused, OSError, http.client.HTTPException) as error:
        raise HubError(str(error)) from error
    if not 200 <= response.status < 300:
        raise HubError(f"HTTP {response.status}")
    return response.status
