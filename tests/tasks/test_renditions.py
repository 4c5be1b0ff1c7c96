"""Renditions are a task (``articles.tasks.make_story_renditions``), enqueued
after the save commits; ``images.make_renditions`` does the work."""

import logging

from django.core.files.base import ContentFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from articles import images, services
from articles import tasks as article_tasks
from articles.models import Article
from tests.articles.test_images import jpeg_bytes
from tests.factories import make_article


def save_with_picture(name="photo.jpg", size=(1200, 600)) -> Article:
    story = make_article(lead_image_alt="A red square")
    story.lead_image = images.clean_image(ContentFile(jpeg_bytes(size=size), name=name))
    services.save_story(story)
    return story


def rendition_files(story) -> list[str]:
    storage = story.lead_image.storage
    return [
        name
        for name in images.rendition_names(story.lead_image.name, 1200)
        if storage.exists(name)
    ]


def test_a_saved_picture_gets_its_renditions_through_the_task(tasks):
    story = save_with_picture()
    if tasks.queued:
        assert rendition_files(story) == []  # not in the editor's request
        assert tasks.waiting("make_story_renditions") == 1
        assert tasks.work() == 1
    assert len(rendition_files(story)) == 8
    assert tasks.waiting() == 0


def test_the_task_run_twice_makes_nothing_more(tasks):
    story = save_with_picture()
    tasks.work()
    before = rendition_files(story)
    article_tasks.make_story_renditions.enqueue(story.pk, story.lead_image.name)
    tasks.work()
    assert rendition_files(story) == before


def test_a_picture_replaced_before_the_worker_ran_is_left_alone(tasks):
    story = save_with_picture("first.jpg")
    first = story.lead_image.name
    story.lead_image = images.clean_image(
        ContentFile(jpeg_bytes(size=(900, 450)), name="second.jpg")
    )
    services.save_story(story)
    tasks.work()
    storage = story.lead_image.storage
    # The second picture has its renditions; the first (gone) got none made
    # after it was replaced.
    assert all(
        storage.exists(name)
        for name in images.rendition_names(story.lead_image.name, 900)
    )
    assert not any(storage.exists(name) for name in images.rendition_names(first, 1200))


def test_a_storage_failure_is_recorded_and_retried_not_lost(tasks, monkeypatch, caplog):
    real = images.make_renditions
    calls = []

    def flaky(fieldfile):
        calls.append(fieldfile.name)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(fieldfile)

    monkeypatch.setattr(images, "make_renditions", flaky)
    with caplog.at_level(logging.ERROR):
        story = save_with_picture()
        tasks.work()
    assert Article.objects.filter(pk=story.pk, lead_image=story.lead_image.name)
    assert rendition_files(story) == []
    assert "make_story_renditions" in caplog.text  # the failure is logged
    if tasks.queued:
        failed = DBTaskResult.objects.get(status="FAILED")
        assert failed.exception_class_path == "builtins.OSError"
        assert "No space left" in failed.traceback
        retry = DBTaskResult.objects.get(status="READY")
        assert retry.args_kwargs["kwargs"] == {"attempt": 2}
        assert retry.run_after > failed.finished_at  # later, not at once
        tasks.make_retries_due()
        assert tasks.work() == 1
    else:
        # The immediate backend cannot wait: the backfill command makes them.
        call_command("make_renditions")
    assert len(rendition_files(story)) == 8
