"""Sitemaps for search engines, the Google News sitemap, and robots.txt.

``/sitemap.xml`` is an index over four sitemaps (stories, sections, tags,
authors), each with ``lastmod`` taken from the newest ``updated_at`` of the
published stories concerned. ``/news-sitemap.xml`` lists the stories published
in the last 48 hours, as Google News asks.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from taggit.models import Tag

from articles import shown, translations
from articles.models import Article, Author, Byline, Section

NEWS_WINDOW = timedelta(hours=48)
NEWS_SITEMAP_LIMIT = 1000  # Google News reads at most 1,000 entries.


class ArticleSitemap(Sitemap):
    changefreq = "hourly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only(
                "slug",
                "published_at",
                "created_at",
                "updated_at",
                "language",
                "translation_key",
            )
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return article.updated_at

    def get_urls(self, page=1, site=None, protocol=None):
        """Each story with live translations lists every version, itself
        included, as ``xhtml:link rel="alternate" hreflang``, and the original
        as ``x-default`` (as its page does: ``articles.seo.language_links``).
        Two queries a page whatever the number of translations."""
        urls = super().get_urls(page, site, protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        keys = {u["item"].translation_key for u in urls} - {None}
        if not keys:
            return urls
        groups = {}
        versions = (
            Article.objects.published()
            .filter(translation_key__in=keys)
            .only(*translations.FIELDS)
            .order_by("language", "pk")
        )
        for story in versions:
            groups.setdefault(story.translation_key, []).append(story)
        translated = set(
            Byline.objects.filter(
                article__in=[s.pk for group in groups.values() for s in group],
                role=Byline.Role.TRANSLATED,
            ).values_list("article_id", flat=True)
        )
        for url in urls:
            group = groups.get(url["item"].translation_key, [])
            if len(group) < 2:
                continue
            url["alternates"] = [
                {"lang_code": s.language, "location": base + s.get_absolute_url()}
                for s in group
            ]
            originals = [s for s in group if s.pk not in translated]
            if len(originals) == 1:
                url["alternates"].append(
                    {
                        "lang_code": "x-default",
                        "location": base + originals[0].get_absolute_url(),
                    }
                )
        return urls

    def get_latest_lastmod(self):
        return _latest_update()


class SectionSitemap(Sitemap):
    changefreq = "hourly"

    def items(self):
        # The filter and the Max share one join: only live stories count.
        return (
            Section.objects.filter(articles__in=Article.objects.published())
            .annotate(last_updated=Max("articles__updated_at"))
            .order_by("order", "name")
        )

    def lastmod(self, section):
        return section.last_updated

    def get_latest_lastmod(self):
        return _latest_update()


class TagSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return (
            Tag.objects.filter(
                articles_taggedarticle_items__content_object__in=(
                    Article.objects.published()
                )
            )
            .annotate(
                last_updated=Max(
                    "articles_taggedarticle_items__content_object__updated_at"
                )
            )
            .order_by("name", "pk")
        )

    def location(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def lastmod(self, tag):
        return tag.last_updated

    def get_latest_lastmod(self):
        return _latest_update()


class AuthorSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return (
            Author.objects.filter(bylines__article__in=Article.objects.published())
            .annotate(last_updated=Max("bylines__article__updated_at"))
            .order_by("name", "pk")
        )

    def lastmod(self, author):
        return author.last_updated

    def get_latest_lastmod(self):
        return _latest_update()


SITEMAPS = {
    "stories": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def _latest_update():
    return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


def news_language() -> str:
    """The ISO 639 code Google News expects (zh-cn and zh-tw keep their region)."""
    code = settings.LANGUAGE_CODE.lower()
    if code in {"zh-cn", "zh-tw", "zh-hans", "zh-hant"}:
        return {"zh-hans": "zh-cn", "zh-hant": "zh-tw"}.get(code, code)
    return code.split("-")[0]


def index(request, **kwargs):
    """Django's sitemap index (``sitemaps.views.index``), recorded as showing
    the sitemaps' list (``articles.shown``)."""
    shown.listing("sitemap")
    return sitemap_views.index(request, **kwargs)


def sitemap(request, **kwargs):
    """Django's sitemap (``sitemaps.views.sitemap``), likewise."""
    shown.listing("sitemap")
    return sitemap_views.sitemap(request, **kwargs)


@require_safe
def news_sitemap(request):
    """Stories of the last 48 hours. Template: ``articles/news_sitemap.xml``."""
    shown.listing("latest")
    stories = (
        Article.objects.published()
        .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        .only("headline", "slug", "published_at", "created_at")
        .order_by("-published_at", "-pk")[:NEWS_SITEMAP_LIMIT]
    )
    return render(
        request,
        "articles/news_sitemap.xml",
        {
            "stories": stories,
            "base_url": request.build_absolute_uri("/").rstrip("/"),
            "publication_name": settings.NEWSROOM_NAME,
            "language": news_language(),
        },
        content_type="application/xml; charset=utf-8",
    )


@require_safe
def robots_txt(request):
    """Crawling rules and where the sitemaps are."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('articles:search')}",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap_index'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('news_sitemap'))}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
