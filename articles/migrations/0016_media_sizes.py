"""Each stored picture's byte size (and an author photo's width and height),
kept in its row so that pages and feeds never ask the media storage.

Schema only, and cheap on a large table: nullable columns, no default to
write into every row. Rows saved before this migration have no size yet;
``manage.py record_media_sizes`` fills them in afterwards, in small batches
(each its own short UPDATE, resumable, safe to run while the site serves).
Until then a feed's enclosure says length 0 and an author photo is drawn
without a known size, as before.
"""

import articles.images
import articles.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0015_pending_changes")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="lead_image_size",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="article",
            name="social_image_size",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="author",
            name="photo_height",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="author",
            name="photo_size",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="author",
            name="photo_width",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="bodyimage",
            name="size",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="article",
            name="lead_image",
            field=articles.images.CleanImageField(
                blank=True,
                height_field="lead_image_height",
                help_text="JPEG, PNG, WebP or GIF (first frame), at most 20 MB. "
                "It is re-encoded: location and camera data are removed.",
                size_field="lead_image_size",
                upload_to=articles.models.upload_path,
                width_field="lead_image_width",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="social_image",
            field=articles.images.CleanImageField(
                blank=True,
                height_field="social_image_height",
                help_text="Optional. Shown on social cards instead of the lead "
                "image (1200 × 630 pixels is best). Re-encoded like the lead image.",
                size_field="social_image_size",
                upload_to=articles.models.upload_path,
                verbose_name="social image",
                width_field="social_image_width",
            ),
        ),
        migrations.AlterField(
            model_name="author",
            name="photo",
            field=articles.images.CleanImageField(
                blank=True,
                height_field="photo_height",
                size_field="photo_size",
                upload_to=articles.models.upload_path,
                width_field="photo_width",
            ),
        ),
        migrations.AlterField(
            model_name="bodyimage",
            name="image",
            field=articles.images.CleanImageField(
                height_field="height",
                size_field="size",
                upload_to=articles.models.upload_path,
                width_field="width",
            ),
        ),
    ]
