from django.urls import path

from articles.http import reader_page
from live import feeds, views

app_name = "live"

urlpatterns = [
    path(
        "<int:story_id>/updates/",
        reader_page(views.updates, query_params=()),
        name="updates",
    ),
    path(
        "<int:story_id>/feed/",
        reader_page(feeds.LiveUpdatesFeed(), query_params=()),
        name="feed",
    ),
    path("updates/<int:pk>/", views.update_permalink, name="update"),
]
