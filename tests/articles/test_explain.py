"""Index budgets: every query a reader page runs can be answered from an index.

On PostgreSQL each SELECT that the home, story, section, tag and author pages
run (their lists, counts, prefetches, Most Viewed and Most Commented) is
EXPLAINed with sequential scans priced out (``enable_seqscan = off``): the
planner still picks a Seq Scan when no index can serve the query, so a plan
without one on the big tables proves an index exists for it. Small lookup
tables (sections, tags, users) may be scanned.

SQLite has no comparable planner switch; these tests run in the PostgreSQL CI.
"""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import (
    Article,
    ArticleDailyViews,
    ArticleViewTotal,
    Author,
    Byline,
    Section,
    TaggedArticle,
)
from comments.models import Comment

pytestmark = pytest.mark.django_db

BIG_TABLES = [
    "articles_article",
    "articles_byline",
    "articles_taggedarticle",
    "articles_articledailyviews",
    "articles_articleviewtotal",
    "comments_comment",
]

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="EXPLAIN plans are checked on PostgreSQL (the CI's second run); "
    "SQLite has no enable_seqscan switch to price table scans out.",
)


def build(stories=400):
    rng = random.Random(7)
    sections = Section.objects.bulk_create(
        Section(name=f"Section {i}", slug=f"section-{i}", order=i) for i in range(8)
    )
    authors = Author.objects.bulk_create(
        Author(name=f"Reporter {i}", slug=f"reporter-{i}") for i in range(20)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(40)
    )
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            headline=f"Story {i}",
            slug=f"story-{i}",
            body="<p>Text.</p>",
            section=sections[i % len(sections)],
            status=Article.Status.PUBLISHED if i % 10 else Article.Status.DRAFT,
            published_at=now - timedelta(hours=i) if i % 10 else None,
            is_top_story=i % 50 == 1,
        )
        for i in range(stories)
    )
    Byline.objects.bulk_create(
        Byline(article=a, author=authors[(i + k) % 20], order=k)
        for i, a in enumerate(articles)
        for k in range(2)
    )
    TaggedArticle.objects.bulk_create(
        TaggedArticle(content_object=a, tag=tags[(i * 3 + k) % 40])
        for i, a in enumerate(articles)
        for k in range(3)
    )
    today = timezone.localdate()
    ArticleDailyViews.objects.bulk_create(
        ArticleDailyViews(
            article=a, day=today - timedelta(days=d), views=rng.randint(1, 500)
        )
        for a in articles[:200]
        for d in range(10)
    )
    ArticleViewTotal.objects.bulk_create(
        ArticleViewTotal(article=a, views=100) for a in articles
    )
    Comment.objects.bulk_create(
        Comment(
            article=articles[rng.randrange(1, stories, 10) or 1],
            name="Reader",
            body="Words.",
            status=Comment.Status.APPROVED if k % 4 else Comment.Status.PENDING,
            created_at=now - timedelta(hours=rng.randint(0, 400)),
        )
        for k in range(1000)
    )
    return {
        "home": reverse("articles:home"),
        "home page 2": reverse("articles:home") + "?page=2",
        "story": articles[11].get_absolute_url(),
        "section": sections[3].get_absolute_url(),
        "tag": reverse("articles:tag", args=[tags[3].slug]),
        "author": authors[5].get_absolute_url(),
    }


def plans_of(client, url, seqscan=False):
    """``[(sql, plan)]`` for every SELECT the page runs."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if not seqscan:
            cursor.execute("SET enable_seqscan = off")
        try:
            for query in captured:
                sql = query["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN " + sql)
                plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
        finally:
            cursor.execute("RESET enable_seqscan")
    return plans


@postgresql_only
@pytest.mark.parametrize(
    "page", ["home", "home page 2", "story", "section", "tag", "author"]
)
def test_every_query_of_a_reader_page_can_use_an_index(client, page):
    urls = build()
    plans = plans_of(client, urls[page])
    assert plans
    for sql, plan in plans:
        for table in BIG_TABLES:
            assert f"Seq Scan on {table}" not in plan, f"{sql}\n\n{plan}"


@postgresql_only
def test_the_story_lists_are_index_walks_with_the_planner_unconstrained():
    """With thousands of stories and the planner free to choose, each list a
    reader page shows (a page of 20, newest first) reads the newest stories
    through an index and stops: no Seq Scan and no sort of every story."""
    build(stories=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    live = Article.objects.published()
    section = Section.objects.get(slug="section-3")
    tag = Tag.objects.get(slug="topic-3")
    author = Author.objects.get(slug="reporter-5")
    lists = {
        "top stories": live.filter(is_top_story=True)[:5],
        "latest": live.exclude(pk__in=[1, 2, 3])[:20],
        "latest, page 3": live[40:60],
        "section": live.filter(section=section)[:20],
        "tag": live.tagged(tag)[:20],
        "author": live.by_author(author)[:20],
    }
    for name, query in lists.items():
        plan = query.explain()
        assert "Seq Scan on articles_article" not in plan, f"{name}:\n{plan}"
        assert "Index Scan using article_" in plan, f"{name}:\n{plan}"


def test_most_viewed_and_most_commented_are_not_recomputed_per_request(
    client, settings
):
    """Both lists come from the cache on later requests (page cache off)."""
    settings.PAGE_CACHE = False
    urls = build(stories=60)
    client.get(urls["story"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(urls["story"]).status_code == 200
    sqls = [query["sql"] for query in captured]
    assert not [sql for sql in sqls if "articles_articledailyviews" in sql]
    # Comment counts of the cards on the page are per request, but bounded by
    # the page's stories; the 7-day Most Commented ranking is not.
    assert not [sql for sql in sqls if '"comments_comment"."created_at" >=' in sql]
