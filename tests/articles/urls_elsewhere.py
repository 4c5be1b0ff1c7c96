"""The reader pages under another prefix (tests/articles/test_markup.py)."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("articles.urls"))]
