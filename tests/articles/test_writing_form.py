"""The story form: state buttons, publish warnings an editor may override,
uploads kept across an error, byline order, tag suggestions, word count."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from articles import uploads
from articles.admin.forms import reading_minutes, word_count
from articles.models import Article, Byline, KeptUpload
from articles.roles import ensure_roles
from tests.articles.test_images import form_data, jpeg_bytes, stored_files
from tests.articles.workflow_helpers import (
    make_role_user,
    parse,
    story_form_data,
    submit_buttons,
)
from tests.factories import make_article, make_author, make_draft, make_section

ADD = "/admin/articles/article/add/"


@pytest.fixture
def roles(db):
    ensure_roles()


@pytest.fixture
def editor(roles):
    return make_role_user("Editor")


@pytest.fixture
def reporter(roles):
    return make_role_user("Reporter")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(story):
    return reverse("admin:articles_article_change", args=[story.pk])


# Only the buttons that apply ------------------------------------------------------


def buttons_on(user, story=None):
    url = change_url(story) if story else ADD
    return submit_buttons(client_for(user).get(url))


def test_an_editor_adding_a_story_may_save_publish_or_schedule(editor):
    buttons = buttons_on(editor)
    assert buttons == {
        "_save": "Save draft",
        "_publish_now": "Publish now",
        "_schedule": "Schedule",
        "_continue": "Save and continue editing",
    }


def test_a_draft_never_published_offers_no_unpublish(editor):
    buttons = buttons_on(editor, make_draft())
    assert "_unpublish" not in buttons
    assert {"_publish_now", "_schedule"} <= buttons.keys()


def test_a_live_story_can_be_updated_or_unpublished_not_published_again(editor):
    buttons = buttons_on(editor, make_article())
    assert buttons["_save"] == "Update"
    assert buttons["_unpublish"] == "Unpublish"
    assert "_publish_now" not in buttons and "_schedule" not in buttons


def test_a_scheduled_story_can_go_now_or_back_to_draft(editor):
    story = make_article(published_at=timezone.now() + timedelta(hours=2))
    buttons = buttons_on(editor, story)
    assert buttons["_publish_now"] == "Publish now"
    assert buttons["_unpublish"] == "Back to draft"
    assert "_schedule" not in buttons


def test_a_reporter_submits_a_draft_and_only_saves_one_in_review(reporter):
    draft = make_draft(created_by=reporter)
    assert buttons_on(reporter, draft) == {
        "_save": "Save draft",
        "_submit_review": "Submit for review",
        "_continue": "Save and continue editing",
    }
    draft.status = Article.Status.REVIEW
    draft.save()
    assert buttons_on(reporter, draft) == {
        "_save": "Save",
        "_continue": "Save and continue editing",
    }


def test_buttons_follow_the_stored_state_not_the_posted_one(editor):
    # A publish that fails validation: the story is still a draft.
    story = make_draft()
    data = story_form_data(story, headline="x" * 201, _publish_now="Publish now")
    buttons = submit_buttons(client_for(editor).post(change_url(story), data))
    assert "_unpublish" not in buttons and "_publish_now" in buttons


# Warnings an editor may override ---------------------------------------------------


def test_publishing_without_a_byline_is_held_with_a_warning(editor):
    story = make_draft()
    response = client_for(editor).post(
        change_url(story), story_form_data(story, _publish_now="Publish now")
    )
    assert response.status_code == 200
    assert "no byline" in response.content.decode()
    button = [
        b
        for b in parse(response).iter("button")
        if b.get("name") == "_override_warnings"
    ]
    assert button and button[0].get("value") == "_publish_now"
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_publish_anyway_publishes_without_a_byline(editor):
    story = make_draft()
    data = story_form_data(story, _override_warnings="_publish_now")
    assert client_for(editor).post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.is_published


def test_publishing_with_a_byline_needs_no_override(editor):
    story = make_draft(authors=[make_author()])
    data = story_form_data(story, _publish_now="Publish now")
    assert client_for(editor).post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.is_published


def test_saving_a_draft_without_a_byline_asks_nothing(editor):
    story = make_draft()
    data = story_form_data(story, headline="Still a draft", _save="Save")
    assert client_for(editor).post(change_url(story), data).status_code == 302


def test_a_body_picture_without_alt_text_holds_publishing_until_overridden(editor):
    body = (
        '<figure class="body-figure"><img src="/media/uploads/a.jpg" alt="" '
        'width="10" height="10"></figure>'
    )
    story = make_draft(body=body, authors=[make_author()])
    client = client_for(editor)
    response = client.post(
        change_url(story), story_form_data(story, _publish_now="Publish now")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["body"]
    assert "no alt text" in errors[0]
    data = story_form_data(story, _override_warnings="_publish_now")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.is_published


def test_a_reporter_cannot_override_into_publishing(reporter):
    story = make_draft(created_by=reporter)
    data = story_form_data(story, _override_warnings="_publish_now")
    assert client_for(reporter).post(change_url(story), data).status_code == 403
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


def test_the_override_names_only_a_publishing_step(editor):
    story = make_draft()
    data = story_form_data(story, _override_warnings="_unpublish", _save="Save")
    assert client_for(editor).post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.status == Article.Status.DRAFT


# Byline order --------------------------------------------------------------------


def test_bylines_are_numbered_in_the_order_given(editor):
    first, second, third = make_author(), make_author(), make_author()
    story = make_draft()
    rows = [
        Byline(author=first, role="by", order=5),
        Byline(author=second, role="by", order=1),
        Byline(author=third, role="by", order=5),
    ]
    data = story_form_data(story, bylines=rows, _save="Save")
    assert client_for(editor).post(change_url(story), data).status_code == 302
    assert [(b.author, b.order) for b in story.bylines.order_by("order")] == [
        (second, 0),
        (first, 1),
        (third, 2),
    ]


def test_bylines_left_at_zero_keep_their_row_order(editor):
    authors = [make_author(), make_author()]
    story = make_draft()
    rows = [Byline(author=a, role="by", order=0) for a in authors]
    data = story_form_data(story, bylines=rows, _save="Save")
    client_for(editor).post(change_url(story), data)
    assert [b.author for b in story.bylines.order_by("order")] == authors
    assert [b.order for b in story.bylines.order_by("order")] == [0, 1]


def test_the_bylines_come_right_after_the_headline_fields(editor):
    html = client_for(editor).get(ADD).content.decode()
    assert html.index('id="id_dek"') < html.index('id="bylines-group"')
    assert html.index('id="bylines-group"') < html.index('id="id_body"')


# Uploads kept across an error ----------------------------------------------------


def add_with_picture(client, name="photo.jpg", content=None, **overrides):
    data = form_data(make_section(), **overrides)
    data["lead_image"] = SimpleUploadedFile(
        name, content or jpeg_bytes(), content_type="image/jpeg"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(ADD, data), data


def kept_token(response):
    inputs = [
        i for i in parse(response).iter("input") if i.get("name") == "lead_image_kept"
    ]
    return inputs[0].get("value") if inputs else None


def test_an_upload_with_an_error_elsewhere_is_kept_and_said(editor):
    response, _ = add_with_picture(
        client_for(editor),
        status="published",
        published_at_0="2026-01-02",
        published_at_1="09:30:00",
        lead_image_alt="",
    )
    assert response.status_code == 200
    assert "kept: photo.jpg" in response.content.decode()
    kept = KeptUpload.objects.get()
    assert kept_token(response) == str(kept.token)
    assert kept.owner == editor
    # Kept apart from the published media: nothing public yet.
    assert stored_files() == []
    assert not Article.objects.exists()


def test_the_next_submit_stores_the_kept_picture(editor):
    client = client_for(editor)
    content = jpeg_bytes(size=(900, 600))
    response, data = add_with_picture(client, content=content, headline="x" * 201)
    kept = KeptUpload.objects.get()
    with kept.file.open("rb") as file:
        kept_bytes = file.read()
    kept_name = kept.file.name
    del data["lead_image"]
    data.update(headline="Fixed headline", lead_image_kept=kept_token(response))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(ADD, data).status_code == 302
    story = Article.objects.get()
    with story.lead_image.open("rb") as file:
        assert file.read() == kept_bytes
    assert (story.lead_image_width, story.lead_image_height) == (900, 600)
    assert not KeptUpload.objects.exists()
    assert not kept.file.storage.exists(kept_name)


def test_a_second_error_keeps_the_same_picture(editor):
    client = client_for(editor)
    response, data = add_with_picture(client, headline="x" * 201)
    token = kept_token(response)
    del data["lead_image"]
    data.update(lead_image_kept=token)
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(ADD, data)
    assert again.status_code == 200
    assert kept_token(again) == token
    assert KeptUpload.objects.count() == 1


def test_another_editors_token_is_ignored(editor, roles):
    _, data = add_with_picture(client_for(editor), headline="x" * 201)
    token = str(KeptUpload.objects.get().token)
    del data["lead_image"]
    data.update(headline="Someone else's", lead_image_kept=token)
    other = make_role_user("Editor")
    assert client_for(other).post(ADD, data).status_code == 302
    assert not Article.objects.get().lead_image
    assert KeptUpload.objects.filter(token=token).exists()


def test_a_new_file_wins_over_the_kept_one(editor):
    client = client_for(editor)
    response, data = add_with_picture(client, headline="x" * 201)
    data.update(
        headline="New picture",
        lead_image_kept=kept_token(response),
        lead_image=SimpleUploadedFile("b.jpg", jpeg_bytes(size=(300, 200))),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(ADD, data).status_code == 302
    assert Article.objects.get().lead_image_width == 300


def test_kept_uploads_expire(editor):
    client = client_for(editor)
    add_with_picture(client, headline="x" * 201)
    kept = KeptUpload.objects.get()
    assert uploads.find(kept.token, owner=editor) == kept
    KeptUpload.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert uploads.find(kept.token, owner=editor) is None
    assert uploads.find("not-a-uuid", owner=editor) is None
    assert uploads.prune() == 1
    assert not KeptUpload.objects.exists()


@pytest.mark.parametrize(
    ("client_name", "shown"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
        ("bad\x00\r\nname.jpg", "badname.jpg"),
        ("x" * 300 + ".jpg", "x" * 100),
    ],
)
def test_a_kept_file_name_is_shown_only_cleaned(client_name, shown):
    assert uploads.display_name(client_name) == shown


def test_a_kept_name_is_escaped_in_the_form(editor):
    response, _ = add_with_picture(
        client_for(editor), name="<img src=x onerror=alert(1)>.jpg", headline="x" * 201
    )
    assert b"kept: &lt;img src=x onerror=alert(1)&gt;.jpg" in response.content
    assert b"<img src=x onerror" not in response.content


# Tag suggestions -----------------------------------------------------------------

TAGS = "/admin/articles/article/tag-suggestions/"


def test_tag_suggestions_start_with_what_is_typed_most_used_first(editor):
    make_article(tags=["Harbour", "Health"])
    make_article(tags=["Health"])
    make_article(tags=["Weather"])
    response = client_for(editor).get(TAGS, {"q": "h"})
    assert response.json() == {"tags": ["Health", "Harbour"]}


def test_a_reporter_is_not_told_the_tags_of_others_drafts(reporter):
    make_draft(tags=["Secret resignation"])
    make_draft(tags=["Second thoughts"], created_by=reporter)
    response = client_for(reporter).get(TAGS, {"q": "se"})
    assert response.json() == {"tags": ["Second thoughts"]}


def test_tag_suggestions_need_a_login_and_cap_the_query(editor):
    assert Client().get(TAGS, {"q": "h"}).status_code == 302
    response = client_for(editor).get(TAGS, {"q": "h" * 5000})
    assert response.status_code == 200
    assert client_for(editor).get(TAGS).json() == {"tags": []}


# Word count --------------------------------------------------------------------


def test_words_and_reading_time():
    assert word_count("<p>One two</p><p>three</p>") == 3
    assert word_count("") == 0
    assert reading_minutes(0) == 0
    assert reading_minutes(10) == 1
    assert reading_minutes(1150) == 5


def test_the_form_shows_the_body_word_count(editor):
    story = make_draft(body="<p>" + "word " * 460 + "</p>")
    html = client_for(editor).get(change_url(story)).content.decode()
    assert "460 words · about 2 min read" in html


def test_spell_check_is_on_and_the_picture_block_loaded(editor):
    response = client_for(editor).get(ADD)
    textarea = parse(response).find(".//textarea[@name='body']")
    config = textarea.get("data-django-prose-editor-configurable")
    assert "NoSpellCheck" not in config
    assert '"BodyFigure":true' in config
    assert "articles/admin/body-figure.js" in config


def test_a_storage_that_refuses_to_keep_is_no_500(editor, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(
        uploads.KeptUpload._meta.get_field("file").storage, "_save", refuse
    )
    response, _ = add_with_picture(client_for(editor), headline="x" * 201)
    assert response.status_code == 200
    assert "kept:" not in response.content.decode()
    assert not KeptUpload.objects.exists()
