"""Reading view counts: a story's total, its daily views, Most Viewed
(``docs/viewcounts.md``)."""

import time
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from viewcounts import conf
from viewcounts.models import ArticleDailyViews, ArticleViewTotal

PERIODS = {"today": 1, "7d": 7, "30d": 30}
PERIOD_LABELS = {"today": _("Today"), "7d": _("7 days"), "30d": _("30 days")}


def view_count(article: Article) -> int:
    """All-time views: the ``total_views`` annotation if loaded, else one lookup."""
    annotated = getattr(article, "total_views", None)
    if annotated is not None:
        return annotated
    return (
        ArticleViewTotal.objects.filter(article_id=article.pk)
        .values_list("views", flat=True)
        .first()
        or 0
    )


def with_view_counts(queryset, now: datetime | None = None):
    """Annotate ``total_views`` and ``views_7d`` (no query per row; sortable)."""
    since = timezone.localdate(now or timezone.now()) - timedelta(days=6)
    last_week = (
        ArticleDailyViews.objects.filter(article=OuterRef("pk"), day__gte=since)
        .values("article")
        .annotate(total=Sum("views"))
        .values("total")
    )
    return queryset.annotate(
        total_views=Coalesce("view_total__views", Value(0)),
        views_7d=Coalesce(Subquery(last_week, output_field=IntegerField()), Value(0)),
    )


def daily_views(article: Article, days: int = 30, now: datetime | None = None):
    """``[(day, views)]`` for the last ``days`` days, newest first, zeros included."""
    today = timezone.localdate(now or timezone.now())
    since = today - timedelta(days=days - 1)
    stored = dict(
        ArticleDailyViews.objects.filter(article=article, day__gte=since).values_list(
            "day", "views"
        )
    )
    return [
        (day, stored.get(day, 0)) for day in (today - timedelta(n) for n in range(days))
    ]


def most_viewed(
    period: str = "7d", limit: int = 5, now: datetime | None = None
) -> list[Article]:
    """Published stories by views over a period, from the daily rows.

    The day range is read through the (day, views) index and the answer is
    cached for ``VIEWCOUNTS_MOST_VIEWED_CACHE_SECONDS``. Each story carries
    ``period_views``.

    Summing 30 days of a large archive takes a while, so when the answer goes
    stale one request (the one that wins ``cache.add`` of a refresh mark)
    computes it again while everyone else keeps getting the previous answer,
    for at most one more period: no pile-up of identical queries across the
    processes sharing the cache, at midnight included (the day is kept in the
    entry, not in the key).
    """
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}; use one of {list(PERIODS)}.")
    today = timezone.localdate(now or timezone.now()).isoformat()
    # v3: the stories carry their language (a v2 entry would load it per story).
    key = f"views:most:v3:{period}:{limit}"
    fresh_for = conf.settings.VIEWCOUNTS_MOST_VIEWED_CACHE_SECONDS
    entry = cache.get(key)
    marked = False
    if entry is not None:
        day, fresh_until, stories = entry
        if day == today and time.time() < fresh_until:
            return stories
        # Stale (or yesterday's, just after midnight): for one more period it
        # is served while the request that wins the mark recomputes it.
        if time.time() < fresh_until + fresh_for:
            marked = cache.add(f"{key}:refresh", 1, timeout=max(fresh_for, 30))
            if not marked:
                return stories
    try:
        stories = _rank_most_viewed(period, limit, date.fromisoformat(today))
        cache.set(key, (today, time.time() + fresh_for, stories), fresh_for * 2)
    finally:
        if marked:
            cache.delete(f"{key}:refresh")
    return stories


def _rank_most_viewed(period: str, limit: int, today: date) -> list[Article]:
    since = today - timedelta(days=PERIODS[period] - 1)
    if since == today:
        # One row per story and day: no sums, so the (day, views) index
        # hands over the biggest first and the query stops after ``limit``
        # live stories (summing a day's rows read every story viewed).
        ranked = (
            Article.objects.published()
            .filter(daily_views__day=today, daily_views__views__gt=0)
            .annotate(period_views=F("daily_views__views"))
        )
    else:
        ranked = (
            Article.objects.published()
            .filter(daily_views__day__gte=since, daily_views__day__lte=today)
            .annotate(period_views=Sum("daily_views__views"))
            .filter(period_views__gt=0)
        )
    return list(
        ranked.only(
            "headline", "slug", "language", "published_at", "created_at"
        ).order_by("-period_views", "-published_at", "-pk")[:limit]
    )
