"""The view-count models leave ``articles`` for ``viewcounts`` (its 0001).

State only: the tables stay, with their names and every row.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_live_cover_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ArticleDailyViews"),
                migrations.DeleteModel(name="ArticleViewTotal"),
                migrations.DeleteModel(name="FlushBatch"),
                migrations.DeleteModel(name="RecentView"),
            ],
            database_operations=[],
        ),
    ]
