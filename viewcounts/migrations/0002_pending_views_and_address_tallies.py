"""The view buffer moves from Redis into the database, and networks get a tally.

``PendingView``: each counted view is appended here and the flush moves the
rows into the daily rows and totals (a counted view no longer lives only in
Redis). What earlier releases left in the Redis hash is drained by the flush,
so the upgrade loses nothing. ``AddressViews``: new readers per network per
story per window (``VIEWCOUNTS_PER_ADDRESS_LIMIT``). Both tables start empty.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0008_move_view_counts_out'),
        ('viewcounts', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='AddressViews',
            fields=[
                ('key', models.CharField(max_length=80, primary_key=True, serialize=False)),
                ('views', models.PositiveIntegerField(default=0)),
                ('expires_at', models.DateTimeField(db_index=True)),
            ],
            options={
                'verbose_name_plural': 'address views',
            },
        ),
        migrations.CreateModel(
            name='PendingView',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('views', models.PositiveIntegerField(default=1)),
                ('article', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.article')),
            ],
        ),
    ]
