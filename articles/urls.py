from django.urls import path, register_converter

from articles import converters, feeds, preview, search, tracking_views, views
from articles.cache import cached_page

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.TwoDigitConverter, "dd")
register_converter(converters.YearConverter, "yyyy")

app_name = "articles"


def feed(view):
    """Feeds read no query parameter: one cached copy per address."""
    return cached_page(view, query_params=())


urlpatterns = [
    path("", cached_page(views.HomeView.as_view()), name="home"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/",
        cached_page(views.ArticleDetailView.as_view(), query_params=("comments",)),
        name="detail",
    ),
    path(
        "sections/<uslug:slug>/",
        cached_page(views.SectionView.as_view()),
        name="section",
    ),
    path("tags/", cached_page(views.TagIndexView.as_view()), name="tag_index"),
    path("tags/<uslug:slug>/", cached_page(views.TagView.as_view()), name="tag"),
    path("authors/", cached_page(views.AuthorIndexView.as_view()), name="author_index"),
    path(
        "authors/<uslug:slug>/", cached_page(views.AuthorView.as_view()), name="author"
    ),
    path("views/<int:pk>/", tracking_views.record_view, name="record_view"),
    path("views/<int:pk>/pixel.gif", tracking_views.view_pixel, name="view_pixel"),
    path("search/", search.search_view, name="search"),
    path(
        "preview/changes/<int:pk>/",
        preview.preview_changes,
        name="preview_changes",
    ),
    path("preview/<str:token>/", preview.preview, name="preview"),
    path(
        "archive/<yyyy:year>/",
        cached_page(views.YearArchive.as_view()),
        name="archive_year",
    ),
    path(
        "archive/<yyyy:year>/<dd:month>/",
        cached_page(views.MonthArchive.as_view()),
        name="archive_month",
    ),
    path(
        "archive/<yyyy:year>/<dd:month>/<dd:day>/",
        cached_page(views.DayArchive.as_view()),
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
