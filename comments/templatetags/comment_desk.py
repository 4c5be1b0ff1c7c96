"""The desk's comment panel on the admin index: the moderation queue.

For whoever may moderate (moderators and editors): how many comments wait,
how many for each reason, the oldest few, each a link into the queue. Two
queries, whatever the numbers.
"""

from django import template
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext

from comments import roles
from comments.admin import known_pending
from comments.models import Comment

register = template.Library()

PANEL_SIZE = 5


@register.inclusion_tag("admin/desk/moderation_queue.html", takes_context=True)
def moderation_queue(context, limit=PANEL_SIZE):
    request = context["request"]
    if not roles.can_moderate(request.user):
        return {"show": False}
    queue = reverse("admin:comments_comment_changelist") + "?status=pending"
    labels = dict(Comment.Reason.choices)
    rows = (
        known_pending(request)
        .values("held_reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "held_reason")
    )
    reasons = [
        {
            "label": labels.get(row["held_reason"], gettext("No reason given")),
            "count": row["n"],
            "url": f"{queue}&held_reason__exact={row['held_reason']}",
        }
        for row in rows
    ]
    oldest = list(
        known_pending(request)
        .select_related("article")
        .only("body", "name", "created_at", "article__headline")
        .order_by("created_at", "pk")[:limit]
    )
    return {
        "show": True,
        "count": sum(reason["count"] for reason in reasons),
        "reasons": reasons,
        "oldest": oldest,
        "queue_url": queue,
    }
