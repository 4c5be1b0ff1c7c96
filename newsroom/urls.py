from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from articles import sitemaps
from articles.http import reader_page
from articles.sitemaps import SITEMAPS, news_sitemap, robots_txt
from newsroom import admin as newsroom_admin
from newsroom import views

# Error pages that need the database (the 404 page's menu) or that handle a
# database error raised outside the 503 middleware answer the 503 instead.
handler404 = views.page_not_found
handler500 = views.server_error

# The login refuses over-long usernames before django-axes records them.
admin.site.login_form = newsroom_admin.AdminLoginForm

urlpatterns = [
    # Before the admin's own "view on site" (no object-level check) and
    # autocomplete (a 500 on a reverse relation's name): newsroom/admin.py.
    path(
        f"{settings.ADMIN_URL_PREFIX}r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(newsroom_admin.view_on_site),
    ),
    path(
        f"{settings.ADMIN_URL_PREFIX}autocomplete/",
        admin.site.admin_view(newsroom_admin.autocomplete),
    ),
    path(settings.ADMIN_URL_PREFIX, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", reader_page(robots_txt, query_params=()), name="robots_txt"),
    path(
        "sitemap.xml",
        reader_page(sitemaps.index, query_params=()),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        # A long sitemap is split into pages: ?p=2.
        reader_page(sitemaps.sitemap, query_params=("p",)),
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
