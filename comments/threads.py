"""A story's comment thread as readers see it: approved comments, replies
under their parents, at most ``MAX_DEPTH`` deep."""

from collections import defaultdict

from django.db import connections, router

from comments.models import MAX_DEPTH, Comment

APPROVED = Comment.Status.APPROVED.value

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
