"""The admin index's newsroom panels: one query each, whatever the numbers."""

from django import template

from articles import workflow
from articles.models import Article

register = template.Library()

PANEL_SIZE = 10


@register.inclusion_tag("admin/articles/dashboard_panel.html", takes_context=True)
def my_drafts(context, limit=PANEL_SIZE):
    """The signed-in user's own drafts, last touched first."""
    user = context["request"].user
    stories = []
    if user.has_perm("articles.view_article"):
        stories = list(
            Article.objects.filter(created_by_id=user.pk, status=Article.Status.DRAFT)
            .select_related("section")
            .only("headline", "updated_at", "section__name")
            .order_by("-updated_at", "-pk")[:limit]
        )
    return {
        "title": "My drafts",
        "panel_id": "my-drafts",
        "stories": stories,
        "show": user.has_perm("articles.add_article"),
        "empty": "You have no drafts.",
    }


@register.inclusion_tag("admin/articles/dashboard_panel.html", takes_context=True)
def awaiting_review(context, limit=PANEL_SIZE):
    """Stories submitted for review, oldest first: for editors only."""
    user = context["request"].user
    show = workflow.can_publish(user)
    stories = []
    if show:
        stories = list(
            Article.objects.filter(status=Article.Status.REVIEW)
            .select_related("section", "created_by")
            .only("headline", "updated_at", "section__name", "created_by__username")
            .order_by("updated_at", "pk")[:limit]
        )
    return {
        "title": "Awaiting review",
        "panel_id": "awaiting-review",
        "stories": stories,
        "show": show,
        "show_owner": True,
        "empty": "Nothing is waiting for review.",
    }
