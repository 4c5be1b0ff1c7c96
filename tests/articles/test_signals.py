"""``articles.signals``: what the stories tell the feature apps, sent for every
change readers may see, whoever makes it."""

import pytest
from taggit.models import Tag

from articles import signals
from articles.models import Article, Byline
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    events = []

    def listener(signal, sender, **kwargs):
        events.append((signal, sender, kwargs))

    for signal in (signals.content_changed, signals.story_deleted):
        signal.connect(listener, weak=False, dispatch_uid=f"test-{id(signal)}")
    yield events
    for signal in (signals.content_changed, signals.story_deleted):
        signal.disconnect(dispatch_uid=f"test-{id(signal)}")


def changed(events):
    return [sender for signal, sender, _ in events if signal is signals.content_changed]


def test_saving_a_story_says_content_changed(heard):
    story = make_article()
    heard.clear()
    story.headline = "Changed"
    story.save()
    assert changed(heard) == [Article]
    assert heard[0][2]["instance"] == story


def test_a_bulk_update_says_content_changed_once(heard):
    make_article()
    make_article()
    heard.clear()
    assert Article.objects.update(is_top_story=False) == 2
    assert changed(heard) == [Article]
    assert heard[0][2]["instance"] is None


def test_an_update_that_matches_nothing_says_nothing(heard):
    Article.objects.filter(pk=-1).update(headline="x")
    assert heard == []


def test_bylines_sections_authors_and_tags_say_content_changed(heard):
    story = make_article()
    heard.clear()
    author = make_author()
    Byline.objects.create(article=story, author=author, order=9)
    make_section()
    story.tags.add("Harbour")
    Tag.objects.filter(name="Harbour").get().save()
    senders = changed(heard)
    assert Byline in senders
    assert any(sender.__name__ == "Section" for sender in senders)
    assert any(sender.__name__ == "Author" for sender in senders)
    assert Tag in senders


def test_deleting_a_story_says_story_deleted(heard):
    story = make_article()
    pk = story.pk
    heard.clear()
    story.delete()
    deleted = [kw for signal, _, kw in heard if signal is signals.story_deleted]
    assert [kw["story_id"] for kw in deleted] == [pk]
