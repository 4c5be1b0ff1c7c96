"""What readers see of comments: threads, counts and "Most Commented".

Every count here is a count of approved comments, the same rows a thread
displays, so the number shown always equals the comments shown.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone

from articles.models import Article
from comments.models import MAX_DEPTH, MOST_COMMENTED_CACHE_KEY, Comment

MOST_COMMENTED_DAYS = 7
MOST_COMMENTED_KEPT = 10


def approved_comments(article) -> list[Comment]:
    """The story's approved comments, oldest first: one query, kept on the article."""
    comments = getattr(article, "_approved_comments", None)
    if comments is None:
        comments = list(
            Comment.objects.approved()
            .filter(article=article)
            .only("pk", "parent_id", "depth", "name", "body", "created_at")
            .order_by("created_at", "pk")
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
    """{article pk: approved comments} for a list of stories, in one query."""
    pks = [article.pk for article in articles]
    if not pks:
        return {}
    rows = (
        Comment.objects.approved()
        .filter(article_id__in=pks)
        .values("article_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["article_id"]: row["n"] for row in rows}


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
