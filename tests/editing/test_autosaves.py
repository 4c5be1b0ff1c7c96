"""Autosaves: kept per user and story, offered back, dropped by a save."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleRevision
from editing import autosaves
from editing.models import Autosave
from tests.articles.workflow_helpers import parse, story_form_data
from tests.editing.conftest import make_colleague
from tests.factories import make_article, make_section

pytestmark = pytest.mark.django_db

FIELDS = {
    "headline": "Harbour wall holds, for now",
    "dek": "Engineers are less sure.",
    "body": "<p>The storm surge reached the top stones.</p>",
    "tags": "harbour, storms",
    "comments_enabled": True,
}


def send(client, url, payload, **extra):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(url, body, content_type="application/json", **extra)


def logged_in(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


def autosave_url(story=None):
    if story is None:
        return reverse("editing:autosave_new")
    return reverse("editing:autosave", args=[story.pk])


def test_an_autosave_is_kept_without_touching_the_story(story, reporter):
    before = Article.objects.values().get(pk=story.pk)
    revisions = ArticleRevision.objects.count()

    response = send(logged_in(reporter), autosave_url(story), {"fields": FIELDS})

    assert response.status_code == 200
    assert response.json()["message"].startswith("Draft autosaved at ")
    kept = Autosave.objects.get()
    assert (kept.user, kept.story, kept.fields) == (reporter, story, FIELDS)
    assert Article.objects.values().get(pk=story.pk) == before
    assert ArticleRevision.objects.count() == revisions


def test_each_user_has_one_autosave_per_story_and_one_for_a_new_story(
    story, reporter, editor
):
    for user in (reporter, editor):
        client = logged_in(user)
        for n in range(3):
            fields = {**FIELDS, "headline": f"Take {n} by {user.pk}"}
            assert (
                send(client, autosave_url(story), {"fields": fields}).status_code == 200
            )
            assert send(client, autosave_url(), {"fields": fields}).status_code == 200

    assert Autosave.objects.count() == 4
    mine = Autosave.objects.get(user=reporter, story=story)
    assert mine.fields["headline"] == f"Take 2 by {reporter.pk}"
    assert Autosave.objects.get(user=editor, story=None).fields["headline"] == (
        f"Take 2 by {editor.pk}"
    )


def test_choice_labels_are_kept_for_choices_loaded_on_demand(story, reporter):
    payload = {
        "fields": {"bylines-0-author": "7", "section": "1"},
        "labels": {"bylines-0-author": "Ann Correspondent"},
    }
    assert send(logged_in(reporter), autosave_url(story), payload).status_code == 200
    assert Autosave.objects.get().labels == {"bylines-0-author": "Ann Correspondent"}


def test_the_csrf_token_buttons_and_formset_counters_are_not_kept(story, reporter):
    payload = {
        "fields": {
            **FIELDS,
            "csrfmiddlewaretoken": "abc",
            "_save": "Save",
            "bylines-TOTAL_FORMS": "3",
        }
    }
    assert send(logged_in(reporter), autosave_url(story), payload).status_code == 200
    assert Autosave.objects.get().fields == FIELDS


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[1, 2]", 400),
        (json.dumps({"fields": []}), 400),
        (json.dumps({"fields": {}, "extra": 1}), 400),
        (json.dumps({"fields": {"headline": 12}}), 400),
        (json.dumps({"fields": {"headline": {"a": "b"}}}), 400),
        (json.dumps({"fields": {"tags": ["a", 3]}}), 400),
        (json.dumps({"fields": {"head line": "x"}}), 400),
        (json.dumps({"fields": {"x" * 101: "x"}}), 400),
        (json.dumps({"fields": {"headline": "a\x00b"}}), 400),
        (b'{"fields": {"headline": "\\ud800"}}', 400),
        (json.dumps({"fields": {"h": "x"}, "labels": {"other": "y"}}), 400),
        (json.dumps({"fields": {"h": "x"}, "labels": {"h": "y" * 301}}), 400),
        (json.dumps({"fields": {f"f{n}": "x" for n in range(501)}}), 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
    ],
)
def test_bad_input_is_a_clear_4xx_and_nothing_is_kept(story, reporter, body, status):
    response = send(logged_in(reporter), autosave_url(story), body)

    assert response.status_code == status
    assert response.json()["error"].endswith("Nothing was kept.")
    assert Autosave.objects.count() == 0


def test_an_autosave_over_the_size_limit_is_refused_with_413(story, reporter, settings):
    settings.EDITING_AUTOSAVE_MAX_BYTES = 1000
    payload = {"fields": {"body": "x" * 1000}}

    response = send(logged_in(reporter), autosave_url(story), payload)

    assert response.status_code == 413
    assert "at most 1000 bytes" in response.json()["error"]
    assert Autosave.objects.count() == 0


def test_an_autosave_that_is_not_json_is_refused_with_415(story, reporter):
    client = logged_in(reporter)
    response = client.post(autosave_url(story), {"headline": "x"})

    assert response.status_code == 415
    assert Autosave.objects.count() == 0


def test_autosave_is_post_only_and_csrf_protected(story, reporter):
    assert logged_in(reporter).get(autosave_url(story)).status_code == 405
    strict = logged_in(reporter, enforce_csrf_checks=True)
    assert send(strict, autosave_url(story), {"fields": FIELDS}).status_code == 403
    assert Autosave.objects.count() == 0


def test_only_users_who_may_edit_the_story_may_autosave_it(story, reporter, editor):
    other_reporter = make_colleague("Reporter")
    assert (
        send(
            logged_in(other_reporter), autosave_url(story), {"fields": FIELDS}
        ).status_code
        == 404
    )
    story.status = Article.Status.PUBLISHED
    story.published_at = timezone.now()
    story.save()
    # A published story is the editors': its reporter may not change it.
    assert (
        send(logged_in(reporter), autosave_url(story), {"fields": FIELDS}).status_code
        == 403
    )
    assert (
        send(logged_in(editor), autosave_url(story), {"fields": FIELDS}).status_code
        == 200
    )
    assert list(Autosave.objects.values_list("user", flat=True)) == [editor.pk]


def test_staff_without_story_rights_and_anonymous_users_cannot_autosave(story):
    staff = make_colleague("Moderator")
    assert (
        send(logged_in(staff), autosave_url(story), {"fields": FIELDS}).status_code
        == 403
    )
    assert send(logged_in(staff), autosave_url(), {"fields": FIELDS}).status_code == 403
    anonymous = send(Client(), autosave_url(story), {"fields": FIELDS})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("admin:login"))
    assert Autosave.objects.count() == 0


def test_a_missing_story_is_not_found(reporter):
    url = reverse("editing:autosave", args=[999_999])
    assert send(logged_in(reporter), url, {"fields": FIELDS}).status_code == 404


# Reopening the form ---------------------------------------------------------------


def change_url(story):
    return reverse("admin:articles_article_change", args=[story.pk])


def restore_banner(response):
    doc = parse(response)
    banner = doc.find(".//*[@id='editing-restore']")
    data = doc.find(".//script[@id='editing-autosave-data']")
    return banner, (json.loads(data.text) if data is not None else None)


def test_reopening_the_form_offers_an_autosave_newer_than_the_last_save(
    story, reporter
):
    autosaves.store(
        reporter, story, FIELDS, {}, now=timezone.now() + timedelta(seconds=5)
    )

    banner, data = restore_banner(logged_in(reporter).get(change_url(story)))

    assert banner is not None
    buttons = [b.text for b in banner.iter("button")]
    assert buttons[0].startswith("Restore your unsaved work from ")
    assert buttons[1] == "Discard"
    assert data["fields"] == FIELDS


def test_work_typed_before_a_colleagues_save_is_still_offered_with_its_version(
    story, reporter
):
    """Never lost, never a silent overwrite: the restore puts the old version
    back in the form, so saving it meets the conflict screen."""
    typed_on = story.version
    autosaves.store(
        reporter,
        story,
        {**FIELDS, "version": str(typed_on)},
        {},
        now=story.updated_at - timedelta(minutes=1),
    )
    Article.objects.filter(pk=story.pk).update(version=typed_on + 1)

    banner, data = restore_banner(logged_in(reporter).get(change_url(story)))

    assert banner is not None
    assert "Someone saved the story since" in "".join(banner.itertext())
    assert data["fields"]["version"] == str(typed_on)
    assert data["older"] is True


def test_a_colleagues_autosave_is_not_offered(story, reporter, editor):
    autosaves.store(
        editor, story, FIELDS, {}, now=timezone.now() + timedelta(seconds=5)
    )

    banner, _ = restore_banner(logged_in(reporter).get(change_url(story)))

    assert banner is None


def test_the_add_form_offers_the_autosave_of_the_story_not_saved_yet(reporter):
    autosaves.store(reporter, None, FIELDS, {})

    banner, data = restore_banner(
        logged_in(reporter).get(reverse("admin:articles_article_add"))
    )

    assert banner is not None and data["fields"] == FIELDS


def test_discard_deletes_only_the_users_autosave(story, reporter, editor):
    autosaves.store(reporter, story, FIELDS, {})
    autosaves.store(editor, story, FIELDS, {})
    autosaves.store(reporter, None, FIELDS, {})

    url = reverse("editing:discard_autosave", args=[story.pk])
    assert logged_in(reporter).post(url).status_code == 204
    assert logged_in(reporter).get(url).status_code == 405

    assert set(Autosave.objects.values_list("user", "story")) == {
        (editor.pk, story.pk),
        (reporter.pk, None),
    }
    assert (
        logged_in(reporter).post(reverse("editing:discard_autosave_new")).status_code
        == 204
    )
    assert Autosave.objects.filter(user=reporter).count() == 0


def test_discard_checks_the_right_to_edit(story):
    url = reverse("editing:discard_autosave", args=[story.pk])
    assert logged_in(make_colleague("Reporter")).post(url).status_code == 404


# A save drops the autosave --------------------------------------------------------


def test_a_save_of_the_story_drops_the_savers_autosave_only(
    story, reporter, editor, django_capture_on_commit_callbacks
):
    autosaves.store(reporter, story, FIELDS, {})
    autosaves.store(editor, story, FIELDS, {})
    story.headline = "Saved for real"

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story, by=reporter)

    assert list(Autosave.objects.values_list("user", flat=True)) == [editor.pk]


def test_saving_the_change_form_drops_the_autosave(
    story, reporter, django_capture_on_commit_callbacks
):
    autosaves.store(reporter, story, FIELDS, {})
    client = logged_in(reporter)
    data = story_form_data(story, headline="Saved from the form")
    # The version the form was opened at, if the form carries one.
    field = parse(client.get(change_url(story))).find(".//input[@name='version']")
    if field is not None:
        data["version"] = field.get("value")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(story), data)

    assert response.status_code == 302, response.content[:2000]
    assert Autosave.objects.count() == 0


def test_creating_a_story_drops_the_new_story_autosave(
    reporter, django_capture_on_commit_callbacks
):
    autosaves.store(reporter, None, FIELDS, {})
    story = Article(headline="A new one", slug="a-new-one", section=make_section())
    story.created_by = reporter

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story, by=reporter)

    assert Autosave.objects.count() == 0


def test_an_autosave_goes_with_its_story(story, reporter):
    autosaves.store(reporter, story, FIELDS, {})
    make_article()  # another story, untouched
    story.delete()

    assert Autosave.objects.count() == 0
