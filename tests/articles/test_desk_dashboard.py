"""The desk's story panels per role: what a reporter and an editor find on
the admin index, and the story list filters the panels link to."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article
from tests.articles.workflow_helpers import make_role_user, parse
from tests.factories import make_article, make_draft

pytestmark = pytest.mark.django_db

INDEX = reverse("admin:index")
STORIES = reverse("admin:articles_article_changelist")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def panel(doc, panel_id):
    """(count in the heading, the heading's link, the stories' headlines)."""
    [section] = [
        s
        for s in doc.iter("section")
        if s.find(f".//div[@id='{panel_id}']") is not None
    ]
    heading = section.find(".//h2/a")
    count = heading.find("span").text
    items = [a.text for a in section.findall(f".//div[@id='{panel_id}']//li/a")]
    return int(count), heading.get("href"), items


@pytest.fixture
def reporter():
    return make_role_user("Reporter")


@pytest.fixture
def editor():
    return make_role_user("Editor")


def submit(story, reporter):
    story.status = Article.Status.REVIEW
    services.save_story(story, by=reporter)


def send_back(story, editor, notes):
    story.status = Article.Status.DRAFT
    services.save_story(story, by=editor, summary=notes)


def test_a_story_submitted_for_review_is_in_review_not_a_draft(reporter):
    story = make_draft(created_by=reporter, headline="Harbour quotas")
    submit(story, reporter)
    doc = parse(client_for(reporter).get(INDEX))
    assert panel(doc, "in-review") == (1, f"{STORIES}?state=review", ["Harbour quotas"])
    count, _, items = panel(doc, "my-drafts")
    assert (count, items) == (0, [])
    assert "You have no drafts." in "".join(
        doc.find(".//div[@id='my-drafts']").itertext()
    )


def test_a_story_sent_back_is_returned_with_the_editors_notes(reporter, editor):
    story = make_draft(created_by=reporter, headline="School meals")
    never_submitted = make_draft(created_by=reporter, headline="Night buses")
    submit(story, reporter)
    send_back(story, editor, "Needs a second source for the budget figure.")
    doc = parse(client_for(reporter).get(INDEX))
    assert panel(doc, "returned") == (1, f"{STORIES}?state=returned", ["School meals"])
    notes = doc.find(".//div[@id='returned']//span[@class='desk-notes']")
    assert notes.text == "Needs a second source for the budget figure."
    count, _, items = panel(doc, "my-drafts")
    assert count == 2 and set(items) == {"School meals", never_submitted.headline}
    # The link's list shows the same story.
    listed = client_for(reporter).get(f"{STORIES}?state=returned")
    assert [s.pk for s in listed.context["cl"].result_list] == [story.pk]


def test_resubmitting_a_returned_story_moves_it_back_to_review(reporter, editor):
    story = make_draft(created_by=reporter)
    submit(story, reporter)
    send_back(story, editor, "Shorter, please.")
    submit(story, reporter)
    doc = parse(client_for(reporter).get(INDEX))
    assert panel(doc, "returned")[0] == 0
    assert panel(doc, "in-review")[0] == 1


def test_a_reporter_sees_only_their_own_scheduled_and_published_today(reporter):
    now = timezone.now()
    mine_later = make_article(
        created_by=reporter,
        headline="Mine later",
        published_at=now + timedelta(hours=3),
    )
    make_article(created_by=reporter, headline="Mine now", published_at=now)
    make_article(headline="Someone else's", published_at=now + timedelta(hours=2))
    make_article(
        created_by=reporter, headline="Mine last week", published_at=now - timedelta(7)
    )
    doc = parse(client_for(reporter).get(INDEX))
    assert panel(doc, "my-scheduled") == (
        1,
        f"{STORIES}?state=scheduled",
        [mine_later.headline],
    )
    assert panel(doc, "published-today")[0::2] == (1, ["Mine now"])
    listed = client_for(reporter).get(f"{STORIES}?state=today")
    assert [s.headline for s in listed.context["cl"].result_list] == ["Mine now"]


def test_an_editor_gets_the_desk_panels_not_the_reporters(editor, reporter):
    story = make_draft(created_by=reporter, headline="For review")
    submit(story, reporter)
    make_article(
        headline="Later today", published_at=timezone.now() + timedelta(hours=1)
    )
    make_article(
        headline="Next month", published_at=timezone.now() + timedelta(days=30)
    )
    doc = parse(client_for(editor).get(INDEX))
    assert panel(doc, "awaiting-review")[0::2] == (1, ["For review"])
    assert doc.find(".//div[@id='my-drafts']") is None
    calendar = doc.find(".//div[@id='schedule']")
    days = calendar.findall(".//li[@class]")
    assert len(days) == 8
    headlines = [a.text for a in calendar.iter("a")]
    assert headlines == ["Later today"]
    assert doc.find(".//div[@id='moderation-queue']") is not None


def test_the_desk_speaks_the_newsrooms_words(editor, settings):
    settings.NEWSROOM_NAME = "The Harbour Times"
    doc = parse(client_for(editor).get(INDEX))
    text = "".join(doc.itertext())
    assert "Django administration" not in text
    assert "The Harbour Times" in "".join(
        doc.find(".//div[@id='site-name']").itertext()
    )
    captions = [
        c.find("a").text for c in doc.findall(".//div[@class='app-list']//caption")
    ]
    assert captions[:3] == ["Stories", "Comments", "People"]
    assert "AXES" not in text.upper().split() and "Taggit" not in text
    models = [a.text for a in doc.findall(".//div[@class='app-list']//th/a")]
    assert "Stories" in models and "Articles" not in models
