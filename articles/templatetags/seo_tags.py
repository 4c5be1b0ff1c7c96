"""Tags for search-engine and social-preview markup (see ``articles/seo.py``)."""

from django import template

from articles import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute_url(context, path):
    """``path`` made absolute with the request's scheme and host."""
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def story_json_ld(context, article):
    """The NewsArticle and BreadcrumbList ``<script>`` elements of a story."""
    request = context["request"]
    return seo.json_ld(seo.news_article(article, request)) + seo.json_ld(
        seo.breadcrumbs(article, request)
    )
