"""Query budgets: every public page costs the same number of queries at any size.

Each page is measured with 10 and with 1,000 published stories, every story
with three bylines and three tags, so a query per row (or per byline, per tag)
shows up as a changed count. The expected counts are exact: a new query on a
page is a decision, made here.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Byline, Section, TaggedArticle
from tests.factories import make_article, make_author

SIZES = [
    pytest.param(10, id="10-stories"),
    pytest.param(1000, id="1000-stories", marks=pytest.mark.slow),
]

# Page: (address, stories per page, queries). Every page also runs the header's
# section menu query. Story lists fetch their bylines in one query (a prefetch)
# and their approved-comment counts in one more, whatever the number of stories
# on the page; cards show no tags. The hooks other apps
# fill count too: "most commented" (1) and a story's comments (1) from the
# comments app; "most viewed" (1 per period: today, 7 days, 30 days) and a
# story's view count (1) from view tracking. Caches are empty in every test.
BUDGETS = {
    # front stories, count, page (laid out as section blocks and Latest),
    # bylines, comment counts; most commented, most viewed x3
    "home": (lambda data: reverse("articles:home"), None, 10),
    # front stories (left out of every page), count, page, bylines, comment counts
    "home page 2": (lambda data: reverse("articles:home") + "?page=2", 3, 6),
    # story, its bylines, its tags, related stories, their bylines, their comment
    # counts; its view count, its comments, most commented, most viewed x3;
    # its correction notes (corrections, shared by the page and its JSON-LD);
    # whether it is covered live (live)
    "story": (lambda data: data["story"].get_absolute_url(), None, 15),
    # section, count, page, bylines, comment counts
    "section": (lambda data: data["section"].get_absolute_url(), None, 6),
    # tag, count, page, bylines, comment counts
    "tag": (lambda data: reverse("articles:tag", args=[data["tag"].slug]), None, 6),
    # count, page of tags with their story counts
    "tag index": (lambda data: reverse("articles:tag_index"), None, 3),
    # author, count, page, bylines, comment counts
    "author": (lambda data: data["author"].get_absolute_url(), None, 6),
    # count, page of authors with their story counts
    "author index": (lambda data: reverse("articles:author_index"), None, 3),
}


def build_newsroom(stories):
    """``stories`` published stories in bulk, plus a draft and a future story.

    Four sections, eight authors, twelve tags; every story has three bylines
    with different roles and three tags; every other story has a lead image.
    """
    sections = Section.objects.bulk_create(
        Section(name=f"Section {i}", slug=f"section-{i}", order=i) for i in range(4)
    )
    authors = Author.objects.bulk_create(
        Author(name=f"Reporter {i}", slug=f"reporter-{i}", job_title="Reporter")
        for i in range(8)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"Topic {i}", slug=f"topic-{i}") for i in range(12)
    )
    now = timezone.now()
    published = Article.Status.PUBLISHED
    articles = [
        Article(
            headline=f"Story {i}",
            slug=f"story-{i}",
            dek=f"The standfirst of story {i}.",
            body=f"<p>Story {i}.</p>",
            section=sections[i % len(sections)],
            status=published,
            published_at=now - timedelta(minutes=i + 1),
            is_top_story=i < 3,
            lead_image=f"uploads/2026/01/{i}.webp" if i % 2 else "",
        )
        for i in range(stories)
    ]
    articles += [
        Article(headline="Draft", slug="draft", section=sections[0]),
        Article(
            headline="Future",
            slug="future",
            section=sections[0],
            status=published,
            published_at=now + timedelta(days=1),
        ),
    ]
    articles = Article.objects.bulk_create(articles, batch_size=500)
    roles = [Byline.Role.BY, Byline.Role.TRANSLATED, Byline.Role.PHOTOS]
    Byline.objects.bulk_create(
        (
            Byline(
                article=article,
                author=authors[(i + k) % len(authors)],
                role=role,
                order=k,
            )
            for i, article in enumerate(articles)
            for k, role in enumerate(roles)
        ),
        batch_size=500,
    )
    TaggedArticle.objects.bulk_create(
        (
            TaggedArticle(content_object=article, tag=tags[(i + k) % len(tags)])
            for i, article in enumerate(articles)
            for k in range(3)
        ),
        batch_size=500,
    )
    return {
        # Not a top story, and it shares tags with others: related stories show.
        "story": articles[5],
        "section": sections[1],
        "tag": tags[1],
        "author": authors[1],
    }


@pytest.mark.parametrize("page", list(BUDGETS))
@pytest.mark.parametrize("stories", SIZES)
def test_public_page_query_count_does_not_grow_with_stories(
    client, db, settings, django_assert_num_queries, page, stories
):
    url, per_page, queries = BUDGETS[page]
    if per_page:
        settings.ARTICLES_PER_PAGE = per_page
    data = build_newsroom(stories)
    url = url(data)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["tag", "author"])
@pytest.mark.parametrize("sort_below", [0, 10_000], ids=["walk", "sort"])
def test_tag_and_author_pages_list_the_same_stories_read_either_way(
    client, db, settings, monkeypatch, page, sort_below
):
    """A tag's or author's list is read by sorting its stories when it has
    few (``SORT_MATCHES_BELOW``), else by walking the newest stories: the
    pages are the same, in the same order, drafts and future stories left out,
    and a story with two bylines of one author appears once."""
    from articles import views

    monkeypatch.setattr(views, "SORT_MATCHES_BELOW", sort_below)
    settings.ARTICLES_PER_PAGE = 4
    data = build_newsroom(40)
    if page == "tag":
        url = reverse("articles:tag", args=[data["tag"].slug])
        expected = Article.objects.published().tagged(data["tag"])
    else:
        author = data["author"]
        story = Article.objects.published().by_author(author).last()
        Byline.objects.create(
            article=story, author=author, role=Byline.Role.EDITED, order=9
        )
        url = author.get_absolute_url()
        expected = Article.objects.published().by_author(author)
    expected = [article.headline for article in expected.order_by("-published_at")]
    assert len(expected) > 4

    shown = []
    for number in range(1, len(expected) // 4 + 2):
        response = client.get(url, {"page": number} if number > 1 else {})
        assert response.status_code == 200
        assert response.context["paginator"].count == len(expected)
        shown += [article.headline for article in response.context["object_list"]]

    assert shown == expected


def test_index_counts_leave_out_drafts_scheduled_stories_and_repeat_bylines(client, db):
    """The tag and author indexes count every story less the unpublished ones
    (``Article.objects.hidden()``): the same numbers as counting live stories."""
    data = build_newsroom(6)  # plus a draft and a future story, tagged and bylined
    tag, author = data["tag"], data["author"]
    story = Article.objects.published().by_author(author).first()
    Byline.objects.create(article=story, author=author, role=Byline.Role.EDITED)
    review = Article.objects.create(
        headline="In review",
        slug="in-review",
        section=data["section"],
        status=Article.Status.REVIEW,
    )
    review.tags.add(tag)
    Byline.objects.create(article=review, author=author)

    tags = client.get(reverse("articles:tag_index")).context["tags"]
    authors = client.get(reverse("articles:author_index")).context["authors"]

    live = Article.objects.published()
    assert {t.slug: t.story_count for t in tags} == {
        t.slug: live.tagged(t).count()
        for t in Tag.objects.all()
        if live.tagged(t).exists()
    }
    assert {a.slug: a.story_count for a in authors} == {
        a.slug: live.by_author(a).count()
        for a in Author.objects.all()
        if live.by_author(a).exists()
    }
    assert Article.objects.tagged(tag).count() > live.tagged(tag).count()
    assert Article.objects.by_author(author).count() > live.by_author(author).count()


def is_count_query(sql):
    return sql.startswith("SELECT COUNT(*)")


def test_a_busy_author_page_counts_once_per_content_version(
    client, transactional_db, monkeypatch
):
    """Kept per content version when every process shares the cache: the
    next render skips the count; a new story moves the version and is counted."""
    from newsroom import sharedcache

    monkeypatch.setattr(sharedcache, "is_shared", lambda alias="default": True)
    author = make_author(name="Busy Reporter")
    for _ in range(3):
        make_article(authors=[author])
    url = author.get_absolute_url()

    def render():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts = [
            q["sql"] for q in queries.captured_queries if is_count_query(q["sql"])
        ]
        return response, len(counts)

    first, counted = render()
    assert counted == 1 and first.context["paginator"].count == 3
    again, counted = render()
    assert counted == 0 and again.context["paginator"].count == 3

    make_article(authors=[author])  # saved: the version moves
    fresh, counted = render()
    assert counted == 1 and fresh.context["paginator"].count == 4
