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
    """The NewsArticle and BreadcrumbList ``<script>`` elements of a story
    (its translations from the context, as the story page has them)."""
    request = context["request"]
    news = seo.news_article(
        article,
        request,
        translations=context.get("translations") or (),
        original=context.get("translated_from"),
    )
    return seo.json_ld(news) + seo.json_ld(seo.breadcrumbs(article, request))


@register.simple_tag(takes_context=True)
def story_languages(context, article):
    """``og:locale`` and, for a story with translations, its
    ``og:locale:alternate`` and ``<link rel="alternate" hreflang>`` elements."""
    return seo.language_links(
        article,
        context["request"],
        translations=context.get("translations") or (),
        original=context.get("translated_from"),
    )
