import re

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from articles import sitemaps
from articles.http import reader_page
from articles.sitemaps import SITEMAPS, news_sitemap, robots_txt
from newsroom import admin as newsroom_admin
from newsroom import locale, media, views

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
    # Invitations and the invited colleague's set-password page.
    path(f"{settings.ADMIN_URL_PREFIX}people/", include("people.urls")),
    # The login's second step, enrolment and each one's devices (twofactor).
    path(f"{settings.ADMIN_URL_PREFIX}two-factor/", include("twofactor.urls")),
    # The story form's autosave and edit-lock requests.
    path(f"{settings.ADMIN_URL_PREFIX}editing/", include("editing.urls")),
    path(settings.ADMIN_URL_PREFIX, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    # Browsers ask every site for /favicon.ico, error pages included; the icon
    # is a static file (hashed, cached a year), looked up when first asked for.
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static, str)("newsroom/favicon.ico")),
        name="favicon",
    ),
    # gettext() for the static scripts, per language (newsroom/locale.py).
    path(
        "jsi18n/<str:language>.js",
        locale.javascript_catalogue,
        name="javascript_catalogue",
    ),
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
    path("corrections/", include("corrections.urls")),
    path("live/", include("live.urls")),
    # Sign-up, confirmation, one-click unsubscribe (newsletters).
    path("newsletters/", include("newsletters.urls")),
    # oEmbed for story pages (embeds).
    path("", include("embeds.urls")),
    # The read-only JSON API and its OpenAPI document (api, docs/api.md).
    path("api/v1/", include("api.urls")),
    path("", include("viewcounts.urls")),
    path("", include("articles.urls")),
]

if settings.ANYMAIL_WEBHOOK_SECRET:
    # The e-mail provider's tracking webhooks (bounces and complaints stop a
    # subscriber's newsletters: newsletters.signal_handlers), behind basic
    # auth; without the secret anymail would take anyone's events.
    urlpatterns.insert(0, path("anymail/", include("anymail.urls")))

if settings.BENCH:
    # make bench's bare-Django ceiling (bench/pages.py); off unless BENCH=1.
    urlpatterns.insert(0, path("bench/ceiling", views.bench_ceiling))

if settings.MEDIA_SERVE and media.is_local_media_url(settings.MEDIA_URL):
    # Uploads from MEDIA_ROOT, in development and on one machine in production
    # (newsroom/media.py); off when a media host or a proxy serves them.
    # First, so no reader page's pattern can take its addresses.
    urlpatterns.insert(
        0,
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$",
            media.serve_media,
            name="media",
        ),
    )
