"""Date archives, and related stories on the story page."""

from datetime import datetime, timedelta

import html5lib
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.views import RELATED_STORIES
from tests.factories import make_article, make_author, make_draft, make_section

NS = {"h": "http://www.w3.org/1999/xhtml"}


def seoul(*args):
    return timezone.make_aware(datetime(*args), timezone.get_fixed_timezone(9 * 60))


def headlines(response):
    doc = html5lib.parse(response.content.decode(), namespaceHTMLElements=True)
    return [
        "".join(a.itertext()).strip()
        for a in doc.findall(".//h:ol[@class='story-list']//h:h2/h:a", NS)
    ]


@pytest.fixture
def dated(db):
    make_article(headline="March first", published_at=seoul(2025, 3, 1, 9))
    make_article(headline="March late", published_at=seoul(2025, 3, 31, 23, 30))
    make_article(headline="April", published_at=seoul(2025, 4, 1, 0, 30))
    make_article(headline="Last year", published_at=seoul(2024, 12, 31, 12))
    make_draft(headline="DRAFT-MARKER", published_at=seoul(2025, 3, 1, 10))
    # Scheduled: in this month's archive only once its time has come.
    make_article(
        headline="SCHEDULED-MARKER", published_at=timezone.now() + timedelta(hours=2)
    )


def test_year_archive_lists_the_years_stories_newest_first(client, dated):
    response = client.get(reverse("articles:archive_year", args=[2025]))
    assert response.status_code == 200
    assert headlines(response) == ["April", "March late", "March first"]


def test_month_archive_uses_the_newsroom_time_zone(client, dated):
    # 23:30 in Seoul on 31 March is 14:30 UTC, still March; 00:30 on 1 April
    # is 31 March in UTC but April in the newsroom.
    response = client.get(reverse("articles:archive_month", args=[2025, 3]))
    assert headlines(response) == ["March late", "March first"]
    response = client.get(reverse("articles:archive_month", args=[2025, 4]))
    assert headlines(response) == ["April"]


def test_day_archive_lists_that_days_stories(client, dated):
    response = client.get(reverse("articles:archive_day", args=[2025, 3, 1]))
    assert response.status_code == 200
    assert headlines(response) == ["March first"]
    doc = html5lib.parse(response.content.decode(), namespaceHTMLElements=True)
    nav = doc.find(".//h:a[@rel='next']", NS)
    assert nav.get("href") == reverse("articles:archive_day", args=[2025, 3, 31])


def test_archives_never_show_drafts_or_scheduled_stories(client, dated):
    today = timezone.localdate()
    urls = [
        reverse("articles:archive_year", args=[2025]),
        reverse("articles:archive_month", args=[2025, 3]),
        reverse("articles:archive_day", args=[2025, 3, 1]),
        reverse("articles:archive_year", args=[today.year]),
        reverse("articles:archive_month", args=[today.year, today.month]),
        reverse("articles:archive_day", args=[today.year, today.month, today.day]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 404}
        assert b"MARKER" not in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/archive/2025/13/",
        "/archive/2025/00/",
        "/archive/2025/02/30/",
        "/archive/2025/04/31/",
        "/archive/0000/",
        "/archive/9999/",
        "/archive/9999/12/",
        "/archive/9999/12/31/",
        "/archive/2023/",  # a valid year without stories
        "/archive/2025/05/",
        "/archive/2025/03/02/",
        "/archive/2025/3/",
        "/archive/25/",
    ],
)
def test_invalid_or_empty_periods_are_404(client, dated, path):
    assert client.get(path).status_code == 404


def test_archive_is_paginated(client, db, settings):
    settings.ARTICLES_PER_PAGE = 2
    for day in range(1, 6):
        make_article(headline=f"Day {day}", published_at=seoul(2025, 6, day, 12))
    url = reverse("articles:archive_month", args=[2025, 6])
    assert headlines(client.get(url)) == ["Day 5", "Day 4"]
    assert headlines(client.get(url, {"page": 3})) == ["Day 1"]
    assert client.get(url, {"page": 4}).status_code == 404
    assert client.get(url, {"page": "99999999"}).status_code == 404


@pytest.mark.parametrize("rows", [10, 210])
def test_archive_query_count_is_flat(client, db, django_assert_num_queries, rows):
    section = make_section()
    for n in range(rows):
        make_article(
            section=section,
            authors=[make_author()],
            tags=[f"t{n % 7}"],
            published_at=seoul(2025, 7, 1 + n % 28, 12),
        )
    # Per view: the empty check, the date list (or, for a day, the previous and
    # next month), the previous and next period, count, page, bylines, tags and
    # the nav sections.
    for url, budget in [
        (reverse("articles:archive_year", args=[2025]), 9),
        (reverse("articles:archive_month", args=[2025, 7]), 9),
        (reverse("articles:archive_day", args=[2025, 7, 2]), 10),
    ]:
        with django_assert_num_queries(budget):
            assert client.get(url).status_code == 200


# Related stories (ArticleQuerySet.related_to).


def related_for(article):
    loaded = Article.objects.for_listing().get(pk=article.pk)
    live = Article.objects.published().for_cards()
    return list(live.related_to(loaded, RELATED_STORIES))


def test_related_stories_favour_more_shared_tags_then_recency(db):
    now = timezone.now()
    story = make_article(tags=["a", "b", "c"])
    two_old = make_article(tags=["a", "b"], published_at=now - timedelta(days=9))
    one_new = make_article(tags=["c"], published_at=now - timedelta(minutes=5))
    one_old = make_article(tags=["a"], published_at=now - timedelta(days=3))
    make_article(tags=["z"])
    assert related_for(story) == [two_old, one_new, one_old]


def test_related_stories_are_published_only_and_never_the_story_itself(db):
    story = make_article(tags=["a"])
    make_draft(tags=["a"])
    make_article(tags=["a"], published_at=timezone.now() + timedelta(hours=1))
    live = make_article(tags=["a"])
    assert related_for(story) == [live]


def test_story_without_tags_has_no_related_stories(db):
    make_article(tags=["a"])
    assert related_for(make_article()) == []


def test_related_stories_are_capped(db):
    story = make_article(tags=["a"])
    for _ in range(RELATED_STORIES + 3):
        make_article(tags=["a"])
    assert len(related_for(story)) == RELATED_STORIES


@pytest.mark.parametrize("rows", [10, 200])
def test_related_stories_take_a_bounded_number_of_queries(
    db, django_assert_num_queries, rows
):
    story = make_article(tags=["a", "b"])
    for n in range(rows):
        make_article(tags=["a", f"x{n}"], authors=[make_author(), make_author()])
    loaded = type(story).objects.for_listing().with_tags().get(pk=story.pk)
    # The related stories and their bylines (cards show no tags).
    with django_assert_num_queries(2):
        live = Article.objects.published().for_cards()
        related = list(live.related_to(loaded, RELATED_STORIES))
        for article in related:
            [b.author.name for b in article.bylines.all()]
    assert len(related) == RELATED_STORIES
