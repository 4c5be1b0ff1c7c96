from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_draft

TIMES = {
    "past": timedelta(hours=-1),
    "future": timedelta(hours=1),
    "no time": None,
}


@pytest.mark.parametrize("when", TIMES)
@pytest.mark.parametrize("status", Article.Status.values)
def test_is_published_agrees_with_published_for_every_status_and_time(db, status, when):
    """One rule: a story is live in Python exactly when ``published()`` finds
    it. (Saving a published story without a time stamps it now.)"""
    now = timezone.now()
    offset = TIMES[when]
    story = make_article(
        status=status, published_at=None if offset is None else now + offset
    )

    found_then = Article.objects.published(now).filter(pk=story.pk).exists()
    assert story.is_published_at(now) is found_then
    found_now = Article.objects.published().filter(pk=story.pk).exists()
    assert story.is_published is found_now


@pytest.mark.parametrize("status", Article.Status.values)
def test_a_story_without_a_publication_time_is_not_live(status):
    assert not Article(status=status, published_at=None).is_published


def test_only_a_published_story_whose_time_has_come_is_live(db):
    now = timezone.now()
    live = make_article(published_at=now - timedelta(minutes=1))
    make_article(published_at=now + timedelta(minutes=1))
    make_draft(published_at=now - timedelta(days=1))
    make_draft(status=Article.Status.REVIEW, published_at=now - timedelta(days=1))
    assert list(Article.objects.published(now)) == [live]
