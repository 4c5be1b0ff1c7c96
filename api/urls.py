"""``/api/v1/``: django-ninja's URL patterns, each view wrapped for caching.

Answers that are the same for every reader are marked as reader pages
(``articles.http.reader_page``), so the page cache keeps them, retires them
when what they show changes and lets a CDN purge them by the same names, as
it does the site's pages. Lists read ``cursor`` and ``limit``, whose values
the page cache bounds (``pagecache.store.QUERY_PARAMS``); details read none.
Search and the rankings are not kept (any words; counts that move with every
reader) but carry an ETag and a short lifetime (``api.http``).
"""

from django.urls import URLPattern

from api import conf
from api.http import conditional
from api.views import api
from articles.http import reader_page

LIST_PARAMS = ("cursor", "limit")
# URL name -> the query parameters of the reader page it is.
READER_PAGES = {
    "stories": LIST_PARAMS,
    "story": (),
    "sections": (),
    "section": (),
    "section_stories": LIST_PARAMS,
    "tags": LIST_PARAMS,
    "tag": (),
    "tag_stories": LIST_PARAMS,
    "authors": LIST_PARAMS,
    "author": (),
    "author_stories": LIST_PARAMS,
}
# Answers that change with every reader: kept a little while by anyone.
RANKINGS = {"most_viewed", "most_commented"}


def _ranking_age() -> int:
    return conf.settings.API_RANKING_MAX_AGE


def _wrapped(pattern: URLPattern) -> URLPattern:
    view = pattern.callback
    if pattern.name in RANKINGS:
        view = conditional(view, max_age=_ranking_age)
    else:
        view = conditional(view)
    if pattern.name in READER_PAGES:
        view = reader_page(view, query_params=READER_PAGES[pattern.name])
    return URLPattern(pattern.pattern, view, pattern.default_args, pattern.name)


app_name = "api"
patterns, _ninja_app, _namespace = api.urls
urlpatterns = [_wrapped(p) if isinstance(p, URLPattern) else p for p in patterns]
