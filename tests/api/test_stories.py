"""What the API says about stories, sections, tags and authors."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from articles import images, services
from articles.models import Article, Byline
from comments.models import Comment
from tests.articles.test_images import jpeg_bytes
from tests.factories import make_article, make_author, make_section
from viewcounts.models import ArticleDailyViews

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_the_story_list_is_the_published_stories_newest_first(newsroom, client):
    data = get(client, "/api/v1/stories")
    assert [item["id"] for item in data["items"]] == [
        newsroom.story.pk,
        newsroom.korean.pk,
    ]
    assert data["next_cursor"] is None and data["next"] is None
    first = data["items"][0]
    assert first["headline"] == "Harbour reopens after the storm"
    assert first["section"]["slug"] == "harbour"
    assert first["url"] == "http://testserver" + newsroom.story.get_absolute_url()
    assert first["api_url"] == f"http://testserver/api/v1/stories/{newsroom.story.pk}"
    assert "body_html" not in first  # lists carry no body


def test_every_byline_keeps_its_role_and_order(newsroom, client):
    data = get(client, f"/api/v1/stories/{newsroom.story.pk}")
    assert [(b["role"], b["author"]["slug"]) for b in data["bylines"]] == [
        ("by", "min-ji-park"),
        ("translated", "sam-lee"),
    ]
    assert data["bylines"][1]["role_label"] == "Translated by"
    assert sorted(tag["slug"] for tag in data["tags"]) == ["harbour", "storms"]


def test_the_story_carries_its_corrections_live_updates_and_translations(
    newsroom, client
):
    data = get(client, f"/api/v1/stories/{newsroom.story.pk}")
    assert [note["text"] for note in data["corrections"]] == [
        "An earlier version misnamed the pier."
    ]
    assert data["corrections"][0]["kind"] == "correction"
    assert data["live"]["is_ended"] is False
    assert [update["text"] for update in data["live"]["updates"]] == [
        "Ferries are running again."
    ]
    assert [(t["id"], t["language"]) for t in data["translations"]] == [
        (newsroom.korean.pk, "ko")
    ]
    # And back: the Korean story lists the English one, and has no coverage.
    korean = get(client, f"/api/v1/stories/{newsroom.korean.pk}")
    assert [t["id"] for t in korean["translations"]] == [newsroom.story.pk]
    assert korean["live"] is None
    assert korean["headline"] == "폭풍 후 항구 재개장"


def test_a_draft_translation_is_not_listed(newsroom, client):
    newsroom.korean.status = Article.Status.DRAFT
    services.save_story(newsroom.korean)
    data = get(client, f"/api/v1/stories/{newsroom.story.pk}")
    assert data["translations"] == []


def test_the_body_is_the_sanitised_html(client, db):
    story = make_article(body='<p onclick="x()">Hi <script>alert(1)</script>there</p>')
    data = get(client, f"/api/v1/stories/{story.pk}")
    assert "onclick" not in data["body_html"]
    assert "<script" not in data["body_html"]
    assert "Hi" in data["body_html"] and "there" in data["body_html"]


def test_the_comment_count_is_of_approved_comments(newsroom, client):
    for status in (Comment.Status.APPROVED, Comment.Status.PENDING):
        Comment.objects.create(
            article=newsroom.story,
            name="Reader",
            email="reader@example.org",
            body=f"A {status} comment",
            status=status,
        )
    data = get(client, f"/api/v1/stories/{newsroom.story.pk}")
    assert data["comment_count"] == 1


def test_the_lead_image_comes_with_its_renditions(
    client, db, django_capture_on_commit_callbacks
):
    story = make_article(lead_image_alt="A red square", lead_image_credit="Desk")
    story.lead_image = images.clean_image(
        ContentFile(jpeg_bytes(size=(1200, 600)), name="photo.jpg")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
    picture = get(client, f"/api/v1/stories/{story.pk}")["lead_image"]
    assert picture["alt"] == "A red square"
    assert picture["credit"] == "Desk"
    assert (picture["original_width"], picture["original_height"]) == (1200, 600)
    widths = {(r["format"], r["width"]) for r in picture["renditions"]}
    # Never upscaled: 320, 640, 1024 and the original's own 1200.
    assert widths == {
        (fmt, w) for fmt in ("webp", "jpeg") for w in (320, 640, 1024, 1200)
    }
    # The very files the site's <picture> points to, and they exist.
    storage = story.lead_image.storage
    for rendition in picture["renditions"]:
        name = rendition["url"].removeprefix("http://testserver" + storage.base_url)
        assert storage.exists(name), rendition["url"]
    assert picture["url"].endswith("-1024w.jpg")


def test_pages_follow_their_cursor_through_every_story_once(client, db):
    section = make_section()
    now = timezone.now()
    # Three stories share one publication time: the id breaks the tie.
    same = now - timedelta(hours=1)
    stories = [make_article(section=section, published_at=same) for _ in range(3)] + [
        make_article(section=section, published_at=now - timedelta(minutes=n))
        for n in range(2, 9)
    ]
    expected = [
        s.pk
        for s in sorted(stories, key=lambda s: (s.published_at, s.pk), reverse=True)
    ]
    seen, url, pages = [], "/api/v1/stories?limit=3", 0
    while url:
        data = get(client, url)
        assert len(data["items"]) <= 3
        seen += [item["id"] for item in data["items"]]
        url = data["next"]
        pages += 1
    assert seen == expected
    assert pages == 4


def test_a_new_story_does_not_shift_the_next_page(client, db):
    stories = [
        make_article(published_at=timezone.now() - timedelta(minutes=n))
        for n in range(1, 5)
    ]
    first = get(client, "/api/v1/stories", limit=2)
    make_article(published_at=timezone.now() - timedelta(seconds=1))
    second = get(client, "/api/v1/stories", limit=2, cursor=first["next_cursor"])
    assert [item["id"] for item in second["items"]] == [
        stories[2].pk,
        stories[3].pk,
    ]


def test_sections_tags_and_authors(newsroom, client):
    sections = get(client, "/api/v1/sections")["items"]
    assert [s["slug"] for s in sections] == ["harbour"]
    assert get(client, "/api/v1/sections/harbour")["name"] == "Harbour"
    in_section = get(client, "/api/v1/sections/harbour/stories")["items"]
    assert [s["id"] for s in in_section] == [newsroom.story.pk, newsroom.korean.pk]

    tags = get(client, "/api/v1/tags")["items"]
    assert [(t["slug"], t["story_count"]) for t in tags] == [
        ("harbour", 1),
        ("storms", 1),
    ]
    assert get(client, "/api/v1/tags/storms")["story_count"] == 1
    tagged = get(client, "/api/v1/tags/storms/stories")["items"]
    assert [s["id"] for s in tagged] == [newsroom.story.pk]

    authors = get(client, "/api/v1/authors")["items"]
    assert [a["slug"] for a in authors] == ["min-ji-park", "sam-lee"]
    assert get(client, "/api/v1/authors/sam-lee")["name"] == "Sam Lee"
    by = get(client, "/api/v1/authors/min-ji-park/stories")["items"]
    assert [s["id"] for s in by] == [newsroom.story.pk, newsroom.korean.pk]


def test_tags_and_authors_page_by_name(client, db):
    section = make_section()
    people = [make_author(name=f"Writer {n:02d}") for n in range(5)]
    for person in people:
        make_article(section=section, authors=[person], tags=[person.name + " tag"])
    names, url = [], "/api/v1/authors?limit=2"
    while url:
        data = get(client, url)
        names += [item["name"] for item in data["items"]]
        url = data["next"]
    assert names == [f"Writer {n:02d}" for n in range(5)]
    tags, url = [], "/api/v1/tags?limit=4"
    while url:
        data = get(client, url)
        tags += [item["name"] for item in data["items"]]
        url = data["next"]
    assert tags == [f"Writer {n:02d} tag" for n in range(5)]


def test_a_cursor_of_one_list_is_refused_by_another(client, db):
    for n in range(3):
        make_article(authors=[make_author()], tags=[f"t{n}"])
    story_cursor = get(client, "/api/v1/stories", limit=1)["next_cursor"]
    response = client.get("/api/v1/tags", {"cursor": story_cursor})
    assert response.status_code == 400
    assert response.json()["fields"]["cursor"]


def test_search_uses_the_site_search(newsroom, client):
    data = get(client, "/api/v1/search", q="storm")
    assert [item["id"] for item in data["items"]] == [newsroom.story.pk]
    assert data["query"] == "storm"
    assert get(client, "/api/v1/search", q="storm", tag="harbour")["items"]
    assert get(client, "/api/v1/search", q="nothingmatchesthis")["items"] == []


def test_search_pages_by_cursor(client, db):
    section = make_section()
    for n in range(5):
        make_article(section=section, headline=f"Tide tables {n}")
    ids, url = [], "/api/v1/search?q=tide&limit=2"
    while url:
        data = get(client, url)
        ids += [item["id"] for item in data["items"]]
        url = data["next"]
    assert len(ids) == len(set(ids)) == 5


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "!!! ???"}, {"q": "x", "tag": "no-such-tag"}, {}],
)
def test_search_without_words_or_with_a_bad_filter_is_a_400(client, db, params):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


def test_most_viewed_ranks_by_views_in_the_period(client, db):
    quiet, busy = make_article(), make_article()
    today = timezone.localdate()
    ArticleDailyViews.objects.create(article=quiet, day=today, views=3)
    ArticleDailyViews.objects.create(article=busy, day=today, views=30)
    data = get(client, "/api/v1/most-viewed", period="today")
    assert [(i["story"]["id"], i["count"], i["rank"]) for i in data["items"]] == [
        (busy.pk, 30, 1),
        (quiet.pk, 3, 2),
    ]
    assert data["period"] == "today"


def test_most_commented_ranks_by_approved_comments(client, db):
    one, two = make_article(), make_article()
    for story, count in ((one, 1), (two, 2)):
        for n in range(count):
            Comment.objects.create(
                article=story,
                name="Reader",
                email="r@example.org",
                body=f"Comment {n}",
                status=Comment.Status.APPROVED,
            )
    data = get(client, "/api/v1/most-commented")
    assert [(i["story"]["id"], i["count"]) for i in data["items"]] == [
        (two.pk, 2),
        (one.pk, 1),
    ]


def test_an_unknown_story_section_tag_or_author_is_a_json_404(client, db):
    for url in [
        "/api/v1/stories/999999",
        "/api/v1/stories/0",
        "/api/v1/stories/99999999999999999999999",
        "/api/v1/sections/nowhere",
        "/api/v1/tags/nowhere/stories",
        "/api/v1/authors/nobody",
        "/api/v1/no-such-endpoint",
        "/api/v1/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"] == "not_found"


def test_byline_roles_all_come_through(client, db):
    people = {role: make_author() for role in Byline.Role.values}
    story = make_article(authors=[(person, role) for role, person in people.items()])
    data = get(client, f"/api/v1/stories/{story.pk}")
    assert [b["role"] for b in data["bylines"]] == list(Byline.Role.values)
