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
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Byline, Section, TaggedArticle
from comments.models import Comment
from viewcounts.models import ArticleDailyViews, ArticleViewTotal

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
    # Few matches (``MatchListPaginator``): read through the tag's or the
    # author's own index and sorted, never a walk through all stories.
    few_tag = Tag.objects.create(name="Few", slug="few")
    few_author = Author.objects.create(name="Few", slug="few")
    for article in Article.objects.published()[::200]:
        article.tags.add(few_tag)
        Byline.objects.create(article=article, author=few_author, order=5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sorted_lists = {
        "tag, sorted": (live.tagged(few_tag), "tagged_article_tag_idx"),
        "author, sorted": (live.by_author(few_author), "byline_author_article_idx"),
    }
    for name, (query, index) in sorted_lists.items():
        plan = query.newest_first_by_sorting()[:20].explain()
        assert "Seq Scan on articles_" not in plan, f"{name}:\n{plan}"
        assert index in plan, f"{name}:\n{plan}"
        assert "article_status_pub_idx" not in plan, f"{name}:\n{plan}"


@postgresql_only
def test_a_rare_tag_page_does_not_walk_the_archive(client):
    """PostgreSQL's statistics know only the commonest tags: to the planner a
    tag with three old stories looks like any other, and newest-first it would
    walk every story looking for them. Counted first, the page is read through
    the tag's index instead."""
    build(stories=5000)
    rare = Tag.objects.create(name="Rare", slug="rare")
    for article in Article.objects.published().order_by("published_at")[:3]:
        article.tags.add(rare)
    plans = plans_of(client, reverse("articles:tag", args=[rare.slug]), seqscan=True)
    lists = [plan for sql, plan in plans if "ORDER BY" in sql and "COUNT(" not in sql]
    lists = [plan for plan in lists if "articles_article.published_at" in plan]
    assert len(lists) == 1, plans
    assert "tagged_article_tag_idx" in lists[0], lists[0]
    assert "article_status_pub_idx" not in lists[0], lists[0]


@postgresql_only
def test_reader_tables_are_never_scanned_in_parallel():
    """Parallel workers cost more than they save on pages that read a few rows
    through indexes under load (migration 0006)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)",
            [["articles_article", "articles_taggedarticle", "articles_byline"]],
        )
        options = dict(cursor.fetchall())
    assert len(options) == 3
    for table, reloptions in options.items():
        assert "parallel_workers=0" in (reloptions or []), table


@postgresql_only
@pytest.mark.parametrize("query", ["399", "story 399", "정상회담"])
def test_search_is_index_backed_and_reads_the_stored_vector(client, query):
    """The newest matches (which count them, up to one more than the cap) and
    the ranked page are index-backed and match and rank with the stored vector
    (migration 0006), never computing it from the text. (Which index the
    planner prefers on a few hundred stories varies; that the GIN and trigram
    indexes serve the match is checked in test_search.)"""
    build()
    plans = plans_of(client, reverse("articles:search") + f"?q={query}")
    searched = [(sql, plan) for sql, plan in plans if "search_vector" in sql]
    assert searched, plans
    for sql, plan in searched:
        assert "Seq Scan on articles_article" not in plan, plan
        assert "to_tsvector" not in sql, sql


@postgresql_only
@override_settings(SEARCH_MAX_CANDIDATES=50)
def test_a_capped_search_is_index_backed(client):
    """More matches than ``SEARCH_MAX_CANDIDATES``: the newest are found through
    an index, and the ranked page reads only them, by id."""
    build()
    plans = plans_of(client, reverse("articles:search") + "?q=story")
    searched = [(sql, plan) for sql, plan in plans if "search_vector" in sql]
    assert len(searched) == 2, plans
    (newest_sql, newest_plan), (page_sql, page_plan) = searched
    assert "LIMIT 51" in newest_sql, newest_sql
    assert "Index Cond: (id = ANY" in page_plan, page_plan
    for sql, plan in searched:
        assert "Seq Scan on articles_article" not in plan, plan
        assert "to_tsvector" not in sql, sql


def search_plans(client, query):
    """EXPLAIN ANALYZE of the search's query for the newest matches, with the
    planner free to choose.

    VACUUM as well as ANALYZE (so these tests run outside a transaction):
    rows that earlier tests inserted and rolled back stay in the tables and
    their indexes until a vacuum, and autovacuum may be off, which moves the
    planner's costs away from what a live database sees."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        url = reverse("articles:search") + f"?q={query}"
        assert client.get(url).status_code == 200
    newest = [
        q["sql"]
        for q in captured
        if "search_vector" in q["sql"] and "ts_rank" not in q["sql"]
    ]
    assert len(newest) == 1, captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + newest[0])
        return "\n".join(row[0] for row in cursor.fetchall())


@postgresql_only
@override_settings(SEARCH_MAX_CANDIDATES=100)
@pytest.mark.django_db(transaction=True)
def test_newest_matches_of_a_common_word_are_an_index_walk_that_stops(client):
    """Half the stories mention a harbour: the newest 101 are read by walking
    the (status, published_at) index, not by reading and sorting all 2,000.

    With fewer than 100 common words in the column's statistics (a small
    vocabulary, like the benchmark's), PostgreSQL prices a prefix term
    (``harbour:*``) at a flat 2%, as if rare; the exact word OR-ed into the
    match carries its real frequency."""
    section = Section.objects.create(name="News", slug="news")
    words = ["ferry", "bridge", "council", "school", "storm", "river", "market"]
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            headline=f"{'Harbour' if i % 2 else 'Town'} {words[i % 7]} report",
            slug=f"story-{i}",
            body="<p>Text.</p>",
            section=section,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(hours=i + 1),
        )
        for i in range(4000)
    )
    plan = search_plans(client, "harbour")
    assert "Index Scan using article_status_pub_idx" in plan, plan
    assert "Bitmap Heap Scan" not in plan, plan
    assert "Seq Scan on articles_article" not in plan, plan


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_newest_matches_of_a_rare_word_are_not_an_archive_walk(client):
    """A word in one story: its matches are found and then sorted (through the
    GIN index, or on a table this small a scan), never by walking every story
    newest first looking for them."""
    build(stories=5000)
    plan = search_plans(client, "4321")
    assert "article_status_pub_idx" not in plan, plan
    assert "Sort Key: published_at DESC" in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            plan = search_plans(client, "4321")
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "article_search_vector_idx" in plan, plan
