from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.http import reader_page
from articles.sitemaps import SITEMAPS, news_sitemap, robots_txt
from newsroom import views

urlpatterns = [
    path(settings.ADMIN_URL_PREFIX, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", reader_page(robots_txt, query_params=()), name="robots_txt"),
    path(
        "sitemap.xml",
        reader_page(sitemap_views.index, query_params=()),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        # A long sitemap is split into pages: ?p=2.
        reader_page(sitemap_views.sitemap, query_params=("p",)),
        {"sitemaps": SITEMAPS, "template_name": "articles/sitemap.xml"},
        name="sitemap_section",
    ),
    path(
        "news-sitemap.xml",
        reader_page(news_sitemap, query_params=()),
        name="news_sitemap",
    ),
    path("comments/", include("comments.urls")),
    path("", include("viewcounts.urls")),
    path("", include("articles.urls")),
]

if settings.BENCH:
    # make bench's bare-Django ceiling (bench/pages.py); off unless BENCH=1.
    urlpatterns.insert(0, path("bench/ceiling", views.bench_ceiling))

if settings.DEBUG:
    # Local development only; production serves uploads from a media host.
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
