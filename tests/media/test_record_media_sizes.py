"""``manage.py record_media_sizes``: the backfill for rows stored before
sizes were kept (migration ``articles.0016_media_sizes``)."""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from articles.models import Article, Author, BodyImage
from tests.factories import make_article, make_author
from tests.media.conftest import jpeg_bytes


def stored(name, size):
    return default_storage.save(name, ContentFile(jpeg_bytes(size)))


def run(**options):
    """(stdout and the failure's message, stderr); a picture it could not
    read fails the command, so that a script notices."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("record_media_sizes", stdout=out, stderr=err, **options)
    except CommandError as error:
        out.write(str(error))
    return out.getvalue(), err.getvalue()


def test_old_rows_get_their_sizes_in_batches_and_a_second_run_does_nothing(db):
    names = [stored(f"uploads/2020/01/old{n}.jpg", (800 + n, 400)) for n in range(5)]
    stories = [make_article() for _ in names]
    for story, name in zip(stories, names, strict=True):
        Article.objects.filter(pk=story.pk).update(
            lead_image=name, lead_image_width=800, lead_image_height=400
        )
    author = make_author()
    Author.objects.filter(pk=author.pk).update(
        photo=stored("uploads/2020/01/face.jpg", (300, 200))
    )
    body = BodyImage.objects.create(image=stored("uploads/2020/01/b.jpg", (640, 480)))
    BodyImage.objects.filter(pk=body.pk).update(size=None)
    missing = make_article()
    Article.objects.filter(pk=missing.pk).update(lead_image="uploads/2020/01/gone.jpg")

    out, err = run(batch=2)

    assert "7 picture sizes recorded, 1 pictures unreadable" in out
    assert "uploads/2020/01/gone.jpg" in err
    for story in stories:
        story.refresh_from_db()
        assert story.lead_image_size == story.lead_image.storage.size(
            story.lead_image.name
        )
    author.refresh_from_db()
    assert (author.photo_width, author.photo_height) == (300, 200)
    assert author.photo_size > 0
    body.refresh_from_db()
    assert body.size > 0

    again, _ = run()
    assert "0 picture sizes recorded, 1 pictures unreadable" in again


def test_a_dry_run_reports_and_writes_nothing(db):
    story = make_article()
    name = stored("uploads/2020/01/dry.jpg", (900, 450))
    Article.objects.filter(pk=story.pk).update(
        lead_image=name, lead_image_width=900, lead_image_height=450
    )
    out, _ = run(dry_run=True)
    assert "1 picture sizes to record (dry run), 0 pictures unreadable" in out
    story.refresh_from_db()
    assert story.lead_image_size is None


def test_a_picture_replaced_while_it_was_measured_keeps_its_own_sizes(db, monkeypatch):
    """The row's new picture is never given the sizes of the file it replaced."""
    from articles.management.commands import record_media_sizes

    story = make_article()
    old = stored("uploads/2020/01/before.jpg", (800, 400))
    Article.objects.filter(pk=story.pk).update(
        lead_image=old, lead_image_width=800, lead_image_height=400
    )
    new = stored("uploads/2020/01/after.jpg", (2000, 1000))
    measure = record_media_sizes.Command.measure

    def replaced_meanwhile(self, row, field):
        values = measure(self, row, field)
        Article.objects.filter(pk=story.pk).update(
            lead_image=new, lead_image_width=2000, lead_image_height=1000
        )
        return values

    monkeypatch.setattr(record_media_sizes.Command, "measure", replaced_meanwhile)
    run()
    story.refresh_from_db()
    assert story.lead_image.name == new
    assert (story.lead_image_width, story.lead_image_height) == (2000, 1000)
    assert story.lead_image_size is None  # measured next run, its own
