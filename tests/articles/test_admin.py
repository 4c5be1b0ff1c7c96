import json
from datetime import timedelta
from urllib.parse import urlsplit

import html5lib
import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Byline
from tests.factories import (
    make_article,
    make_author,
    make_draft,
    make_section,
    make_user,
)

CHANGELIST = "admin:articles_article_changelist"

EDITOR_PERMISSIONS = [
    (app, f"{action}_{model}")
    for app, model in [
        ("articles", "article"),
        ("articles", "section"),
        ("articles", "author"),
        ("articles", "byline"),
        ("taggit", "tag"),
    ]
    for action in ("add", "change", "delete", "view")
] + [("articles", "publish_article")]  # the Editor role (articles.roles)


def make_editor():
    user = make_user(staff=True)
    for app_label, codename in EDITOR_PERMISSIONS:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture(params=["superuser", "editor"])
def staff_client(request, db, client):
    user = make_user(superuser=True) if request.param == "superuser" else make_editor()
    client.force_login(user)
    return client


def parse(response):
    return html5lib.parse(
        response.content.decode(response.charset), namespaceHTMLElements=False
    )


def add_form_data(section, bylines, **overrides):
    data = {
        "headline": "Talks resume in Geneva",
        "slug": "talks-resume-in-geneva",
        "dek": "Negotiators meet again after a month.",
        "body": "<p>First paragraph.</p><p>Second paragraph.</p>",
        "lead_image_alt": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "section": str(section.pk),
        "language": "en",
        "tags": "Diplomacy, 북한",
        "status": "published",
        "published_at_0": "2026-01-02",
        "published_at_1": "09:30:00",
        "comments_enabled": "on",
        "bylines-TOTAL_FORMS": str(len(bylines)),
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
    }
    for i, (author, role, order) in enumerate(bylines):
        data[f"bylines-{i}-author"] = str(author.pk)
        data[f"bylines-{i}-role"] = role
        data[f"bylines-{i}-order"] = str(order)
    data.update(overrides)
    return data


def test_changelist_loads_for_staff(staff_client):
    make_article(authors=[make_author()], tags=["Economy"])
    response = staff_client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1


def test_changelist_filters_and_search_narrow_the_list(staff_client):
    section = make_section()
    author = make_author()
    wanted = make_article(
        headline="Ports reopen after the storm",
        section=section,
        authors=[author],
        tags=["Weather"],
        is_top_story=True,
    )
    make_article(section=section, authors=[author], tags=["Weather"])
    make_article(headline="Ports reopen elsewhere", tags=["Weather"])
    make_draft(headline="Ports reopen draft", section=section, authors=[author])
    tag = Tag.objects.get(name="Weather")

    response = staff_client.get(
        reverse(CHANGELIST),
        {
            "status__exact": "published",
            "section__id__exact": section.pk,
            "tags__id__exact": tag.pk,
            "author": author.pk,
            "is_top_story__exact": "1",
            "q": "ports",
        },
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [wanted]


def test_author_filter_finds_stories_by_any_byline_role(staff_client):
    translator = make_author()
    translated = make_article(authors=[make_author(), (translator, "translated")])
    make_article(authors=[make_author()])

    response = staff_client.get(reverse(CHANGELIST), {"author": translator.pk})

    assert list(response.context["cl"].result_list) == [translated]


def test_changelist_date_hierarchy_drills_down(staff_client):
    story = make_article(published_at=timezone.now() - timedelta(days=1))
    local = timezone.localtime(story.published_at)
    response = staff_client.get(
        reverse(CHANGELIST),
        {"published_at__year": local.year, "published_at__month": local.month},
    )
    assert response.status_code == 200
    assert story in response.context["cl"].result_list


def test_changelist_shows_bylines_in_order(staff_client):
    first = make_author(name="Choi Young Hoon")
    second = make_author(name="Eugene Park")
    make_article(authors=[first, (second, "translated")])

    response = staff_client.get(reverse(CHANGELIST))

    cells = parse(response).findall(".//td[@class='field-byline_names']")
    assert [cell.text for cell in cells] == ["Choi Young Hoon, Eugene Park"]


def test_add_page_renders_the_prose_editor_from_local_assets(staff_client):
    response = staff_client.get(reverse("admin:articles_article_add"))

    assert response.status_code == 200
    document = parse(response)
    body = document.find(".//textarea[@name='body']")
    assert body is not None
    assert "data-django-prose-editor-configurable" in body.attrib
    scripts = [s.get("src") for s in document.iter("script") if s.get("src")]
    assert "/static/django_prose_editor/editor.js" in scripts
    assert "/static/django_prose_editor/configurable.js" in scripts
    stylesheets = [link.get("href") for link in document.iter("link")]
    assert "/static/django_prose_editor/editor.css" in stylesheets
    (importmap,) = [s for s in document.iter("script") if s.get("type") == "importmap"]
    modules = json.loads(importmap.text)["imports"].values()
    assert "/static/django_prose_editor/editor.js" in modules
    # Nothing comes from another host.
    for url in [*scripts, *stylesheets, *modules]:
        assert url.startswith("/") and not url.startswith("//"), url
        assert not urlsplit(url).netloc, url


def test_change_page_loads_with_bylines_and_tags(staff_client):
    story = make_article(authors=[make_author()], tags=["Economy", "북한"])

    response = staff_client.get(
        reverse("admin:articles_article_change", args=[story.pk])
    )

    assert response.status_code == 200
    document = parse(response)
    tags = document.find(".//input[@name='tags']")
    assert set(tags.get("value").split(", ")) == {"Economy", "북한"}
    assert document.find(".//select[@name='bylines-0-author']") is not None


def test_change_page_offers_view_on_site(staff_client):
    story = make_article()
    response = staff_client.get(
        reverse("admin:articles_article_change", args=[story.pk])
    )
    hrefs = [a.get("href") for a in parse(response).iter("a")]
    assert any(href and href.startswith("/admin/r/") for href in hrefs)


def test_adding_a_story_saves_bylines_in_order_and_tags(staff_client):
    section = make_section()
    reporter = make_author()
    translator = make_author()

    response = staff_client.post(
        reverse("admin:articles_article_add"),
        add_form_data(
            section,
            [(translator, "translated", 1), (reporter, "by", 0)],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Article.objects.get(slug="talks-resume-in-geneva")
    assert [(b.author, b.role) for b in story.bylines.all()] == [
        (reporter, Byline.Role.BY),
        (translator, Byline.Role.TRANSLATED),
    ]
    assert set(story.tags.names()) == {"Diplomacy", "북한"}
    assert story.status == Article.Status.PUBLISHED
    assert story.section == section


def test_admin_form_stores_sanitised_body(staff_client):
    section = make_section()
    body = (
        '<p onclick="steal()">Hello <script>alert(1)</script>'
        '<a href="javascript:alert(1)">link</a></p><iframe src="//evil"></iframe>'
    )

    response = staff_client.post(
        reverse("admin:articles_article_add"),
        add_form_data(section, [(make_author(), "by", 0)], body=body),
    )

    assert response.status_code == 302
    story = Article.objects.get(slug="talks-resume-in-geneva")
    assert story.body == '<p>Hello <a rel="noopener noreferrer">link</a></p>'


def test_publish_action_publishes_and_keeps_existing_times(staff_client):
    earlier = timezone.now() - timedelta(days=3)
    never_published = make_draft()
    scheduled_back = make_draft(published_at=earlier)
    untouched = make_draft()

    response = staff_client.post(
        reverse(CHANGELIST),
        {
            "action": "publish",
            "_selected_action": [never_published.pk, scheduled_back.pk],
        },
    )

    assert response.status_code == 302
    never_published.refresh_from_db()
    scheduled_back.refresh_from_db()
    untouched.refresh_from_db()
    assert never_published.status == Article.Status.PUBLISHED
    assert never_published.published_at is not None
    assert never_published.published_at > earlier
    assert scheduled_back.status == Article.Status.PUBLISHED
    assert scheduled_back.published_at == earlier
    assert untouched.status == Article.Status.DRAFT
    assert set(Article.objects.published()) == {never_published, scheduled_back}


def test_unpublish_action_moves_stories_back_to_draft(staff_client):
    story = make_article()
    other = make_article()

    response = staff_client.post(
        reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [story.pk]}
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert list(Article.objects.published()) == [other]


def test_section_and_author_admin_pages_load(staff_client):
    section = make_section()
    author = make_author()
    for url in [
        reverse("admin:articles_section_changelist"),
        reverse("admin:articles_section_add"),
        reverse("admin:articles_section_change", args=[section.pk]),
        reverse("admin:articles_author_changelist") + "?q=Reporter",
        reverse("admin:articles_author_add"),
        reverse("admin:articles_author_change", args=[author.pk]),
        reverse("admin:taggit_tag_changelist"),
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_byline_author_autocomplete_answers(staff_client):
    make_author(name="Eugene Park")
    make_author(name="Someone Else")

    response = staff_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "byline",
            "field_name": "author",
            "term": "eugene",
        },
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Eugene Park"]


def test_section_order_is_editable_from_the_list(staff_client):
    section = make_section(order=5)

    response = staff_client.post(
        reverse("admin:articles_section_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(section.pk),
            "form-0-order": "1",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    section.refresh_from_db()
    assert section.order == 1


def test_staff_without_permissions_cannot_open_the_story_list(db, client):
    client.force_login(make_user(staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403


def make_stories(count):
    section = make_section()
    authors = [make_author() for _ in range(3)]
    for n in range(count):
        make_article(
            section=section,
            authors=[authors[n % 3], (authors[(n + 1) % 3], "translated")],
            tags=[f"tag {n % 7}"],
        )


# Session, user, (editor: user and group permissions), the section, tag and
# author filter choices, two counts, the page, its bylines (one prefetch), and
# the date hierarchy's range and days, the page's edit locks (editing's marks).
# The superuser moderates too: one more for the queue badge in the menu.
CHANGELIST_QUERIES = {"superuser": 13, "editor": 14}


@pytest.mark.parametrize("stories", [10, 200])
@pytest.mark.parametrize("role", ["superuser", "editor"])
def test_changelist_query_count_does_not_grow_with_stories(
    db, client, role, stories, django_assert_num_queries
):
    user = make_user(superuser=True) if role == "superuser" else make_editor()
    client.force_login(user)
    make_stories(stories)

    with django_assert_num_queries(CHANGELIST_QUERIES[role]):
        response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(stories, 100)


def test_changelist_shows_a_thumbnail_from_the_smallest_rendition(staff_client):
    pictured = make_article(
        lead_image="uploads/2026/11/abc.jpg",
        lead_image_width=1200,
        lead_image_height=675,
        lead_image_alt="A harbour",
    )
    make_article(headline="No picture here")
    doc = parse(staff_client.get(reverse(CHANGELIST)))
    thumbs = [
        img.get("src")
        for img in doc.iter("img")
        if "story-thumb" in (img.get("class") or "")
    ]
    assert thumbs == ["/media/renditions/uploads/2026/11/abc-320w.jpg"]
    # The headline still links to the change form, picture or not.
    links = {a.get("href") for a in doc.iter("a")}
    assert f"/admin/articles/article/{pictured.pk}/change/" in links


def test_publish_action_leaves_stories_whose_image_has_no_alt_text(staff_client):
    ready = make_draft(headline="Ready to go")
    no_alt = make_draft(headline="Picture without words")
    Article.objects.filter(pk=no_alt.pk).update(lead_image="articles/x.jpg")

    response = staff_client.post(
        reverse(CHANGELIST),
        {"action": "publish", "_selected_action": [ready.pk, no_alt.pk]},
        follow=True,
    )

    ready.refresh_from_db()
    no_alt.refresh_from_db()
    assert ready.status == Article.Status.PUBLISHED
    assert no_alt.status == Article.Status.DRAFT
    shown = [str(message) for message in response.context["messages"]]
    assert any("alt text" in m and "Picture without words" in m for m in shown)
    assert "1 story published." in shown


def test_schedule_action_leaves_stories_whose_image_has_no_alt_text(staff_client):
    later = timezone.now() + timedelta(hours=2)
    no_alt = make_draft(published_at=later)
    Article.objects.filter(pk=no_alt.pk).update(lead_image="articles/x.jpg")

    staff_client.post(
        reverse(CHANGELIST), {"action": "schedule", "_selected_action": [no_alt.pk]}
    )

    no_alt.refresh_from_db()
    assert no_alt.status == Article.Status.DRAFT


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_bulk_actions_run_in_constant_queries(staff_client, action):
    """Recording a revision per story is batched: 2 stories cost what 12 do."""

    def run(count):
        stories = [
            make_draft(authors=[make_author(), make_author()], tags=["a", "b"])
            for _ in range(count)
        ]
        if action == "unpublish":
            Article.objects.filter(pk__in=[s.pk for s in stories]).update(
                status=Article.Status.PUBLISHED, published_at=timezone.now()
            )
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.post(
                reverse(CHANGELIST),
                {"action": action, "_selected_action": [s.pk for s in stories]},
            )
        assert response.status_code == 302
        return len(queries)

    assert run(2) == run(12)
