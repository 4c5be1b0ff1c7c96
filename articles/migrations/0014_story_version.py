from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("articles", "0013_article_is_a_story")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
