"""Unpublished stories leak nowhere: drafts, stories in review and scheduled
stories carry a unique marker in every field, and no public surface may show it.

The hidden stories share a section, a tag and an author with a live story, and
carry approved comments and views, so every listing, count, "related" block and
"most" list has a chance to leak them.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.comments.conftest import form_data, make_comment
from tests.factories import make_article, make_author, make_section
from tests.security.conftest import parse_html
from viewcounts import counter

pytestmark = pytest.mark.django_db

HIDDEN_STATES = {
    "draft": {"status": Article.Status.DRAFT, "published_at": None},
    "draft-with-past-time": {
        "status": Article.Status.DRAFT,
        "published_at": timezone.now() - timedelta(days=1),
    },
    "scheduled": {
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(hours=3),
    },
    "scheduled-next-year": {
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(days=400),
    },
}
if hasattr(Article.Status, "REVIEW"):
    HIDDEN_STATES["in-review"] = {"status": Article.Status.REVIEW, "published_at": None}
    HIDDEN_STATES["in-review-with-past-time"] = {
        "status": Article.Status.REVIEW,
        "published_at": timezone.now() - timedelta(hours=1),
    }


@pytest.fixture(params=HIDDEN_STATES, ids=list(HIDDEN_STATES))
def world(request):
    marker = f"zqxleak{request.param.replace('-', '')}"
    section = make_section(slug="world")
    author = make_author(slug="ann")
    live = make_article(
        headline="Live story", section=section, authors=[author], tags=["ports"]
    )
    hidden = make_article(
        headline=f"Secret {marker} headline",
        slug=f"{marker}-slug",
        dek=f"Dek {marker}",
        body=f"<p>Body {marker}</p>",
        lead_image_caption=f"Caption {marker}",
        section=section,
        authors=[author],
        tags=["ports", f"{marker}tag"],
        is_top_story=True,
        **HIDDEN_STATES[request.param],
    )
    # Approved comments and views on the hidden story: "most" lists must skip it.
    for n in range(5):
        make_comment(hidden, body=f"Comment {n} {marker}", name=f"{marker}name")
    make_comment(live, body="A live comment")
    today = timezone.localdate()
    counter.apply_counts({(hidden.pk, today): 1000, (live.pk, today): 1})
    return {"marker": marker, "live": live, "hidden": hidden, "section": section}


def _hidden_day(world):
    local = timezone.localtime(world["hidden"].published_at or timezone.now())
    return local.year, f"{local.month:02d}", f"{local.day:02d}"


PUBLIC = {
    "home": lambda w: reverse("articles:home"),
    "home-page-2": lambda w: reverse("articles:home") + "?page=2",
    "live-story": lambda w: w["live"].get_absolute_url(),
    "section": lambda w: reverse("articles:section", args=["world"]),
    "tag": lambda w: reverse("articles:tag", args=["ports"]),
    "tag-index": lambda w: reverse("articles:tag_index"),
    "author": lambda w: reverse("articles:author", args=["ann"]),
    "author-index": lambda w: reverse("articles:author_index"),
    "search-marker": lambda w: reverse("articles:search") + f"?q={w['marker']}",
    "search-secret": lambda w: reverse("articles:search") + "?q=Secret",
    "search-tag": lambda w: reverse("articles:search") + "?q=story&tag=ports",
    "archive-year": lambda w: reverse("articles:archive_year", args=_hidden_day(w)[:1]),
    "archive-month": lambda w: reverse(
        "articles:archive_month", args=_hidden_day(w)[:2]
    ),
    "archive-day": lambda w: reverse("articles:archive_day", args=_hidden_day(w)),
    "rss-latest": lambda w: reverse("articles:feed_latest_rss"),
    "atom-latest": lambda w: reverse("articles:feed_latest_atom"),
    "rss-section": lambda w: reverse("articles:section_feed_rss", args=["world"]),
    "atom-section": lambda w: reverse("articles:section_feed_atom", args=["world"]),
    "rss-tag": lambda w: reverse("articles:tag_feed_rss", args=["ports"]),
    "atom-author": lambda w: reverse("articles:author_feed_atom", args=["ann"]),
    "sitemap-index": lambda w: reverse("sitemap_index"),
    "news-sitemap": lambda w: reverse("news_sitemap"),
    "robots": lambda w: reverse("robots_txt"),
    "comment-form-live": lambda w: reverse("comments:write", args=[w["live"].pk]),
}


def assert_no_marker(response, surface, marker):
    assert response.status_code in {200, 404}
    if surface.startswith("search"):
        # The search page repeats the reader's query; its results must not match.
        doc = parse_html(response.content)
        results = doc.findall(".//li[@class='search-result']")
        assert not any(marker in "".join(li.itertext()).lower() for li in results)
        if "marker" in surface:
            assert results == []
    else:
        assert marker.encode() not in response.content.lower()


@pytest.mark.parametrize("surface", PUBLIC)
def test_unpublished_stories_appear_on_no_public_surface(client, world, surface):
    response = client.get(PUBLIC[surface](world))
    assert_no_marker(response, surface, world["marker"])


def test_every_section_sitemap_leaves_them_out(client, world):
    import xml.etree.ElementTree as ET

    index = ET.fromstring(client.get(reverse("sitemap_index")).content)
    for loc in [el.text for el in index.iter() if el.tag.endswith("loc")]:
        response = client.get(loc.split("testserver", 1)[1])
        assert response.status_code == 200
        assert world["marker"].encode() not in response.content


def test_the_tag_index_counts_only_live_stories(client, world):
    doc = parse_html(client.get(reverse("articles:tag_index")).content)
    counts = {
        li.find("a").text: li.find("span").text
        for li in doc.iter("li")
        if li.find("span") is not None and li.find("a") is not None
    }
    assert counts.get("ports") == "1 story"
    assert not any(world["marker"] in name for name in counts)


def test_the_hidden_story_its_tag_and_its_archive_day_are_not_found(client, world):
    hidden = world["hidden"]
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("articles:tag", args=[f"{world['marker']}tag"])).status_code
        == 404
    )
    if (
        hidden.published_at
        and timezone.localdate(hidden.published_at) > timezone.localdate()
    ):
        url = reverse("articles:archive_day", args=_hidden_day(world))
        assert client.get(url).status_code == 404


def test_comment_endpoints_of_a_hidden_story_are_not_found(client, world):
    hidden = world["hidden"]
    comment = hidden.comments.first()
    assert client.get(reverse("comments:write", args=[hidden.pk])).status_code == 404
    response = client.post(
        reverse("comments:post", args=[hidden.pk]), form_data(hidden)
    )
    assert response.status_code == 404
    assert hidden.comments.count() == 5
    assert (
        client.get(reverse("comments:confirm_report", args=[comment.pk])).status_code
        == 404
    )
    assert client.post(reverse("comments:report", args=[comment.pk])).status_code == 404


def test_the_view_beacon_of_a_hidden_story_is_not_found_and_counts_nothing(
    client, world
):
    from viewcounts.models import ArticleViewTotal

    hidden = world["hidden"]
    headers = {"HTTP_USER_AGENT": "Mozilla/5.0 Firefox/130.0"}
    assert (
        client.post(
            reverse("viewcounts:record_view", args=[hidden.pk]), **headers
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("viewcounts:view_pixel", args=[hidden.pk]), **headers
        ).status_code
        == 404
    )
    assert ArticleViewTotal.objects.get(article=hidden).views == 1000


def test_the_live_storys_json_ld_and_related_block_leave_them_out(client, world):
    doc = parse_html(client.get(world["live"].get_absolute_url()).content)
    for script in doc.iter("script"):
        assert world["marker"] not in (script.text or "")
    related = doc.find(".//section[@class='related']")
    if related is not None:
        assert world["marker"] not in "".join(related.itertext())


def test_a_staff_login_does_not_make_public_pages_show_them(client, world):
    from tests.factories import make_user

    client.force_login(make_user(superuser=True, staff=True))
    for surface in ["home", "section", "tag", "rss-latest", "search-marker"]:
        response = client.get(PUBLIC[surface](world))
        assert_no_marker(response, surface, world["marker"])


# Side doors: search's tag filter, the story list's filters, comment settings ----


def test_search_answers_a_draft_only_tag_like_an_unknown_one(client):
    make_article(headline="Live story", tags=["harbour"])
    make_article(
        headline="Secret draft",
        status=Article.Status.DRAFT,
        published_at=None,
        tags=["zq-merger-plan"],
    )
    drafts_only = client.get("/search/", {"q": "story", "tag": "zq-merger-plan"})
    unknown = client.get("/search/", {"q": "story", "tag": "zq-no-such-tag"})
    assert drafts_only.status_code == unknown.status_code
    assert drafts_only.context["form"].errors == unknown.context["form"].errors
    assert "Secret draft" not in drafts_only.content.decode()
    assert (
        client.get("/search/", {"q": "story", "tag": "harbour"})
        .context["form"]
        .is_valid()
    )


def test_a_reporter_sees_only_their_own_stories_tags_and_authors_in_filters(client):
    from tests.articles.workflow_helpers import make_role_user

    reporter, other = make_role_user("Reporter"), make_role_user("Reporter")
    mine, theirs = make_author(name="Zq Mine"), make_author(name="Zq Theirs")
    make_article(
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=reporter,
        tags=["zq-own-tag"],
        authors=[mine],
    )
    make_article(
        status=Article.Status.DRAFT,
        published_at=None,
        created_by=other,
        tags=["zq-their-tag"],
        authors=[theirs],
    )
    client.force_login(reporter)
    body = client.get("/admin/articles/article/").content.decode()
    assert "zq-own-tag" in body and "Zq Mine" in body
    assert "zq-their-tag" not in body and "Zq Theirs" not in body
    tags = client.get("/admin/taggit/tag/").content.decode()
    assert "zq-own-tag" in tags and "zq-their-tag" not in tags


def test_a_moderator_cannot_read_a_draft_headline_in_the_comment_settings(client):
    from tests.articles.workflow_helpers import make_role_user

    draft = make_article(
        headline="Zq secret headline", status=Article.Status.DRAFT, published_at=None
    )
    live = make_article(headline="Zq live headline")
    client.force_login(make_role_user("Moderator"))
    url = "/admin/comments/storycommentsettings/add/"
    assert (
        "Zq secret headline"
        not in client.get(url, {"article": draft.pk}).content.decode()
    )
    assert "Zq live headline" in client.get(url, {"article": live.pk}).content.decode()
    # A draft's id is "not a valid choice", exactly like a missing one.
    refused = client.post(url, {"article": draft.pk, "mode": "pre"})
    missing = client.post(url, {"article": 999999, "mode": "pre"})
    assert refused.status_code == missing.status_code == 200
    assert (
        refused.context["adminform"].form.errors
        == missing.context["adminform"].form.errors
    )
