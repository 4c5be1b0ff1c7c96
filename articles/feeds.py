"""RSS 2.0 and Atom feeds: the latest stories, and per section, tag and author.

Every item carries all its bylines (``dc:creator`` per person in RSS, one
``<author>`` per person in Atom), its language (``dc:language`` in RSS, the
entry's ``xml:lang`` in Atom), the tags as categories, published and updated
times, the dek as summary, the full sanitised body (``content:encoded`` / Atom
``content``) and the lead image as an enclosure. Queries are constant: one for
the feed's object, one for the stories, two prefetches (bylines, tags), and
one per item source a feature app registered (``register_item_source()``).
"""

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext
from taggit.models import Tag

from articles import shown
from articles.models import Article, Author, Section
from articles.sanitizer import clean_html

FEED_LENGTH = 30
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


class NewsroomRssFeed(Rss201rev2Feed):
    """RSS 2.0 with ``dc:creator`` per byline, ``dc:language``,
    ``content:encoded`` and ``atom:updated`` per item."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:dc": DC_NS,
            "xmlns:content": CONTENT_NS,
        }

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for rel, href in self.feed.get("links", ()):
            handler.addQuickElement("atom:link", None, {"rel": rel, "href": href})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, _url in item.get("bylines", ()):
            handler.addQuickElement("dc:creator", name)
        if item.get("language"):
            handler.addQuickElement("dc:language", item["language"])
        if item.get("updateddate") is not None:
            handler.addQuickElement("atom:updated", item["updateddate"].isoformat())
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class NewsroomAtomFeed(Atom1Feed):
    """Atom with one ``<author>`` per byline, the body as ``<content>`` and
    the story's language as the entry's ``xml:lang``."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        for rel, href in self.feed.get("links", ()):
            handler.addQuickElement("link", "", {"rel": rel, "href": href})

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, url in item.get("bylines", ()):
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            if url:
                handler.addQuickElement("uri", url)
            handler.endElement("author")
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class ItemAddition(NamedTuple):
    """What a feature app adds to a story's feed item: HTML before and after
    the body (in ``content`` and after the dek in the description), and a
    time that moves the item's updated time forward."""

    top: str = ""
    bottom: str = ""
    modified: datetime | None = None


# Feature apps add to feed items (corrections: their notes):
# ``register_item_source()`` in their ``AppConfig.ready()``. A source is called
# once per feed with its stories and answers {story id: ItemAddition}, so a
# feed's queries stay constant.
ItemSource = Callable[[list[Article]], dict[int, ItemAddition]]
_item_sources: list[ItemSource] = []


def register_item_source(source: ItemSource) -> None:
    if source not in _item_sources:
        _item_sources.append(source)


def _item_additions(stories: list[Article]) -> None:
    for story in stories:
        story.feed_additions = []
    for source in _item_sources:
        additions = source(stories)
        for story in stories:
            if story.pk in additions:
                story.feed_additions.append(additions[story.pk])


# Feature apps add links to every feed's head (webhooks: the WebSub hub):
# ``register_feed_links()`` in their ``AppConfig.ready()``. A source answers
# (rel, href) pairs; Django writes the feed's own ``rel="self"``.
FeedLinkSource = Callable[[], list[tuple[str, str]]]
_feed_link_sources: list[FeedLinkSource] = []


def register_feed_links(source: FeedLinkSource) -> None:
    if source not in _feed_link_sources:
        _feed_link_sources.append(source)


def feed_links() -> list[tuple[str, str]]:
    """What every feed adds to its head, the features' feeds included."""
    return [link for source in _feed_link_sources for link in source()]


@dataclass
class FeedSource:
    """What a feed is about (``None`` for the latest stories) and the site root,
    so items can build absolute addresses without sharing state between
    requests (a ``Feed`` instance serves every request)."""

    obj: Model | None
    base_url: str


class LatestStoriesFeed(Feed):
    feed_type = NewsroomRssFeed
    description_template = None

    def get_object(self, request, *args, **kwargs):
        subject = self.get_subject(**kwargs)
        shown.listing(self.listing_name(subject))
        return FeedSource(subject, request.build_absolute_uri("/"))

    def get_subject(self, **kwargs):
        return None

    def listing_name(self, subject) -> str:
        """The list this feed shows (``articles.shown``)."""
        return "latest"

    def stories(self, subject):
        return Article.objects.published()

    def items(self, source):
        stories = list(self.stories(source.obj).for_listing().with_tags()[:FEED_LENGTH])
        for story in stories:
            story.feed_base_url = source.base_url
        _item_additions(stories)
        return stories

    def title(self, source):
        return gettext("%(name)s: latest stories") % {"name": settings.NEWSROOM_NAME}

    def description(self, source):
        return gettext("The latest stories from %(name)s.") % {
            "name": settings.NEWSROOM_NAME
        }

    def link(self, source):
        return reverse("articles:home")

    def feed_url(self, source):
        return None  # Django then uses the requested address.

    def feed_extra_kwargs(self, source):
        return {"links": feed_links()}

    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        # Feed readers treat the description as HTML: the dek is plain text.
        additions = getattr(item, "feed_additions", ())
        return escape(item.search_description) + "".join(
            part for addition in additions for part in (addition.top, addition.bottom)
        )

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        times = [
            addition.modified
            for addition in getattr(item, "feed_additions", ())
            if addition.modified is not None
        ]
        return (
            max(t for t in (item.updated_at, *times) if t) if times else item.updated_at
        )

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_author_name(self, item):
        # Atom's own <author> and RSS's dc:creator are written per byline below.
        return None

    def item_guid(self, item):
        return f"{item.feed_base_url.rstrip('/')}{item.get_absolute_url()}"

    def item_guid_is_permalink(self, item):
        return True

    def item_enclosure_url(self, item):
        if not item.lead_image:
            return None
        return _absolute(item.feed_base_url, item.lead_image.url)

    def item_enclosure_length(self, item):
        # From the row, never the storage (a request per item on a bucket);
        # 0, which feed readers accept, until record_media_sizes has run.
        return item.lead_image_size or 0

    def item_enclosure_mime_type(self, item):
        return mimetypes.guess_type(item.lead_image.name)[0] or "image/jpeg"

    def item_content_html(self, item):
        additions = getattr(item, "feed_additions", ())
        return (
            "".join(addition.top for addition in additions)
            + clean_html(item.body)
            + "".join(addition.bottom for addition in additions)
        )

    def item_extra_kwargs(self, item):
        return {
            "bylines": [
                (
                    byline.author.name,
                    _absolute(item.feed_base_url, byline.author.get_absolute_url()),
                )
                for byline in item.bylines.all()
            ],
            "content_html": self.item_content_html(item),
            "language": item.language,
        }


class LatestStoriesAtomFeed(LatestStoriesFeed):
    feed_type = NewsroomAtomFeed
    subtitle = LatestStoriesFeed.description


class SectionFeed(LatestStoriesFeed):
    def get_subject(self, **kwargs):
        return get_object_or_404(Section, slug=kwargs["slug"])

    def stories(self, section):
        return Article.objects.published().filter(section=section)

    def listing_name(self, section) -> str:
        return f"section:{section.pk}"

    def title(self, source):
        return f"{settings.NEWSROOM_NAME}: {source.obj.name}"

    def summary(self, source):
        return gettext("The latest %(section)s stories from %(name)s.") % {
            "section": source.obj.name,
            "name": settings.NEWSROOM_NAME,
        }

    def description(self, source):
        # RSS readers treat the channel description as HTML; names are text.
        return escape(self.summary(source))

    def link(self, source):
        return source.obj.get_absolute_url()


class SectionAtomFeed(SectionFeed):
    feed_type = NewsroomAtomFeed
    subtitle = SectionFeed.summary  # Atom: type text


class TagFeed(LatestStoriesFeed):
    def get_subject(self, **kwargs):
        return get_object_or_404(Tag, slug=kwargs["slug"])

    def stories(self, tag):
        return Article.objects.published().tagged(tag)

    def listing_name(self, tag) -> str:
        return f"tag:{tag.pk}"

    def title(self, source):
        return f"{settings.NEWSROOM_NAME}: {source.obj.name}"

    def summary(self, source):
        return gettext("Stories about %(tag)s from %(name)s.") % {
            "tag": source.obj.name,
            "name": settings.NEWSROOM_NAME,
        }

    def description(self, source):
        # RSS readers treat the channel description as HTML; names are text.
        return escape(self.summary(source))

    def link(self, source):
        return reverse("articles:tag", args=[source.obj.slug])


class TagAtomFeed(TagFeed):
    feed_type = NewsroomAtomFeed
    subtitle = TagFeed.summary  # Atom: type text


class AuthorFeed(LatestStoriesFeed):
    def get_subject(self, **kwargs):
        return get_object_or_404(Author, slug=kwargs["slug"])

    def stories(self, author):
        return Article.objects.published().by_author(author)

    def listing_name(self, author) -> str:
        return f"author:{author.pk}"

    def title(self, source):
        return f"{settings.NEWSROOM_NAME}: {source.obj.name}"

    def summary(self, source):
        return gettext("Stories by %(author)s for %(name)s.") % {
            "author": source.obj.name,
            "name": settings.NEWSROOM_NAME,
        }

    def description(self, source):
        # RSS readers treat the channel description as HTML; names are text.
        return escape(self.summary(source))

    def link(self, source):
        return source.obj.get_absolute_url()


class AuthorAtomFeed(AuthorFeed):
    feed_type = NewsroomAtomFeed
    subtitle = AuthorFeed.summary  # Atom: type text


def _absolute(base_url: str, url: str) -> str:
    if "://" in url or url.startswith("//"):
        return url
    return base_url.rstrip("/") + url
