from django.conf import settings

from articles.models import Section


def navigation(request):
    """The site name and the section menu in the header.

    ``nav_sections`` is lazy: one query, and only when a template renders it.
    """
    return {
        "newsroom_name": settings.NEWSROOM_NAME,
        "nav_sections": Section.objects.only("name", "slug", "order"),
    }
