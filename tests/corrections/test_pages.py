"""A note on the story page (top or bottom), in its JSON-LD and feed items,
and on the site's corrections page and feed."""

import calendar
import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from corrections.models import Correction
from tests.corrections.conftest import make_correction
from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db

JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def news_article(response) -> dict:
    for block in JSON_LD.findall(response.content.decode()):
        data = json.loads(block)
        if data.get("@type") == "NewsArticle":
            return data
    raise AssertionError("no NewsArticle on the page")


def test_a_note_is_shown_where_the_editor_placed_it(client):
    story = make_article(body="<p>The body of the story.</p>")
    make_correction(story, text="Top note.", placement=Correction.Placement.TOP)
    make_correction(
        story,
        kind=Correction.Kind.CLARIFICATION,
        text="Bottom note.",
        placement=Correction.Placement.BOTTOM,
    )
    page = client.get(story.get_absolute_url()).content.decode()
    html = page[page.index("<article") :]  # the head's JSON-LD has them too
    body, top, bottom = (
        html.index('<div class="story__body"'),
        html.index("Top note."),
        html.index("Bottom note."),
    )
    assert top < body < bottom
    assert "Clarification" in html[body:bottom]
    assert html.count('class="story-notes ') == 2


def test_a_story_without_notes_shows_no_notes_box(client):
    story = make_article()
    html = client.get(story.get_absolute_url()).content.decode()
    assert "story-notes" not in html
    assert "correction" not in news_article(client.get(story.get_absolute_url()))


def test_a_note_is_plain_text(client):
    story = make_article()
    make_correction(story, text='<script>alert("x")</script> & <b>bold</b>')
    html = client.get(story.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert '<script>alert("x")' not in html


def test_the_json_ld_carries_the_correction_and_a_later_modified_time(client):
    story = make_article(published_at=timezone.now() - timedelta(days=2))
    # The story's own row last changed a day ago; the note is newer.
    type(story).objects.filter(pk=story.pk).update(
        updated_at=timezone.now() - timedelta(days=1)
    )
    note = make_correction(
        story,
        text="The fare is 3 euros, not 30.",
        published_at=timezone.now() - timedelta(hours=1),
    )
    data = news_article(client.get(story.get_absolute_url()))
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The fare is 3 euros, not 30.",
            "datePublished": note.published_at.isoformat(),
            "url": f"http://testserver{story.get_absolute_url()}#correction-{note.pk}",
        }
    ]
    assert data["dateModified"] == note.published_at.isoformat()


def test_an_older_note_leaves_the_modified_time_alone(client):
    story = make_article(published_at=timezone.now() - timedelta(days=3))
    make_correction(story, published_at=timezone.now() - timedelta(days=2))
    story.refresh_from_db()
    data = news_article(client.get(story.get_absolute_url()))
    assert len(data["correction"]) == 1
    assert data["dateModified"] == story.updated_at.isoformat()


def test_the_story_feed_item_carries_the_note_and_its_time(client):
    story = make_article(headline="Fares rise", body="<p>Body text.</p>")
    type(story).objects.filter(pk=story.pk).update(
        updated_at=timezone.now() - timedelta(hours=3)
    )
    note = make_correction(
        story,
        text="The fare is 3 euros.",
        published_at=timezone.now() - timedelta(minutes=5),
    )
    make_correction(
        story,
        text="Bottom words.",
        placement=Correction.Placement.BOTTOM,
        published_at=timezone.now() - timedelta(hours=2),
    )
    for name in ("articles:feed_latest_rss", "articles:feed_latest_atom"):
        feed = feedparser.parse(client.get(reverse(name)).content)
        (entry,) = feed.entries
        content = entry.content[0].value
        assert content.index("The fare is 3 euros.") < content.index("Body text.")
        assert content.index("Body text.") < content.index("Bottom words.")
        assert "The fare is 3 euros." in entry.summary
        # The newest note, not the story's own older change.
        assert calendar.timegm(entry.updated_parsed) == int(
            note.published_at.timestamp()
        ), name


def test_the_corrections_feed_lists_notes_of_live_stories_newest_first(client):
    story = make_article(headline="Harbour reopens")
    older = make_correction(
        story, text="Older note.", published_at=timezone.now() - timedelta(hours=2)
    )
    newer = make_correction(
        story,
        kind=Correction.Kind.EDITORS_NOTE,
        text="Newer <note> & more.",
        published_at=timezone.now() - timedelta(minutes=1),
    )
    make_correction(make_draft(headline="Secret draft"), text="Draft note.")

    response = client.get(reverse("corrections:feed"))
    assert response["Content-Type"].startswith("application/rss+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == [
        "Editor's note: Harbour reopens",
        "Correction: Harbour reopens",
    ]
    assert feed.entries[0].summary == "Newer &lt;note&gt; &amp; more."
    assert feed.entries[0].link == (
        f"http://testserver{story.get_absolute_url()}#correction-{newer.pk}"
    )
    assert feed.entries[1].link.endswith(f"#correction-{older.pk}")
    assert b"Secret draft" not in response.content
    assert b"Draft note." not in response.content


def test_the_corrections_page_lists_notes_with_their_stories(client):
    story = make_article(headline="Harbour reopens")
    note = make_correction(story, text="The harbour opened on Monday.")
    make_correction(make_draft(headline="Secret draft"), text="Draft note.")
    html = client.get(reverse("corrections:list")).content.decode()
    assert "The harbour opened on Monday." in html
    assert f'href="{story.get_absolute_url()}#correction-{note.pk}"' in html
    assert "Harbour reopens" in html
    assert "<time" in html
    assert "Secret draft" not in html
    assert "Draft note." not in html


def test_the_corrections_page_is_paginated_and_refuses_bad_pages(client):
    story = make_article()
    for n in range(31):
        make_correction(
            story, text=f"Note {n}.", published_at=timezone.now() - timedelta(hours=n)
        )
    first = client.get(reverse("corrections:list")).content.decode()
    assert "Note 0." in first and "Note 30." not in first
    second = client.get(reverse("corrections:list") + "?page=2").content.decode()
    assert "Note 30." in second
    assert client.get(reverse("corrections:list") + "?page=abc").status_code == 404
    assert client.get(reverse("corrections:list") + "?page=9").status_code == 404


def test_the_footer_links_to_the_corrections_page(client):
    html = client.get(reverse("articles:home")).content.decode()
    assert f'href="{reverse("corrections:list")}"' in html


def test_an_empty_corrections_page_says_so(client):
    response = client.get(reverse("corrections:list"))
    assert response.status_code == 200
    assert "No corrections yet." in response.content.decode()
