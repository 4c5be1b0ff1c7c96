# The comment flow (issue 15): the poster's browser, from the signed form
# token, so readers behind one address are told apart.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_comment_fingerprint")]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="reader_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="A keyed hash naming the poster's browser (from the "
                "signed form token): tells apart readers who share one address.",
                max_length=64,
            ),
        ),
    ]
