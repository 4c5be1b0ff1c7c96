"""What a reader page says about itself over HTTP, for whatever caches it.

``reader_page(view, query_params=...)`` marks a view whose page is the same for
every anonymous reader and depends on no query parameter but those named. A
page cache (the ``pagecache`` app) or a CDN in front may then keep it;
``articles`` itself caches nothing and knows no cache.
"""

import functools
import re

# A page number as a list's ``?page=`` and a sitemap's ``?p=`` take it.
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")


def reader_page(view=None, *, query_params=("page",)):
    """Mark ``view`` as a page shared by every anonymous reader.

    ``query_params`` are the parameters the page reads; it ignores any other
    (``?utm_source=`` is the same page). The marked view behaves exactly as
    the view does: nothing is cached unless a page cache reads the mark
    (``reader_page_params``).
    """

    def mark(func):
        @functools.wraps(func)
        def page(request, *args, **kwargs):
            return func(request, *args, **kwargs)

        page.reader_page_params = tuple(query_params)
        return page

    return mark(view) if view is not None else mark
