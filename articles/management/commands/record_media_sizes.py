"""Record the byte size, width and height of pictures stored before they were kept.

Pages and feeds read a picture's size from its row, never from the media
storage (``articles.images.StoredImageFieldFile``); rows saved before
migration ``articles.0016_media_sizes`` have none yet. This fills them in:

- in batches of ``--batch`` rows, walked by primary key (no OFFSET, no
  server-side cursor, no long transaction: each row is one short UPDATE, so it
  is safe on a large table while the site serves, and behind PgBouncer);
- asking the storage only about rows that lack something (one request for the
  size; a read of the file only when width or height is missing too);
- resumable and idempotent: a second run finds nothing to do. A file that is
  missing or unreadable is reported and left as it is.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from articles.models import Article, Author, BodyImage

# (model, image field): each field names its width, height and size fields.
PICTURES = [
    (Article, "lead_image"),
    (Article, "social_image"),
    (Author, "photo"),
    (BodyImage, "image"),
]


def _missing(field) -> Q:
    """Rows with a file whose size, width or height is not recorded."""
    lacking = Q()
    for name in (field.size_field, field.width_field, field.height_field):
        if name:
            lacking |= Q(**{f"{name}__isnull": True})
    return lacking & ~Q(**{field.name: ""}) & Q(**{f"{field.name}__isnull": False})


class Command(BaseCommand):
    help = "Record missing picture sizes (bytes, width, height) in the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=200, help="Rows read per query (200)."
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Measure and report, write nothing.",
        )

    def handle(self, *args, batch, dry_run=False, **options):
        recorded = failed = 0
        for model, field_name in PICTURES:
            field = model._meta.get_field(field_name)
            columns = [
                name
                for name in (field.size_field, field.width_field, field.height_field)
                if name
            ]
            rows = model._base_manager.filter(_missing(field)).order_by("pk")
            last_pk = None
            while True:
                page = rows if last_pk is None else rows.filter(pk__gt=last_pk)
                chunk = list(page.only("pk", field_name, *columns)[:batch])
                if not chunk:
                    break
                last_pk = chunk[-1].pk
                for row in chunk:
                    try:
                        values = self.measure(row, field)
                    except (OSError, ValueError) as error:
                        failed += 1
                        name = getattr(row, field_name).name
                        self.stderr.write(f"{name}: {error}")
                        continue
                    recorded += 1
                    if dry_run:
                        continue
                    # Only if the row still holds the file that was measured:
                    # a picture replaced meanwhile keeps its own sizes.
                    model._base_manager.filter(
                        pk=row.pk, **{field_name: getattr(row, field_name).name}
                    ).update(**values)
        verb = "to record (dry run)" if dry_run else "recorded"
        summary = f"{recorded} picture sizes {verb}, {failed} pictures unreadable."
        if failed:
            # Reported on stderr above; a script sees the failure in the code.
            raise CommandError(summary)
        self.stdout.write(summary)

    def measure(self, row, field) -> dict:
        """What ``row`` lacks of its picture's size, asked of the storage."""
        file = getattr(row, field.name)
        values = {}
        if field.size_field and getattr(row, field.size_field) is None:
            values[field.size_field] = file.storage.size(file.name)
        if (field.width_field and getattr(row, field.width_field) is None) or (
            field.height_field and getattr(row, field.height_field) is None
        ):
            # StoredImageFieldFile reads the file when the row does not know.
            width, height = file._get_image_dimensions()
            if width is None or height is None:
                raise ValueError("not a picture that can be read")
            values[field.width_field] = width
            values[field.height_field] = height
        return values
