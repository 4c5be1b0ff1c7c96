"""The editorial workflow in the admin: each role's allowed and refused steps.

Refusals are checked on the server: forged POSTs (fields the form does not
show, buttons the user does not see, actions not offered, inlines of a story
that is not theirs) must leave the database unchanged.
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Byline
from tests.articles.workflow_helpers import (
    make_role_user,
    parse,
    story_form_data,
    submit_buttons,
)
from tests.factories import make_article, make_author, make_draft, make_section

CHANGELIST = reverse("admin:articles_article_changelist")
ADD = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def snapshot(article):
    """Every column of the story, plus its bylines and tags, for "unchanged"."""
    fresh = Article.objects.get(pk=article.pk)
    row = {f.attname: getattr(fresh, f.attname) for f in Article._meta.concrete_fields}
    row["bylines"] = list(
        Byline.objects.filter(article=fresh).values_list("author_id", "role", "order")
    )
    row["tags"] = sorted(fresh.tags.names())
    return row


@pytest.fixture
def reporter(db):
    return make_role_user("Reporter")


@pytest.fixture
def editor(db):
    return make_role_user("Editor")


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def stories(reporter):
    """One story in each state owned by ``reporter``, and one by someone else."""
    other = make_role_user("Reporter")
    author = make_author()
    now = timezone.now()
    return {
        "own_draft": make_draft(created_by=reporter, authors=[author], tags=["Own"]),
        "own_review": make_draft(created_by=reporter, status=Article.Status.REVIEW),
        "own_published": make_article(created_by=reporter, authors=[author]),
        "own_scheduled": make_article(
            created_by=reporter, published_at=now + timedelta(hours=2)
        ),
        "others_draft": make_draft(created_by=other, authors=[author], tags=["Not"]),
        "others_published": make_article(created_by=other),
    }


# The changelist and who sees what.


def test_reporter_sees_only_their_own_stories_in_the_list(reporter, stories):
    response = client_for(reporter).get(CHANGELIST)

    assert response.status_code == 200
    own = {s for key, s in stories.items() if key.startswith("own_")}
    assert set(response.context["cl"].result_list) == own


def test_editor_sees_every_story_in_the_list(editor, stories):
    response = client_for(editor).get(CHANGELIST)

    assert set(response.context["cl"].result_list) == set(stories.values())


def test_moderator_cannot_open_the_story_list_or_add_page(db, stories):
    client = client_for(make_role_user("Moderator"))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.get(change_url(stories["own_draft"])).status_code in (302, 403)


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        ADD,
        reverse("admin:articles_article_change", args=[1]),
        reverse("admin:articles_article_history", args=[1]),
        reverse("admin:articles_article_delete", args=[1]),
        reverse("admin:articles_article_revisions", args=[1]),
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(db, client, url):
    make_draft(pk=1)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_list_shows_scheduled_stories_with_their_time(editor, stories):
    response = client_for(editor).get(CHANGELIST)

    scheduled = stories["own_scheduled"]
    local = timezone.localtime(scheduled.published_at)
    cells = [
        "".join(cell.itertext())
        for cell in parse(response).findall(".//td[@class='field-workflow_status']")
    ]
    assert f"Scheduled for {local:%-d %b %Y, %H:%M %Z}" in cells
    assert "In review" in cells
    assert cells.count("Published") == 2


@pytest.mark.parametrize(
    "state,expected",
    [
        ("draft", {"own_draft", "others_draft"}),
        ("review", {"own_review"}),
        ("scheduled", {"own_scheduled"}),
        ("published", {"own_published", "others_published"}),
    ],
)
def test_list_filters_by_workflow_state(editor, stories, state, expected):
    response = client_for(editor).get(CHANGELIST, {"state": state})

    assert set(response.context["cl"].result_list) == {stories[k] for k in expected}


# Change forms: own, others', published.


def test_reporter_edits_their_own_draft_but_not_its_publishing_fields(
    reporter, stories
):
    story = stories["own_draft"]
    response = client_for(reporter).get(change_url(story))

    assert response.status_code == 200
    document = parse(response)
    assert document.find(".//*[@name='headline']") is not None
    for field in ("status", "published_at_0", "is_top_story"):
        assert document.find(f".//*[@name='{field}']") is None, field


def test_reporter_forged_status_published_is_ignored(reporter, stories):
    story = stories["own_draft"]
    data = story_form_data(
        story,
        headline="A better headline",
        status="published",
        published_at_0="2020-01-01",
        published_at_1="10:00:00",
        is_top_story="on",
    )

    response = client_for(reporter).post(change_url(story), data)

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.headline == "A better headline"
    assert story.status == Article.Status.DRAFT
    assert story.published_at is None
    assert story.is_top_story is False
    assert story not in Article.objects.published()


def test_reporter_forged_status_on_a_new_story_makes_a_draft_they_own(reporter, db):
    section = make_section()
    data = story_form_data(
        Article(
            headline="Fresh from the field", slug="fresh", section=section, body=""
        ),
        bylines=[],
        status="published",
        published_at_0="2020-01-01",
        published_at_1="10:00:00",
        is_top_story="on",
    )

    response = client_for(reporter).post(ADD, data)

    assert response.status_code == 302
    story = Article.objects.get(slug="fresh")
    assert story.status == Article.Status.DRAFT
    assert story.published_at is None
    assert story.is_top_story is False
    assert story.created_by == reporter


def test_editor_adding_a_story_owns_it(editor, db):
    data = story_form_data(
        Article(headline="Desk story", slug="desk", section=make_section(), body=""),
        bylines=[],
    )
    assert client_for(editor).post(ADD, data).status_code == 302
    assert Article.objects.get(slug="desk").created_by == editor


@pytest.mark.parametrize("button", ["_publish_now", "_schedule", "_unpublish"])
def test_reporter_pressing_an_editor_button_is_refused(reporter, stories, button):
    story = stories["own_draft"]
    before = snapshot(story)
    data = story_form_data(story, headline="Changed", **{button: "x"})
    data["published_at_0"] = f"{timezone.now() + timedelta(days=1):%Y-%m-%d}"
    data["published_at_1"] = "10:00:00"

    response = client_for(reporter).post(change_url(story), data)

    assert response.status_code == 403
    assert snapshot(story) == before


@pytest.mark.parametrize("key", ["others_draft", "others_published"])
def test_reporter_cannot_open_or_change_someone_elses_story(reporter, stories, key):
    story = stories[key]
    before = snapshot(story)
    client = client_for(reporter)

    response = client.get(change_url(story))
    # Not the form: back to the list, told the story is not theirs to edit.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_changelist")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You may not edit that story: reporters edit only the stories they "
        "wrote. Ask an editor if you need it."
    ]

    data = story_form_data(story, headline="Hijacked", _save="Save")
    assert client.post(change_url(story), data).status_code == 302
    assert snapshot(story) == before


def test_reporter_cannot_change_bylines_of_someone_elses_story(reporter, stories):
    story = stories["others_draft"]
    before = snapshot(story)
    byline = story.bylines.get()
    data = story_form_data(story)
    data["bylines-0-role"] = "photos"
    data["bylines-0-DELETE"] = "on"

    client_for(reporter).post(change_url(story), data)

    assert snapshot(story) == before
    assert Byline.objects.filter(pk=byline.pk).exists()


@pytest.mark.parametrize("key", ["own_published", "own_scheduled"])
def test_reporter_sees_but_cannot_change_their_published_or_scheduled_story(
    reporter, stories, key
):
    story = stories[key]
    before = snapshot(story)
    client = client_for(reporter)

    response = client.get(change_url(story))
    assert response.status_code == 200
    # Editable for pending changes only (articles.staging): no button
    # writes the live story.
    buttons = submit_buttons(response)
    assert set(buttons) == {"_stage", "_submit_changes"}

    data = story_form_data(story, headline="Edited after publication")
    data["bylines-0-role"] = "photos" if story.bylines.exists() else None
    data = {k: v for k, v in data.items() if v is not None}
    assert client.post(change_url(story), data).status_code == 403
    assert snapshot(story) == before


def test_reporter_cannot_delete_stories(reporter, stories):
    client = client_for(reporter)
    for key in ("own_draft", "own_published"):
        story = stories[key]
        url = reverse("admin:articles_article_delete", args=[story.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"post": "yes"}).status_code == 403
        assert Article.objects.filter(pk=story.pk).exists()


def test_editor_can_delete_a_story(editor, stories):
    story = stories["others_draft"]
    url = reverse("admin:articles_article_delete", args=[story.pk])
    assert client_for(editor).post(url, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(pk=story.pk).exists()


def test_history_is_open_for_own_stories_only(reporter, stories):
    client = client_for(reporter)
    own = reverse("admin:articles_article_history", args=[stories["own_draft"].pk])
    others = reverse(
        "admin:articles_article_history", args=[stories["others_draft"].pk]
    )
    assert client.get(own).status_code == 200
    response = client.get(others)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_changelist")


# Buttons and steps.


def test_reporter_sees_save_draft_and_submit_for_review(reporter, stories):
    buttons = submit_buttons(client_for(reporter).get(change_url(stories["own_draft"])))

    assert buttons["_save"] == "Save draft"
    assert buttons["_submit_review"] == "Submit for review"
    assert not {"_publish_now", "_schedule", "_unpublish"} & set(buttons)


def test_editor_sees_save_publish_and_schedule_on_a_draft(editor, stories):
    # Only the buttons that apply: a draft was never published, so no
    # "Unpublish" (tests/articles/test_writing_buttons.py has the others).
    buttons = submit_buttons(client_for(editor).get(change_url(stories["own_draft"])))

    assert buttons["_save"] == "Save draft"
    assert buttons["_publish_now"] == "Publish now"
    assert buttons["_schedule"] == "Schedule"
    assert "_unpublish" not in buttons


def test_reporter_submits_a_draft_for_review(reporter, stories):
    story = stories["own_draft"]
    data = story_form_data(story, headline="Ready", _submit_review="Submit")

    response = client_for(reporter).post(change_url(story), data)

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.REVIEW
    assert story.headline == "Ready"
    assert story not in Article.objects.published()


def test_reporter_can_submit_a_new_story_straight_for_review(reporter, db):
    data = story_form_data(
        Article(headline="Straight in", slug="straight", section=make_section()),
        bylines=[],
        _submit_review="Submit",
    )
    assert client_for(reporter).post(ADD, data).status_code == 302
    assert Article.objects.get(slug="straight").status == Article.Status.REVIEW


def test_saving_a_story_in_review_keeps_it_in_review(reporter, stories):
    story = stories["own_review"]
    data = story_form_data(story, headline="Tweaked", _save="Save", status="draft")

    assert client_for(reporter).post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert (story.headline, story.status) == ("Tweaked", Article.Status.REVIEW)


def test_editor_publishes_now(editor, stories):
    story = stories["own_review"]
    before = timezone.now()

    response = client_for(editor).post(
        change_url(story),
        story_form_data(
            story, _publish_now="Publish now", _override_warnings="_publish_now"
        ),
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
    assert before <= story.published_at <= timezone.now()
    assert story in Article.objects.published()


def test_publish_now_brings_a_scheduled_story_forward(editor, stories):
    story = stories["own_scheduled"]
    client_for(editor).post(
        change_url(story),
        story_form_data(
            story, _publish_now="Publish now", _override_warnings="_publish_now"
        ),
    )
    story.refresh_from_db()
    assert story.published_at <= timezone.now()
    assert story in Article.objects.published()


def test_schedule_without_a_future_time_is_a_form_error(editor, stories):
    story = stories["own_draft"]
    before = snapshot(story)

    response = client_for(editor).post(
        change_url(story), story_form_data(story, _schedule="Schedule")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "future" in errors["published_at"][0]
    assert snapshot(story) == before


def test_editor_unpublishes_a_story_everywhere_at_once(editor, stories):
    story = stories["others_published"]
    reader = Client()
    assert reader.get(story.get_absolute_url()).status_code == 200

    response = client_for(editor).post(
        change_url(story), story_form_data(story, _unpublish="Unpublish")
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT
    assert reader.get(story.get_absolute_url()).status_code == 404
    assert story.headline not in reader.get(reverse("articles:home")).text


def test_scheduled_story_appears_by_itself_at_its_time(editor, db, monkeypatch):
    """The issue's "done when": two minutes ahead, visible then, no job run."""
    section = make_section()
    story = make_draft(
        headline="Embargoed budget story", section=section, tags=["Budget"]
    )
    when = timezone.now() + timedelta(minutes=2)
    local = timezone.localtime(when)
    data = story_form_data(
        story,
        published_at_0=f"{local:%Y-%m-%d}",
        published_at_1=f"{local:%H:%M:%S}",
        _schedule="Schedule",
        _override_warnings="_schedule",  # no byline: the editor publishes anyway
    )
    assert client_for(editor).post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.PUBLISHED
    assert story.is_scheduled

    reader = Client()
    home = reverse("articles:home")
    tag_page = reverse("articles:tag", args=["budget"])

    def visible():
        pages = [reader.get(home), reader.get(tag_page)]
        detail = reader.get(story.get_absolute_url())
        shown = [story.headline in page.text for page in pages]
        return shown, detail.status_code

    assert visible() == ([False, False], 404)

    # The clock reaches the story's time: nothing else happens in between.
    real_now = timezone.now
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: real_now() + timedelta(minutes=3)
    )
    assert visible() == ([True, True], 200)


# Actions.


def action_names(response):
    select = parse(response).find(".//select[@name='action']")
    if select is None:  # no action at all is offered
        return set()
    return {option.get("value") for option in select.iter("option")} - {""}


def test_reporter_is_not_offered_publishing_actions(reporter, stories):
    response = client_for(reporter).get(CHANGELIST)
    assert not {"publish", "unpublish", "schedule"} & action_names(response)


def test_editor_is_offered_publishing_actions(editor, stories):
    response = client_for(editor).get(CHANGELIST)
    assert {"publish", "unpublish", "schedule"} <= action_names(response)


@pytest.mark.parametrize(
    "action", ["publish", "schedule", "unpublish", "delete_selected"]
)
def test_reporter_forged_action_post_changes_nothing(reporter, stories, action):
    targets = [stories["own_draft"], stories["own_published"], stories["own_scheduled"]]
    before = [snapshot(story) for story in targets]

    response = client_for(reporter).post(
        CHANGELIST,
        {"action": action, "_selected_action": [s.pk for s in targets], "post": "yes"},
    )

    assert response.status_code in (200, 302, 403)
    assert [snapshot(story) for story in targets] == before


def test_action_cannot_reach_stories_outside_the_users_list(editor, stories):
    # Demoted to reporter between page load and POST: the action is refused.
    editor.groups.set([Group.objects.get(name="Reporter")])
    story = stories["others_draft"]
    before = snapshot(story)

    client_for(editor).post(
        CHANGELIST, {"action": "publish", "_selected_action": [story.pk]}
    )

    assert snapshot(story) == before


def test_schedule_action_schedules_only_stories_with_a_future_time(editor, db):
    future = make_draft(published_at=timezone.now() + timedelta(hours=1))
    timeless = make_draft()

    response = client_for(editor).post(
        CHANGELIST,
        {"action": "schedule", "_selected_action": [future.pk, timeless.pk]},
    )

    assert response.status_code == 302
    future.refresh_from_db()
    timeless.refresh_from_db()
    assert future.status == Article.Status.PUBLISHED and future.is_scheduled
    assert timeless.status == Article.Status.DRAFT
    assert future not in Article.objects.published()


# The admin index panels.


def test_dashboard_shows_my_drafts_to_a_reporter(reporter, stories):
    document = parse(client_for(reporter).get(reverse("admin:index")))

    drafts = document.find(".//div[@id='my-drafts']")
    links = [a.text for a in drafts.iter("a")]
    assert links == [stories["own_draft"].headline]
    assert document.find(".//div[@id='awaiting-review']") is None


def test_dashboard_shows_stories_awaiting_review_to_an_editor(editor, stories):
    document = parse(client_for(editor).get(reverse("admin:index")))

    waiting = document.find(".//div[@id='awaiting-review']")
    assert [a.text for a in waiting.iter("a")] == [stories["own_review"].headline]


@pytest.mark.parametrize("count", [10, 200])
@pytest.mark.parametrize("role", ["Reporter", "Editor"])
def test_admin_index_query_count_does_not_grow(
    db, role, count, django_assert_num_queries
):
    user = make_role_user(role)
    section = make_section()
    for n in range(count):
        make_draft(
            created_by=user,
            section=section,
            status=Article.Status.REVIEW if n % 2 else Article.Status.DRAFT,
        )
    client = client_for(user)

    # Session, user, user and group permissions, then the desk's panels. A
    # reporter's: one query for all five counts, one per list. An editor's:
    # the pending badge, awaiting review (count, list), changes awaiting
    # review (count, list), the week's schedule, the comment queue (by
    # reason, oldest), today's top stories.
    with django_assert_num_queries(13 if role == "Editor" else 10):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 200])
def test_reporter_changelist_query_count_does_not_grow(
    db, count, django_assert_num_queries
):
    user = make_role_user("Reporter")
    section = make_section()
    author = make_author()
    for _ in range(count):
        make_draft(created_by=user, section=section, authors=[author], tags=["x"])
    client = client_for(user)

    # 13, and one for the edit locks of the page's stories (editing).
    with django_assert_num_queries(14):
        response = client.get(CHANGELIST)
    assert len(response.context["cl"].result_list) == min(count, 100)


@pytest.mark.parametrize(
    "key,allowed",
    [
        ("own_draft", True),
        ("own_review", True),
        # Published: for pending changes only (articles.staging).
        ("own_published", True),
        ("own_scheduled", True),
        ("others_draft", False),
    ],
)
def test_byline_inline_follows_the_storys_object_permission(
    reporter, stories, rf, key, allowed
):
    request = rf.get("/")
    request.user = reporter
    story_admin = admin.site.get_model_admin(Article)
    (inline,) = story_admin.get_inline_instances(request, None)
    story = stories[key]

    assert story_admin.has_change_permission(request, story) is allowed
    assert inline.has_add_permission(request, story) is allowed
    assert inline.has_change_permission(request, story) is allowed
    assert inline.has_delete_permission(request, story) is allowed
