"""The updates in the stories' feed items, and each live story's own feed.

``story_item_additions`` is registered with ``articles.feeds`` (one query per
feed, whatever its length): a live story's item says so and its updated time
moves to its newest update. ``LiveUpdatesFeed`` is an Atom feed of one live
story's newest updates, each linking to its anchor on the story page.
"""

from urllib.parse import urljoin

from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext

from articles import shown
from articles.feeds import ItemAddition, NewsroomAtomFeed, feed_links
from articles.models import Article
from live.models import LiveCoverage, LiveUpdate

FEED_LENGTH = 30


def story_item_additions(stories: list[Article]) -> dict[int, ItemAddition]:
    coverages = LiveCoverage.objects.filter(
        story__in=[story.pk for story in stories]
    ).annotate(newest=Max("updates__published_at"), count=Count("updates"))
    return {
        coverage.story_id: ItemAddition(
            top=render_to_string("live/feed_item.html", {"coverage": coverage}),
            modified=max(t for t in (coverage.newest, coverage.updated_at) if t),
        )
        for coverage in coverages
    }


class LiveUpdatesFeed(Feed):
    """Atom: one live story's newest updates."""

    # Its head carries what every feed's does (the WebSub hub).
    feed_type = NewsroomAtomFeed

    def get_object(self, request, story_id):
        story = get_object_or_404(
            Article.objects.published().select_related("section"), pk=story_id
        )
        coverage = get_object_or_404(LiveCoverage, story=story)
        coverage.story = story
        shown.story(story)
        coverage.base_url = request.build_absolute_uri("/").rstrip("/")
        return coverage

    def title(self, coverage):
        return gettext("Live: %(headline)s") % {"headline": coverage.story.headline}

    def subtitle(self, coverage):
        return coverage.summary or coverage.story.dek or None

    def link(self, coverage):
        return coverage.story.get_absolute_url()

    def feed_url(self, coverage):
        return None  # Django then uses the requested address.

    def feed_extra_kwargs(self, coverage):
        return {"links": feed_links()}

    def items(self, coverage):
        updates = list(
            coverage.updates.newest_first().select_related("author")[:FEED_LENGTH]
        )
        for update in updates:
            update.coverage = coverage
        return updates

    def item_title(self, item: LiveUpdate):
        return item.title

    def item_description(self, item: LiveUpdate):
        # Feed readers treat it as HTML: the update's paragraphs, escaped.
        picture = (
            urljoin(item.coverage.base_url + "/", item.picture.url)
            if item.picture
            else ""
        )
        return render_to_string(
            "live/feed_update.html", {"update": item, "picture_url": picture}
        )

    def item_link(self, item: LiveUpdate):
        return item.get_absolute_url()

    def item_guid(self, item: LiveUpdate):
        return f"{item.coverage.base_url}{item.get_absolute_url()}"

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item: LiveUpdate):
        return item.published_at

    def item_updateddate(self, item: LiveUpdate):
        return item.updated_at

    def item_author_name(self, item: LiveUpdate):
        return item.author.name if item.author else None
