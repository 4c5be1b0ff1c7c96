"""Pending changes to a live story (articles.staging, articles.admin.pending):
readers keep the live version, the preview shows the pending one, reporters
stage and submit, editors publish, schedule and discard."""

import json
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import preview, services, signals, staging
from articles.models import Article, ArticleRevision, Byline, PendingChange
from audit.models import AuditEntry
from tests.articles.workflow_helpers import (
    make_role_user,
    parse,
    story_form_data,
    submit_buttons,
)
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

LIVE = "Harbour reopens after storm"
PENDING = "Harbour reopens to ferries after storm"


def change_url(story):
    return reverse("admin:articles_article_change", args=[story.pk])


def pending_url(story):
    return reverse("admin:articles_article_pending", args=[story.pk])


def row(story):
    """Every column of the story, its bylines and tags: "unchanged" means this."""
    fresh = Article.objects.get(pk=story.pk)
    values = {
        f.attname: getattr(fresh, f.attname) for f in Article._meta.concrete_fields
    }
    values["bylines"] = list(
        Byline.objects.filter(article=fresh).values_list("author_id", "role", "order")
    )
    values["tags"] = sorted(fresh.tags.names())
    return values


def form_data(story, **overrides):
    story = Article.objects.get(pk=story.pk)
    data = story_form_data(story, **overrides)
    data.setdefault("version", str(story.version))
    return data


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reporter():
    return make_role_user("Reporter")


@pytest.fixture
def editor():
    return make_role_user("Editor")


@pytest.fixture
def kim():
    return make_author(name="Kim Reporter", slug="kim")


@pytest.fixture
def story(reporter, kim):
    story = make_article(
        headline=LIVE,
        slug="harbour-reopens",
        dek="The harbour is open again.",
        body="<p>Boats are back.</p>",
        authors=[kim],
        tags=["Harbour"],
        created_by=reporter,
        published_at=timezone.now() - timedelta(hours=1),
    )
    services.save_story(story, by=reporter)
    return story


def stage_in_admin(client, story, step=staging.STAGE, **overrides):
    data = form_data(story, headline=PENDING, **overrides)
    data[step] = "1"
    return client.post(change_url(story), data)


# Readers keep the live version.


def test_saving_pending_changes_leaves_the_live_story_as_it_was(editor, story):
    before = row(story)
    response = stage_in_admin(
        client_for(editor), story, body="<p>Ferries sail again at noon.</p>"
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(story)
    assert row(story) == before
    pending = PendingChange.objects.get(article=story)
    assert pending.data["headline"] == PENDING
    assert pending.data["body"] == "<p>Ferries sail again at noon.</p>"
    assert pending.data["bylines"][0][:3] == [
        story.bylines.get().author_id,
        "Kim Reporter",
        "by",
    ]
    assert pending.data["tags"] == ["Harbour"]
    assert pending.base["headline"] == LIVE
    assert pending.base_version == Article.objects.get(pk=story.pk).version
    assert pending.created_by == editor
    assert pending.state == PendingChange.State.DRAFT


def test_readers_see_the_live_version_until_the_changes_are_published(
    editor, story, client
):
    stage_in_admin(client_for(editor), story, body="<p>Ferries sail at noon.</p>")
    url = story.get_absolute_url()
    pages = {
        "story": client.get(url),
        "feed": client.get(reverse("articles:feed_latest_rss")),
        "home": client.get(reverse("articles:home")),
        "search": client.get(reverse("articles:search"), {"q": "ferries"}),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert PENDING not in response.content.decode(), name
        assert "noon" not in response.content.decode(), name
    assert LIVE in pages["story"].content.decode()
    assert LIVE in pages["feed"].content.decode()
    ld = [
        json.loads(script.text)
        for script in parse(pages["story"]).iter("script")
        if script.get("type") == "application/ld+json"
    ]
    assert LIVE in json.dumps(ld) and PENDING not in json.dumps(ld)

    pending = PendingChange.objects.get(article=story)
    staging.publish(pending, by=editor)

    assert PENDING in client.get(url).content.decode()
    assert PENDING in client.get(reverse("articles:feed_latest_rss")).content.decode()
    found = client.get(reverse("articles:search"), {"q": "noon"}).content.decode()
    assert PENDING in found


def test_the_preview_and_share_links_show_the_pending_version(editor, story, kim):
    lee = make_author(name="Lee Writer", slug="lee")
    data = form_data(story, headline=PENDING, tags="Harbour, Ferries")
    data["bylines-TOTAL_FORMS"] = "2"
    data.update(
        {
            "bylines-1-author": str(lee.pk),
            "bylines-1-role": "photos",
            "bylines-1-order": "1",
        }
    )
    data[staging.STAGE] = "1"
    client = client_for(editor)
    assert client.post(change_url(story), data).status_code == 302

    response = client.get(preview.preview_url(story, editor))
    page = response.content.decode()
    assert response.status_code == 200
    assert PENDING in page and "Preview: pending changes" in page
    assert "Lee Writer" in page and "Ferries" in page
    link = preview.share(story, editor)
    shared = Client().get(preview.share_url(link)).content.decode()
    assert PENDING in shared and "Lee Writer" in shared
    # Readers: still the live page.
    assert "Lee Writer" not in Client().get(story.get_absolute_url()).content.decode()


def test_the_change_form_reopens_on_the_pending_changes(editor, story, kim):
    lee = make_author(name="Lee Writer", slug="lee")
    data = form_data(story, headline=PENDING, tags="Harbour, Ferries")
    data.update(
        {
            "bylines-TOTAL_FORMS": "2",
            "bylines-0-DELETE": "on",
            "bylines-1-author": str(lee.pk),
            "bylines-1-role": "by",
            "bylines-1-order": "1",
        }
    )
    data[staging.STAGE] = "1"
    client = client_for(editor)
    client.post(change_url(story), data)

    response = client.get(change_url(story))
    document = parse(response)
    text = response.content.decode()
    assert "You are editing the pending changes; readers see the live version." in text
    assert document.find(".//textarea[@name='headline']").text.strip() == PENDING
    assert "Ferries" in document.find(".//input[@name='tags']").get("value")
    assert (
        document.find(".//input[@name='bylines-0-DELETE']").get("checked") is not None
    )
    assert document.find(".//select[@name='bylines-1-author']//option[@selected]").get(
        "value"
    ) == str(lee.pk)
    buttons = submit_buttons(response)
    assert staging.STAGE in buttons and staging.PUBLISH_CHANGES in buttons
    assert "_save" not in buttons

    # Saving the form as it opened keeps the same pending changes.
    before = PendingChange.objects.get(article=story).data
    resend = {
        **form_data(story, headline=PENDING, tags="Ferries, Harbour"),
        **{
            "bylines-TOTAL_FORMS": "2",
            "bylines-0-DELETE": "on",
            "bylines-1-author": str(lee.pk),
            "bylines-1-role": "by",
            "bylines-1-order": "0",
            staging.STAGE: "1",
        },
    }
    assert client.post(change_url(story), resend).status_code == 302
    assert PendingChange.objects.get(article=story).data == before


# Reporters stage and submit; editors publish.


def test_a_reporter_stages_and_submits_changes_to_their_live_story(reporter, story):
    client = client_for(reporter)
    before = row(story)
    response = client.get(change_url(story))
    assert response.status_code == 200
    assert parse(response).find(".//*[@name='headline']") is not None
    buttons = submit_buttons(response)
    assert set(buttons) >= {staging.STAGE, staging.SUBMIT_CHANGES}
    assert "_save" not in buttons and staging.PUBLISH_CHANGES not in buttons

    response = stage_in_admin(client, story, staging.SUBMIT_CHANGES)
    assert response.status_code == 302
    assert row(story) == before
    pending = PendingChange.objects.get(article=story)
    assert pending.state == PendingChange.State.REVIEW
    assert "submitted for review" in str(list(get_messages(response.wsgi_request))[0])


def test_a_reporter_cannot_publish_or_change_the_live_story(reporter, story):
    client = client_for(reporter)
    before = row(story)
    data = form_data(story, headline="Straight to readers")
    assert client.post(change_url(story), {**data, "_save": "1"}).status_code == 403
    assert client.post(change_url(story), {**data, "_continue": "1"}).status_code == 403
    assert stage_in_admin(client, story, staging.PUBLISH_CHANGES).status_code == 403
    assert row(story) == before
    assert not PendingChange.objects.exists()

    stage_in_admin(client, story)
    for action in ("publish", "schedule", "unschedule"):
        response = client.post(
            pending_url(story), {"action": action, "publish_at": "2099-01-01T10:00"}
        )
        assert response.status_code == 403, action
    assert row(story) == before
    assert PendingChange.objects.get(article=story).state == "draft"


def test_a_reporter_may_not_stage_the_publishing_fields_or_the_address(
    reporter, editor, story
):
    editor_client = client_for(editor)
    response = stage_in_admin(editor_client, story, slug="a-new-address")
    assert response.status_code == 200
    errors = parse(response).findall(".//ul[@class='errorlist']")
    assert any("live story" in "".join(e.itertext()) for e in errors)
    assert PENDING in response.content.decode()  # what was typed is kept
    assert not PendingChange.objects.exists()

    # For a reporter the address is read-only: a forged one is ignored.
    client = client_for(reporter)
    response = stage_in_admin(client, story, slug="forged", is_top_story="on")
    assert response.status_code == 302
    assert row(story)["slug"] == "harbour-reopens"
    assert "slug" not in PendingChange.objects.get(article=story).data


def test_another_reporter_cannot_see_or_stage_the_story(story):
    other = client_for(make_role_user("Reporter"))
    response = stage_in_admin(other, story)
    assert response.status_code in (302, 403, 404)
    assert not PendingChange.objects.exists()
    staging.stage(story, {"headline": PENDING}, by=story.created_by)
    assert other.get(pending_url(story)).status_code == 404
    assert other.post(pending_url(story), {"action": "discard"}).status_code == 404
    assert PendingChange.objects.filter(article=story).exists()


def test_an_editor_publishes_pending_changes_with_a_revision_and_signals(
    reporter, editor, story, django_capture_on_commit_callbacks
):
    stage_in_admin(client_for(reporter), story, staging.SUBMIT_CHANGES)
    received = []

    def listen(signal_name):
        def handler(sender, **kwargs):
            received.append((signal_name, kwargs))

        return handler

    handlers = {
        "story_saved": listen("story_saved"),
        "pending_changes_published": listen("pending_changes_published"),
    }
    signals.story_saved.connect(handlers["story_saved"])
    signals.pending_changes_published.connect(handlers["pending_changes_published"])
    revisions_before = ArticleRevision.objects.filter(article=story).count()
    try:
        client = client_for(editor)
        response = client.get(pending_url(story))
        assert response.status_code == 200
        assert "ferries" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            with_commit = client.post(pending_url(story), {"action": "publish"})
    finally:
        signals.story_saved.disconnect(handlers["story_saved"])
        signals.pending_changes_published.disconnect(
            handlers["pending_changes_published"]
        )

    assert with_commit.status_code == 302
    fresh = Article.objects.get(pk=story.pk)
    assert fresh.headline == PENDING
    assert fresh.status == Article.Status.PUBLISHED
    assert not PendingChange.objects.exists()
    revision = ArticleRevision.objects.filter(article=story).first()
    assert ArticleRevision.objects.filter(article=story).count() == revisions_before + 1
    assert revision.created_by == editor
    assert revision.summary.startswith("Published the pending changes")
    names = [name for name, _ in received]
    assert names == ["story_saved", "pending_changes_published"]
    published = received[1][1]
    assert published["story"].pk == story.pk and published["by"] == editor
    assert published["revision"] == revision and published["scheduled"] is False
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PENDING_PUBLISHED)
    assert entry.actor == editor and entry.object_id == str(story.pk)


def test_publishing_from_the_change_form(editor, story):
    response = stage_in_admin(client_for(editor), story, staging.PUBLISH_CHANGES)
    assert response.status_code == 302
    assert Article.objects.get(pk=story.pk).headline == PENDING
    assert not PendingChange.objects.exists()


def test_changes_made_on_an_older_version_show_the_editor_what_changed_live(
    reporter, editor, story
):
    stage_in_admin(client_for(reporter), story, staging.SUBMIT_CHANGES)
    live = Article.objects.get(pk=story.pk)
    live.dek = "Ferries are expected back on Monday."
    services.save_story(live, by=editor)
    before = row(story)

    client = client_for(editor)
    response = client.post(pending_url(story), {"action": "publish"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "The live story changed since these changes were made" in page
    assert "Ferries are expected back on Monday." in page
    assert row(story) == before
    assert PendingChange.objects.filter(article=story).exists()

    # The same from the change form: nothing published, sent to the comparison.
    response = stage_in_admin(
        client, story, staging.PUBLISH_CHANGES, dek="The harbour is open again."
    )
    assert response.status_code == 302 and response["Location"] == pending_url(story)
    assert row(story) == before

    response = client.post(pending_url(story), {"action": "publish", "force": "1"})
    assert response.status_code == 302
    fresh = Article.objects.get(pk=story.pk)
    assert fresh.headline == PENDING
    # The pending changes carry the standfirst as it was: "anyway" means so.
    assert fresh.dek == "The harbour is open again."


def test_discarding_leaves_the_live_story(editor, reporter, story):
    before = row(story)
    stage_in_admin(client_for(reporter), story)
    response = client_for(reporter).post(pending_url(story), {"action": "discard"})
    assert response.status_code == 302
    assert not PendingChange.objects.exists()
    assert row(story) == before
    response = client_for(editor).get(change_url(story))
    assert "You are editing the pending changes" not in response.content.decode()
    assert parse(response).find(".//textarea[@name='headline']").text.strip() == LIVE


def test_an_editor_schedules_an_update(editor, story):
    stage_in_admin(client_for(editor), story)
    client = client_for(editor)
    when = timezone.localtime() + timedelta(hours=3)
    response = client.post(
        pending_url(story),
        {"action": "schedule", "publish_at": f"{when:%Y-%m-%dT%H:%M}"},
    )
    assert response.status_code == 302
    pending = PendingChange.objects.get(article=story)
    assert pending.state == PendingChange.State.SCHEDULED
    assert abs(pending.publish_at - when) < timedelta(minutes=1)
    listing = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "Update scheduled for" in listing

    # A reporter editing scheduled changes sends them back to review.
    staging.stage(story, {"headline": "Reporter's late edit"}, by=story.created_by)
    pending.refresh_from_db()
    assert pending.state == PendingChange.State.REVIEW and pending.publish_at is None


# Bad input.


@pytest.mark.parametrize(
    "publish_at", ["", "tomorrow", "2001-01-01T10:00", "9" * 300, "2026-13-45T99:99"]
)
def test_a_bad_schedule_time_is_refused_next_to_its_field(editor, story, publish_at):
    stage_in_admin(client_for(editor), story)
    response = client_for(editor).post(
        pending_url(story), {"action": "schedule", "publish_at": publish_at}
    )
    assert response.status_code == 400
    errors = parse(response).findall(".//ul[@class='errorlist']")
    assert errors
    assert PendingChange.objects.get(article=story).state == "draft"


def test_odd_requests_are_refused_without_a_change(editor, story):
    client = client_for(editor)
    assert client.get(pending_url(story)).status_code == 404  # none yet
    stage_in_admin(client, story)
    before = row(story)
    assert client.post(pending_url(story), {"action": "explode"}).status_code == 400
    assert client.post(pending_url(story), {}).status_code == 400
    url = reverse("admin:articles_article_pending", args=["999999"])
    assert client.get(url).status_code == 404
    # Pending changes to a draft make no sense: the add page cannot stage.
    add = reverse("admin:articles_article_add")
    assert client.post(add, {staging.STAGE: "1"}).status_code == 403
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    data = {**form_data(draft), staging.STAGE: "1"}
    assert client.post(change_url(draft), data).status_code == 403
    assert row(story) == before
    assert PendingChange.objects.count() == 1


def test_a_reporter_cannot_submit_twice(reporter, story):
    client = client_for(reporter)
    stage_in_admin(client, story, staging.SUBMIT_CHANGES)
    assert client.post(pending_url(story), {"action": "submit"}).status_code == 400


# The story list.


def test_the_story_list_says_which_stories_have_pending_changes(editor, reporter):
    section = make_section()
    stories = [make_article(section=section, created_by=reporter) for _ in range(3)]
    staging.stage(stories[0], {"headline": "A"}, by=editor)
    staging.submit(staging.stage(stories[1], {"headline": "B"}, by=reporter))
    response = client_for(editor).get(reverse("admin:articles_article_changelist"))
    text = response.content.decode()
    assert "Published · Changes pending" in text
    assert "Published · Pending review" in text


def test_the_story_list_query_count_is_flat_with_pending_changes(
    editor, django_assert_num_queries
):
    client = client_for(editor)
    section = make_section()
    url = reverse("admin:articles_article_changelist")

    def add(n):
        for _ in range(n):
            staging.stage(make_article(section=section), {"headline": "x"}, by=editor)

    add(2)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(20)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_editors_desk_counts_changes_awaiting_review(editor, reporter, story):
    staging.submit(staging.stage(story, {"headline": PENDING}, by=reporter))
    other = make_article()
    staging.stage(other, {"headline": "Not submitted"}, by=editor)
    document = parse(client_for(editor).get(reverse("admin:index")))
    panel = document.find(".//div[@id='changes-awaiting-review']")
    assert panel is not None
    assert [a.text for a in panel.iter("a")] == [LIVE]
    listing = client_for(editor).get(
        reverse("admin:articles_article_changelist"), {"state": "pending-review"}
    )
    assert list(listing.context["cl"].result_list) == [story]
    # Reporters have no such panel.
    document = parse(client_for(reporter).get(reverse("admin:index")))
    assert document.find(".//div[@id='changes-awaiting-review']") is None
