from django.urls import path, register_converter

from articles import converters, feeds, preview, views
from articles.http import reader_page

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.TwoDigitConverter, "dd")
register_converter(converters.YearConverter, "yyyy")

app_name = "articles"


def feed(view):
    """Feeds read no query parameter: one cached copy per address."""
    return reader_page(view, query_params=())


urlpatterns = [
    path("", reader_page(views.HomeView.as_view()), name="home"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/",
        reader_page(views.ArticleDetailView.as_view(), query_params=("comments",)),
        name="detail",
    ),
    path(
        "sections/<uslug:slug>/",
        reader_page(views.SectionView.as_view()),
        name="section",
    ),
    path("tags/", reader_page(views.TagIndexView.as_view()), name="tag_index"),
    path("tags/<uslug:slug>/", reader_page(views.TagView.as_view()), name="tag"),
    path("authors/", reader_page(views.AuthorIndexView.as_view()), name="author_index"),
    path(
        "authors/<uslug:slug>/", reader_page(views.AuthorView.as_view()), name="author"
    ),
    path("search/", views.search_view, name="search"),
    path(
        "preview/changes/<int:pk>/",
        preview.preview_changes,
        name="preview_changes",
    ),
    path("preview/new/", preview.preview_new, name="preview_new"),
    path("preview/shared/<str:token>/", preview.shared_preview, name="shared_preview"),
    path("preview/<str:token>/", preview.preview, name="preview"),
    path(
        "archive/<yyyy:year>/",
        reader_page(views.YearArchive.as_view()),
        name="archive_year",
    ),
    path(
        "archive/<yyyy:year>/<dd:month>/",
        reader_page(views.MonthArchive.as_view()),
        name="archive_month",
    ),
    path(
        "archive/<yyyy:year>/<dd:month>/<dd:day>/",
        reader_page(views.DayArchive.as_view()),
        name="archive_day",
    ),
    path("feeds/latest/rss/", feed(feeds.LatestStoriesFeed()), name="feed_latest_rss"),
    path(
        "feeds/latest/atom/",
        feed(feeds.LatestStoriesAtomFeed()),
        name="feed_latest_atom",
    ),
    path(
        "sections/<uslug:slug>/feed/rss/",
        feed(feeds.SectionFeed()),
        name="section_feed_rss",
    ),
    path(
        "sections/<uslug:slug>/feed/atom/",
        feed(feeds.SectionAtomFeed()),
        name="section_feed_atom",
    ),
    path("tags/<uslug:slug>/feed/rss/", feed(feeds.TagFeed()), name="tag_feed_rss"),
    path(
        "tags/<uslug:slug>/feed/atom/", feed(feeds.TagAtomFeed()), name="tag_feed_atom"
    ),
    path(
        "authors/<uslug:slug>/feed/rss/",
        feed(feeds.AuthorFeed()),
        name="author_feed_rss",
    ),
    path(
        "authors/<uslug:slug>/feed/atom/",
        feed(feeds.AuthorAtomFeed()),
        name="author_feed_atom",
    ),
]
