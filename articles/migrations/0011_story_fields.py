# The writing screen: search and social fields, pictures in the body, uploads
# kept across a failed validation.
import articles.images
import articles.models
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0010_search_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='seo_description',
            field=models.CharField(blank=True, help_text='Optional. Used instead of the standfirst in search results, social cards and feeds; about 155 characters are shown.', max_length=300, verbose_name='search and social description'),
        ),
        migrations.AddField(
            model_name='article',
            name='seo_headline',
            field=models.CharField(blank=True, help_text='Optional. Shown by search engines and on social cards instead of the headline; they cut titles after about 60 characters.', max_length=120, verbose_name='search and social headline'),
        ),
        migrations.AddField(
            model_name='article',
            name='social_image',
            field=articles.images.CleanImageField(blank=True, height_field='social_image_height', help_text='Optional. Shown on social cards instead of the lead image (1200 × 630 pixels is best). Re-encoded like the lead image.', upload_to=articles.models.upload_path, verbose_name='social image', width_field='social_image_width'),
        ),
        migrations.AddField(
            model_name='article',
            name='social_image_height',
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='article',
            name='social_image_width',
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.CreateModel(
            name='BodyImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('image', articles.images.CleanImageField(height_field='height', upload_to=articles.models.upload_path, width_field='width')),
                ('width', models.PositiveIntegerField(editable=False, null=True)),
                ('height', models.PositiveIntegerField(editable=False, null=True)),
                ('alt', models.CharField(max_length=300, verbose_name='alt text')),
                ('caption', models.CharField(blank=True, max_length=500)),
                ('credit', models.CharField(blank=True, max_length=200)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('article', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='body_images', to='articles.article')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='KeptUpload',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('file', models.FileField(storage=articles.models.kept_upload_storage, upload_to=articles.models.kept_upload_path)),
                ('width', models.PositiveIntegerField()),
                ('height', models.PositiveIntegerField()),
                ('original_name', models.CharField(blank=True, max_length=100)),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
