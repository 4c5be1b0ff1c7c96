from articles.models import Section


def navigation(request):
    """The section menu in the site header (lazy: one query when rendered)."""
    return {"nav_sections": Section.objects.only("name", "slug", "order")}
