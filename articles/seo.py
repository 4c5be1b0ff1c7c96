"""Structured data for story pages: schema.org NewsArticle and BreadcrumbList.

The dictionaries are built here, in Python, and written into the page by
``json_ld()``, which escapes ``<``, ``>`` and ``&`` the way Django's
``json_script`` does, so no headline or body can end the ``<script>`` element.
"""

import json
from collections.abc import Callable

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

# The same escapes as django.utils.html.json_script (a private table there).
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# Feature apps add to a story's NewsArticle (corrections: ``correction``,
# ``dateModified``): ``register_news_article_contributor()`` in their
# ``AppConfig.ready()``. Each is called with the story, the request and the
# dictionary, and changes the dictionary in place.
NewsArticleContributor = Callable[[Article, object, dict], None]
_news_article_contributors: list[NewsArticleContributor] = []


def register_news_article_contributor(contributor: NewsArticleContributor) -> None:
    if contributor not in _news_article_contributors:
        _news_article_contributors.append(contributor)


def json_ld(data: dict) -> SafeString:
    """``data`` as a ``<script type="application/ld+json">`` element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),
    )


def news_article(article: Article, request) -> dict:
    """NewsArticle for ``article`` (loaded with bylines, authors, tags, section)."""
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.search_headline,
        "description": article.search_description,
        "inLanguage": article.language,
        "datePublished": article.published_at.isoformat(),
        "dateModified": (article.updated_at or article.published_at).isoformat(),
        "author": [
            {
                "@type": "Person",
                "name": byline.author.name,
                "url": request.build_absolute_uri(byline.author.get_absolute_url()),
                **(
                    {"jobTitle": byline.author.job_title}
                    if byline.author.job_title
                    else {}
                ),
            }
            for byline in article.bylines.all()
        ],
        "publisher": {
            "@type": "Organization",
            "name": settings.NEWSROOM_NAME,
            "url": request.build_absolute_uri("/"),
        },
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if article.social_picture:
        data["image"] = [request.build_absolute_uri(article.social_picture.url)]
    for contribute in _news_article_contributors:
        contribute(article, request, data)
    return data


def breadcrumbs(article: Article, request) -> dict:
    """Home › section › story."""
    trail = [
        (settings.NEWSROOM_NAME, "/"),
        (article.section.name, article.section.get_absolute_url()),
        (article.headline, article.get_absolute_url()),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": name,
                "item": request.build_absolute_uri(path),
            }
            for position, (name, path) in enumerate(trail, start=1)
        ],
    }
