"""One way to save a story: every writer gets its revision, redirect and signals."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles import images, revisions, services, signals
from articles.models import Article, ArticleRedirect, ArticleRevision, Byline
from tests.articles.workflow_helpers import make_role_user, story_form_data
from tests.factories import make_article, make_author, make_draft, make_section


@pytest.fixture
def heard():
    """What ``articles.signals`` said, as (signal name, arguments) pairs."""
    said = []
    receivers = {}
    for name in ("story_saved", "story_published", "story_unpublished"):

        def receiver(sender, name=name, **kwargs):
            kwargs.pop("signal")
            said.append((name, {"sender": sender, **kwargs}))

        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    yield said
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


def history(story):
    return list(
        ArticleRevision.objects.filter(article=story).order_by("created_at", "pk")
    )


def jpeg(size=(800, 600)) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue())


def with_picture(story, size=(800, 600)):
    story.lead_image.save("picture.jpg", jpeg(size), save=False)
    story.lead_image_alt = "A teal square"
    return story


def test_a_story_saved_from_the_shell_gets_its_revision_and_its_redirect(db, client):
    story = make_article(slug="mayor-resigns")
    old_url = story.get_absolute_url()

    story.slug = "mayor-resigns-after-vote"
    services.save_story(story)

    (revision,) = history(story)
    assert revision.data["slug"] == "mayor-resigns-after-vote"
    assert revision.created_by is None
    redirect = ArticleRedirect.objects.get()
    assert (redirect.old_path, redirect.article) == (old_url, story)
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == story.get_absolute_url()


def test_a_new_story_gets_a_first_revision_with_what_related_saved(db):
    author = make_author(name="Eugene Park")
    story = Article(headline="Talks resume", slug="talks", section=make_section())

    def bylines_and_tags():
        Byline.objects.create(article=story, author=author, role="translated")
        story.tags.add("Diplomacy")

    services.save_story(story, by=make_role_user("Editor"), related=bylines_and_tags)

    (revision,) = history(story)
    assert revision.summary == "First version."
    assert revision.data["bylines"] == [[author.pk, "Eugene Park", "translated", 0]]
    assert revision.data["tags"] == ["Diplomacy"]
    assert not ArticleRedirect.objects.exists()


def test_a_draft_or_a_new_address_of_a_new_story_leaves_no_redirect(db):
    draft = make_draft(slug="draft-one")
    draft.slug = "draft-two"
    services.save_story(draft)
    services.save_story(Article(headline="Fresh", section=make_section()))

    assert not ArticleRedirect.objects.exists()


def test_renditions_are_made_when_the_save_commits(
    db, django_capture_on_commit_callbacks
):
    story = with_picture(make_draft())
    names = images.rendition_names(story.lead_image.name, 800)
    storage = story.lead_image.storage

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
        assert not any(storage.exists(name) for name in names)

    assert len(names) == 6
    assert all(storage.exists(name) for name in names)


def test_renditions_can_be_left_to_the_backfill_command(
    db, django_capture_on_commit_callbacks
):
    story = with_picture(make_draft())

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story, renditions=False)

    storage = story.lead_image.storage
    assert not any(
        storage.exists(name)
        for name in images.rendition_names(story.lead_image.name, 800)
    )


def test_a_replaced_picture_is_deleted_once_the_save_commits(
    db, django_capture_on_commit_callbacks
):
    story = with_picture(make_draft())
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
    old_name = story.lead_image.name
    storage = story.lead_image.storage

    with_picture(story, size=(700, 500))
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
        assert storage.exists(old_name)  # still there until the commit

    assert not storage.exists(old_name)
    assert not storage.exists(images.rendition_name(old_name, 320, "webp"))
    assert storage.exists(story.lead_image.name)


def test_signals_carry_the_story_the_user_and_what_changed(
    db, heard, django_capture_on_commit_callbacks
):
    editor = make_role_user("Editor")
    story = Article(headline="Ports close", slug="ports", section=make_section())

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story, by=editor)
    assert heard == [
        (
            "story_saved",
            {
                "sender": Article,
                "story": story,
                "by": editor,
                "created": True,
                "changed_fields": list(revisions.FIELDS),
            },
        )
    ]

    heard.clear()
    story.headline = "Ports reopen"
    story.status = Article.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story, by=editor)
    assert heard == [
        (
            "story_saved",
            {
                "sender": Article,
                "story": story,
                "by": editor,
                "created": False,
                "changed_fields": ["headline", "status", "published_at"],
            },
        ),
        ("story_published", {"sender": Article, "story": story, "by": editor}),
    ]

    heard.clear()
    story.status = Article.Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)
    assert [name for name, _ in heard] == ["story_saved", "story_unpublished"]
    assert heard[1][1] == {"sender": Article, "story": story, "by": None}


def test_signals_wait_for_the_commit(db, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(make_draft())
        assert heard == []
    assert [name for name, _ in heard] == ["story_saved"]


def test_a_scheduled_story_is_not_announced_as_published(
    db, heard, django_capture_on_commit_callbacks
):
    story = make_draft(published_at=timezone.now() + timedelta(hours=2))
    story.status = Article.Status.PUBLISHED

    with django_capture_on_commit_callbacks(execute=True):
        services.save_story(story)

    assert [name for name, _ in heard] == ["story_saved"]


def test_nothing_is_recorded_when_the_related_save_fails(
    db, heard, django_capture_on_commit_callbacks
):
    story = make_article(slug="before", headline="Before")
    story.slug, story.headline = "after", "After"

    def broken():
        raise RuntimeError("the inline failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            services.save_story(story, related=broken)

    assert Article.objects.get(pk=story.pk).headline == "Before"
    assert not ArticleRevision.objects.exists()
    assert not ArticleRedirect.objects.exists()
    assert callbacks == [] and heard == []


def test_nothing_is_recorded_when_the_row_cannot_be_saved(
    db, heard, django_capture_on_commit_callbacks
):
    make_article(slug="taken")
    story = make_article(slug="mine")
    story.slug = "taken"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(IntegrityError):
            services.save_story(story)

    assert Article.objects.get(pk=story.pk).slug == "mine"
    assert not ArticleRevision.objects.exists()
    assert not ArticleRedirect.objects.exists()
    assert callbacks == [] and heard == []


def test_a_bulk_publish_records_revisions_in_constant_queries_and_announces_each(
    db, heard, django_capture_on_commit_callbacks
):
    editor = make_role_user("Editor")

    def run(count):
        heard.clear()
        stories = [
            make_draft(authors=[make_author(), make_author()], tags=["a", "b"])
            for _ in range(count)
        ]
        pks = [story.pk for story in stories]
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                written = services.publish_stories(
                    Article.objects.filter(pk__in=pks), by=editor
                )
        assert written == count
        assert ArticleRevision.objects.filter(
            article_id__in=pks, data__status="published", created_by=editor
        ).count() == len(pks)
        published = [kwargs for name, kwargs in heard if name == "story_published"]
        assert sorted(kwargs["story"].pk for kwargs in published) == sorted(pks)
        assert all(kwargs["by"] == editor for kwargs in published)
        saved = [kwargs for name, kwargs in heard if name == "story_saved"]
        assert {tuple(kwargs["changed_fields"]) for kwargs in saved} == {
            ("status", "published_at")
        }
        return len(queries)

    assert run(2) == run(12)
    assert Article.objects.published().count() == 14


def test_a_bulk_publish_leaves_stories_whose_picture_has_no_alt_text(db):
    ready = make_draft()
    no_alt = make_draft()
    Article.objects.filter(pk=no_alt.pk).update(lead_image="uploads/x.jpg")

    written = services.publish_stories(Article.objects.all())

    assert written == 1
    assert list(Article.objects.published()) == [ready]
    assert list(Article.objects.missing_alt_text()) == [no_alt]


def test_a_bulk_schedule_marks_only_stories_with_a_time_to_come(
    db, heard, django_capture_on_commit_callbacks
):
    later = make_draft(published_at=timezone.now() + timedelta(hours=3))
    make_draft(published_at=timezone.now() - timedelta(hours=3))

    with django_capture_on_commit_callbacks(execute=True):
        written = services.schedule_stories(Article.objects.all())

    assert written == 1
    assert list(Article.objects.scheduled()) == [later]
    assert [(name, kwargs["story"]) for name, kwargs in heard] == [
        ("story_saved", later)
    ]


def test_a_bulk_unpublish_announces_only_the_stories_that_were_live(
    db, heard, django_capture_on_commit_callbacks
):
    live = make_article()
    scheduled = make_article(published_at=timezone.now() + timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        services.unpublish_stories(Article.objects.all())

    assert not Article.objects.exclude(status=Article.Status.DRAFT).exists()
    unpublished = [kwargs["story"] for name, kwargs in heard if name != "story_saved"]
    assert unpublished == [live]
    saved = {kwargs["story"]: kwargs for name, kwargs in heard if name == "story_saved"}
    assert saved[scheduled]["changed_fields"] == ["status"]
    assert len(history(live)) == len(history(scheduled)) == 1


def test_a_restore_goes_through_save_story(
    db, heard, django_capture_on_commit_callbacks
):
    editor = make_role_user("Editor")
    first_author, second_author = make_author(), make_author()
    story = make_article(headline="Original", authors=[first_author], tags=["Alpha"])
    services.save_story(story)
    (original,) = history(story)
    story.headline = "Rewritten"

    def rewrite_bylines_and_tags():
        story.bylines.all().delete()
        Byline.objects.create(article=story, author=second_author)
        story.tags.set(["Gamma"])

    services.save_story(story, related=rewrite_bylines_and_tags)
    saved_dek = story.dek
    story.dek = "An unsaved change, not carried along."

    with django_capture_on_commit_callbacks(execute=True):
        restored = services.restore_revision(story, original, by=editor)

    assert story.headline == Article.objects.get(pk=story.pk).headline == "Original"
    assert story.dek == Article.objects.get(pk=story.pk).dek == saved_dek
    assert [b.author for b in story.bylines.all()] == [first_author]
    assert list(story.tags.names()) == ["Alpha"]
    assert history(story)[-1] == restored
    assert restored.summary.startswith("Restored the version of")
    assert restored.created_by == editor
    assert heard == [
        (
            "story_saved",
            {
                "sender": Article,
                "story": story,
                "by": editor,
                "created": False,
                "changed_fields": ["headline", "tags", "bylines"],
            },
        )
    ]


def test_a_restore_that_changes_nothing_still_notes_who_restored(db):
    editor = make_role_user("Editor")
    story = make_article()
    services.save_story(story)
    (latest,) = history(story)

    restored = services.restore_revision(story, latest, by=editor)

    assert len(history(story)) == 2
    assert restored.summary.endswith("(no changes).")
    assert restored.created_by == editor


def test_a_revision_of_another_story_is_not_restored(db):
    story, other = make_article(), make_article()
    services.save_story(other)

    with pytest.raises(ValueError):
        services.restore_revision(story, history(other)[0])


def test_the_admin_change_form_saves_through_the_service(
    db, client, heard, django_capture_on_commit_callbacks
):
    editor = make_role_user("Editor")
    client.force_login(editor)
    story = make_article(slug="old-name")
    data = story_form_data(story, slug="new-name", _save="Save")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:articles_article_change", args=[story.pk]), data
        )

    assert response.status_code == 302
    ((name, kwargs),) = heard
    assert (name, kwargs["story"].pk, kwargs["by"]) == ("story_saved", story.pk, editor)
    assert ArticleRedirect.objects.get().article_id == story.pk


def test_a_bulk_action_in_the_admin_announces_through_the_service(
    db, client, heard, django_capture_on_commit_callbacks
):
    editor = make_role_user("Editor")
    client.force_login(editor)
    story = make_draft()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "publish", "_selected_action": [story.pk]},
        )

    assert [(name, kwargs["by"]) for name, kwargs in heard] == [
        ("story_saved", editor),
        ("story_published", editor),
    ]
    (revision,) = history(story)
    assert revision.created_by == editor


def test_demo_stories_are_saved_through_the_service(db):
    call_command("load_demo", no_renditions=True, verbosity=0)

    stories = Article.objects.count()
    assert stories > 0
    assert ArticleRevision.objects.filter(summary="First version.").count() == stories
    assert all(
        revision.data["bylines"] and revision.data["tags"]
        for revision in ArticleRevision.objects.all()
    )
