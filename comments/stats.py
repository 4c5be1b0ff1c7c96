"""What readers see of comments: threads, counts and "Most Commented".

Every count here is a count of approved comments, the same rows a thread
displays, so the number shown always equals the comments shown.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.db.models import Count, Max, Q
from django.utils import timezone

from articles.models import Article
from comments.models import MAX_DEPTH, MOST_COMMENTED_CACHE_KEY, Comment

MOST_COMMENTED_DAYS = 7
MOST_COMMENTED_KEPT = 10
# What ``Comment.objects.approved()`` means, for the queries written in SQL.
APPROVED = Comment.Status.APPROVED.value
# The fields a thread shows (the rest are deferred).
THREAD_FIELDS = ("id", "parent", "depth", "name", "body", "created_at")


def approved_comments(article) -> list[Comment]:
    """The story's approved comments, oldest first: one query, kept on the article.

    The rows of ``Comment.objects.approved().filter(article=article)``, with
    only what a thread shows, in plain SQL: building that query through the
    ORM cost a story page more than running it. ``raw()`` still converts the
    values as the ORM would.
    """
    comments = getattr(article, "_approved_comments", None)
    if comments is None:
        connection = connections[router.db_for_read(Comment)]
        comments = list(
            Comment.objects.raw(_thread_sql(connection), [APPROVED, article.pk])
        )
        article._approved_comments = comments
    return comments


def build_thread(comments: list[Comment], *, newest_first=False):
    """(comment, level) pairs in reading order, replies oldest first.

    A reply whose parent is not shown (held, rejected, deleted) is shown at the
    top level, so every approved comment appears exactly once.
    """
    shown = {c.pk for c in comments}
    children = defaultdict(list)
    roots = []
    for comment in comments:
        if comment.parent_id in shown:
            children[comment.parent_id].append(comment)
        else:
            roots.append(comment)
    if newest_first:
        roots.reverse()
    entries = []
    stack = [(root, 1) for root in reversed(roots)]
    while stack:
        comment, level = stack.pop()
        entries.append((comment, level))
        stack.extend(
            (child, min(level + 1, MAX_DEPTH))
            for child in reversed(children[comment.pk])
        )
    return entries


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


def _thread_sql(connection) -> str:
    qn = connection.ops.quote_name
    meta = Comment._meta
    column = {name: qn(meta.get_field(name).column) for name in THREAD_FIELDS}
    return (
        f"SELECT {', '.join(column.values())} FROM {qn(meta.db_table)}"
        f" WHERE {qn(meta.get_field('status').column)} = %s"
        f" AND {qn(meta.get_field('article').column)} = %s"
        f" ORDER BY {column['created_at']}, {column['id']}"
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
            .only("pk", "headline", "slug", "published_at", "created_at")
        )[:MOST_COMMENTED_KEPT]
        entries = [
            {
                "pk": article.pk,
                "headline": article.headline,
                "url": article.get_absolute_url(),
                "count": article.num_comments,
            }
            for article in articles
        ]
        cache.set(
            MOST_COMMENTED_CACHE_KEY,
            entries,
            getattr(settings, "COMMENTS_MOST_COMMENTED_TTL", 300),
        )
    return entries[:limit]
