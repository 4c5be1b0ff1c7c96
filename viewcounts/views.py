"""The view-count endpoints: the page's beacon and its no-JavaScript fallback.

Not pages: no template, no context processors, one published-story lookup,
then ``counter.record_view()``.

The beacon is CSRF-exempt: story pages are cached and carry no CSRF token, and
``sendBeacon`` cannot add one. A forged POST gains nothing a visit would not
give: the same rules apply (bots, prefetch, staff, cross-site requests per
``Sec-Fetch-Site``), and it counts at most once per reader, per story, per
dedup window, exactly like loading the page (``docs/viewcounts.md``).
"""

import base64

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from newsroom import replicas
from viewcounts import counter

# The smallest transparent GIF (1x1).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _published(pk):
    return get_object_or_404(Article.objects.published().only("pk"), pk=pk)


@csrf_exempt
@require_POST
@never_cache
def record_view(request, pk):
    """``navigator.sendBeacon`` target: 204, counted or not; 404 unless live."""
    # Its write is nothing the reader reads back: no stay on the primary.
    replicas.not_sticky()
    counter.record_view(_published(pk), request)
    response = HttpResponse(status=204)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
@never_cache
def view_pixel(request, pk):
    """``<noscript>`` image for readers without JavaScript; same rules."""
    counter.record_view(_published(pk), request)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
