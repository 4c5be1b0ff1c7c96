from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from newsroom import views

urlpatterns = [
    path(settings.ADMIN_URL_PREFIX, admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    # Local development only; production serves uploads from a media host.
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
