"""Notes in the stories' feed items, and the site's corrections feed.

``story_item_additions`` is registered with ``articles.feeds`` (one query per
feed, whatever its length). ``CorrectionsFeed`` lists the newest notes on live
stories, each linking to its note on the story page.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from articles import shown
from articles.feeds import ItemAddition, NewsroomRssFeed, feed_links
from articles.models import Article
from corrections.models import Correction

FEED_LENGTH = 30


def story_item_additions(stories: list[Article]) -> dict[int, ItemAddition]:
    by_story: dict[int, list[Correction]] = {}
    for note in Correction.objects.filter(story__in=[s.pk for s in stories]).order_by(
        "published_at", "pk"
    ):
        by_story.setdefault(note.story_id, []).append(note)
    additions = {}
    for story_id, notes in by_story.items():
        parts = {}
        for placement in Correction.Placement:
            chosen = [note for note in notes if note.placement == placement]
            parts[placement] = (
                render_to_string("corrections/feed_notes.html", {"notes": chosen})
                if chosen
                else ""
            )
        additions[story_id] = ItemAddition(
            top=parts[Correction.Placement.TOP],
            bottom=parts[Correction.Placement.BOTTOM],
            modified=max(note.published_at for note in notes),
        )
    return additions


class CorrectionsFeed(Feed):
    """RSS 2.0: the newest corrections, clarifications and editor's notes."""

    # Its head carries what every feed's does (the WebSub hub).
    feed_type = NewsroomRssFeed

    def get_object(self, request, *args, **kwargs):
        # Notes of live stories only: every change of a live story moves
        # list:latest (corrections/signal_handlers.py).
        shown.listing("corrections")
        shown.listing("latest")
        return None

    def title(self):
        return gettext("%(name)s: corrections and clarifications") % {
            "name": settings.NEWSROOM_NAME
        }

    def description(self):
        return escape(
            gettext("Corrections, clarifications and editor's notes from %(name)s.")
            % {"name": settings.NEWSROOM_NAME}
        )

    def link(self):
        return reverse("corrections:list")

    def feed_url(self):
        return None  # Django then uses the requested address.

    def feed_extra_kwargs(self, obj):
        return {"links": feed_links()}

    def items(self):
        notes = list(
            Correction.objects.public()
            .newest_first()
            .select_related("story")[:FEED_LENGTH]
        )
        shown.stories({note.story_id for note in notes})
        return notes

    def item_title(self, item):
        return gettext("%(kind)s: %(headline)s") % {
            "kind": item.get_kind_display(),
            "headline": item.story.headline,
        }

    def item_description(self, item):
        # Feed readers treat the description as HTML: the note is plain text.
        return escape(item.text)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_guid_is_permalink(self, item):
        return True

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()]
