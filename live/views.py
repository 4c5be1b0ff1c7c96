"""Readers' side of live coverage: the polling endpoint and an update's
permalink.

``updates`` is one small JSON document per story, the same for every reader
(``reader_page``, no query parameter): the page cache keeps it under the
story's name (``story:<id>``), so the purge that retires the story page when
an update is added retires it too, in the page cache and in a CDN or Varnish
in front (surrogate keys). Readers' scripts poll it and add what their page
lacks; one address per story keeps one cached copy however many readers.
"""

import hashlib

from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from articles import shown
from articles.models import Article
from live.models import LiveCoverage, LiveUpdate, last_change

# The newest updates the endpoint carries: a page polling every 15 seconds
# misses none unless more than this many arrive between two polls.
POLL_LENGTH = 20
# Seconds browsers and shared caches may keep the answer (a CDN without
# purges shows a new update at most this late; the page cache's purge is
# immediate).
POLL_MAX_AGE = 5


def _coverage(story_id) -> LiveCoverage:
    story = get_object_or_404(
        Article.objects.published().select_related("section"), pk=story_id
    )
    coverage = get_object_or_404(LiveCoverage, story=story)
    coverage.story = story
    return coverage


def updates(request, story_id):
    """JSON: ``ended``, ``status`` (the notice's HTML), ``key_points`` (the
    box's HTML) and ``updates``, the newest first, each ``{"id", "version",
    "html"}``: a page adds the new ones, replaces edited ones and drops those
    deleted among the newest ``limit``."""
    coverage = _coverage(story_id)
    shown.story(coverage.story)
    newest = list(
        coverage.updates.newest_first().select_related("author")[:POLL_LENGTH]
    )
    key_points = list(
        coverage.updates.key_points().newest_first().select_related("author")
    )
    for update in (*newest, *key_points):
        update.coverage = coverage
    data = {
        "story": coverage.story.pk,
        # Fewer than this: "updates" is every update of the story.
        "limit": POLL_LENGTH,
        "ended": coverage.is_ended,
        "status": render_to_string("live/status.html", {"coverage": coverage}),
        "key_points": render_to_string(
            "live/key_points.html", {"key_points": key_points}
        ),
        "updates": [
            {
                "id": update.pk,
                "version": update.version,
                "html": render_to_string("live/update.html", {"update": update}),
            }
            for update in newest
        ],
    }
    response = JsonResponse(data)
    # The page cache builds its own ETag and Last-Modified from the entry and
    # keeps this lifetime (pagecache.store); without it the view answers 304s.
    response.page_max_age = POLL_MAX_AGE
    response["Cache-Control"] = f"public, max-age={POLL_MAX_AGE}"
    etag = '"live-' + hashlib.blake2b(response.content, digest_size=12).hexdigest()
    etag += '"'
    modified = last_change(coverage, [*newest, *key_points])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    return get_conditional_response(
        request, etag=etag, last_modified=int(modified.timestamp()), response=response
    )


def update_permalink(request, pk):
    """An update's own address: its place on the story page."""
    update = get_object_or_404(
        LiveUpdate.objects.public().select_related(
            "coverage__story", "coverage__story__section"
        ),
        pk=pk,
    )
    return HttpResponseRedirect(update.get_absolute_url())
