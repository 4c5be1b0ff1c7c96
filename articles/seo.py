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

from articles import translations as translation_links
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


def news_article(article: Article, request, translations=(), original=None) -> dict:
    """NewsArticle for ``article`` (loaded with bylines, authors, tags, section).

    With its live ``translations`` (``articles.translations``): a translation
    names the ``original`` it was made from (``translationOfWork``), an
    original its translations (``workTranslation``).
    """
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
    if original is not None:
        data["translationOfWork"] = _work(original, request)
    elif translations and not translation_links.is_translation(article):
        data["workTranslation"] = [_work(other, request) for other in translations]
    for contribute in _news_article_contributors:
        contribute(article, request, data)
    return data


def _work(story: Article, request) -> dict:
    url = request.build_absolute_uri(story.get_absolute_url())
    return {
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "headline": story.headline,
        "inLanguage": story.language,
    }


def language_links(article: Article, request, translations=(), original=None):
    """The ``<head>`` elements naming a story's language and its translations.

    ``og:locale`` always; with live ``translations``, one
    ``og:locale:alternate`` each and ``<link rel="alternate" hreflang>`` for
    every version, the story itself included, as search engines ask (each
    version lists them all, so the links are reciprocal). ``x-default`` is
    the original, the version the others were made from, the same on every
    page of the group (and in the sitemap); left out when the group has no
    single original.
    """
    lines = [
        format_html(
            '<meta property="og:locale" content="{}">',
            translation_links.og_locale(article.language),
        )
    ]
    lines += [
        format_html(
            '<meta property="og:locale:alternate" content="{}">',
            translation_links.og_locale(other.language),
        )
        for other in translations
    ]
    if translations:
        versions = sorted([article, *translations], key=lambda s: (s.language, s.pk))
        for story in versions:
            lines.append(
                format_html(
                    '<link rel="alternate" hreflang="{}" href="{}">',
                    story.language,
                    request.build_absolute_uri(story.get_absolute_url()),
                )
            )
        originals = translation_links.originals(article, translations)
        if len(originals) == 1:
            lines.append(
                format_html(
                    '<link rel="alternate" hreflang="x-default" href="{}">',
                    request.build_absolute_uri(originals[0].get_absolute_url()),
                )
            )
    return mark_safe("\n  ".join(lines))


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
