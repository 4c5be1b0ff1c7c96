import django.db.models
from django.db import migrations

import articles.models


class Migration(migrations.Migration):
    dependencies = [("articles", "0008_move_view_counts_out")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="language",
            field=django.db.models.CharField(
                choices=articles.models.language_choices,
                default=articles.models.default_language,
                help_text="The language the story is written in; pages and feeds "
                "declare it to browsers, screen readers and search engines.",
                max_length=10,
            ),
        ),
    ]
