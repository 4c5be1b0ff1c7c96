from django.urls import path

from articles.http import reader_page
from corrections import feeds, views

app_name = "corrections"

urlpatterns = [
    path("", reader_page(views.CorrectionListView.as_view()), name="list"),
    path(
        "feed/",
        reader_page(feeds.CorrectionsFeed(), query_params=()),
        name="feed",
    ),
]
