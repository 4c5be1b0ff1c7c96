"""What an API answer says about itself over HTTP: its ETag and how long
browsers and shared caches may keep it.

Reader-page answers (``api/urls.py`` marks them with ``articles.http.reader_page``)
are kept by the page cache when it is on, like the site's pages: it builds
its own ETag and answers 304s, names the answer's dependencies in
``Surrogate-Key`` for a CDN, and retires it with the same purges
(``docs/pagecache.md``). What this module adds serves the same headers when
the page cache is off, or for answers it does not keep (search, rankings).
"""

import functools
import hashlib

from django.utils.cache import get_conditional_response

from api import conf


def conditional(view, *, max_age=None):
    """``view``'s 200s carry an ETag (a hash of the body, as the page cache
    makes them) and ``Cache-Control: public, max-age=...``; a matching
    ``If-None-Match`` gets a 304. ``max_age``: a callable giving the seconds
    (``API_MAX_AGE`` by default)."""

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        # HEAD is GET without the body (which the server leaves out, as for
        # Django's own views): ninja's operations answer GET only.
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code != 200 or getattr(response, "streaming", False):
            return response
        seconds = int(conf.settings.API_MAX_AGE if max_age is None else max_age())
        # The page cache keeps this lifetime with the entry (pagecache.store).
        response.page_max_age = seconds
        response["Cache-Control"] = f"public, max-age={seconds}"
        etag = '"' + hashlib.blake2b(response.content, digest_size=16).hexdigest() + '"'
        response["ETag"] = etag
        return get_conditional_response(request, etag=etag, response=response)

    return answer
