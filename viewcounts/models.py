"""View counts: daily rows and all-time totals beside (never on) the story row,
the flush's exactly-once ledger and the per-process dedup marks.

The tables keep the names they had when these models lived in ``articles``
(``viewcounts/migrations/0001_initial.py``): an existing database keeps every
count.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models import Article


class ArticleDailyViews(models.Model):
    """Reader views of one story on one day (newsroom time zone).

    Written only by ``viewcounts.counter`` with atomic upserts; never on the
    Article row, so an editor's save and a reader's view cannot clobber each
    other.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="daily_views"
    )
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "articles_articledailyviews"
        verbose_name_plural = _("article daily views")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "day"], name="article_daily_views_unique"
            ),
        ]
        indexes = [
            # "Most Viewed": a range of days, biggest first.
            models.Index(fields=["day", "-views"], name="article_daily_views_day_idx"),
        ]

    def __str__(self):
        return f"{self.article_id} on {self.day}: {self.views}"


class ArticleViewTotal(models.Model):
    """All-time views of one story, kept beside (not on) the Article row."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="view_total"
    )
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "articles_articleviewtotal"

    def __str__(self):
        return f"{self.article_id}: {self.views}"


class FlushBatch(models.Model):
    """A Redis batch of views already written: makes each flush exactly-once."""

    batch_id = models.CharField(max_length=64, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "articles_flushbatch"

    def __str__(self):
        return self.batch_id


class RecentView(models.Model):
    """Dedup marks when the cache is per process (no Redis): shared via the DB.

    ``key`` is an HMAC of the story, the reader's IP and user agent under a
    salt that rotates daily; rows expire after the dedup window and are pruned.
    """

    key = models.CharField(max_length=80, primary_key=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "articles_recentview"

    def __str__(self):
        return self.key


class PendingView(models.Model):
    """Counted views not yet added to the daily rows and totals: the buffer.

    Append-only (each counted view is one INSERT, so readers of one story never
    wait on each other's row lock) and in the database, so a counted view
    survives whatever happens to Redis. ``counter.flush_views()`` moves the
    rows into ``ArticleDailyViews`` and ``ArticleViewTotal`` and deletes them
    in one transaction: exactly once by construction. No foreign-key
    constraint: an insert takes no lock on the story row, and views of a story
    deleted meanwhile are dropped at the flush.
    """

    article = models.ForeignKey(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # read only by the flush, in id order
        related_name="+",
    )
    day = models.DateField()
    views = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"{self.article_id} on {self.day}: +{self.views}"


class AddressViews(models.Model):
    """New readers one network brought to one story in the dedup window.

    ``key`` is an HMAC of the story and the network (IPv4 /24, IPv6 /64) under
    the daily salt; rows expire with the window and are pruned with the marks.
    """

    key = models.CharField(max_length=80, primary_key=True)
    views = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name_plural = _("address views")

    def __str__(self):
        return f"{self.key}: {self.views}"
