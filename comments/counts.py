"""Comment counts on story cards and "Most Commented".

Every count here is a count of approved comments, the same rows a thread
displays (``comments.threads``), so the number shown always equals the
comments shown.
"""

from datetime import timedelta

from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Max, Q
from django.utils import timezone

from articles.models import Article
from comments import conf
from comments.models import MOST_COMMENTED_CACHE_KEY, Comment

MOST_COMMENTED_DAYS = 7
MOST_COMMENTED_KEPT = 10

APPROVED = Comment.Status.APPROVED.value


def comment_counts(articles) -> dict[int, int]:
    """{article pk: approved comments} for a list of stories, in one query.

    A front page asks for about a hundred stories at once. Through the ORM
    the ``IN`` list alone (each value prepared, then each placeholder bound
    and quoted by the driver) cost more than the query, so this is plain SQL
    over the same rows as ``Comment.objects.approved()``: on PostgreSQL the
    keys travel as one array parameter.
    """
    pks = list(dict.fromkeys(article.pk for article in articles))
    if not pks:
        return {}
    connection = connections[router.db_for_read(Comment)]
    if connection.vendor == "postgresql":
        sql, params = _counts_sql(connection, "= ANY(%s)"), [APPROVED, pks]
    else:
        in_list = f"IN ({', '.join(['%s'] * len(pks))})"
        sql, params = _counts_sql(connection, in_list), [APPROVED, *pks]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def _counts_sql(connection, membership: str) -> str:
    qn = connection.ops.quote_name
    meta = Comment._meta
    article = qn(meta.get_field("article").column)
    return (
        f"SELECT {article}, COUNT(*) FROM {qn(meta.db_table)}"
        f" WHERE {qn(meta.get_field('status').column)} = %s"
        f" AND {article} {membership} GROUP BY {article}"
    )


def most_commented(limit: int) -> list[dict]:
    """Live stories by approved comments in the last 7 days, cached briefly.

    Ties go to the story with the most recent approved comment. The cache is
    purged whenever a comment is saved, deleted or moderated.
    """
    entries = cache.get(MOST_COMMENTED_CACHE_KEY)
    if entries is None:
        since = timezone.now() - timedelta(days=MOST_COMMENTED_DAYS)
        recent = Q(
            comments__status=Comment.Status.APPROVED,
            comments__created_at__gte=since,
        )
        articles = (
            Article.objects.published()
            .filter(recent)
            .annotate(
                num_comments=Count("comments", filter=recent),
                latest_comment=Max("comments__created_at", filter=recent),
            )
            .order_by("-num_comments", "-latest_comment", "-pk")
            .only("pk", "headline", "slug", "language", "published_at", "created_at")
        )[:MOST_COMMENTED_KEPT]
        entries = [
            {
                "pk": article.pk,
                "headline": article.headline,
                "language": article.language,
                "url": article.get_absolute_url(),
                "count": article.num_comments,
            }
            for article in articles
        ]
        cache.set(
            MOST_COMMENTED_CACHE_KEY,
            entries,
            conf.settings.COMMENTS_MOST_COMMENTED_TTL,
        )
    return entries[:limit]
