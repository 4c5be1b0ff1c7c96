"""oEmbed (https://oembed.com/): ``/oembed?url=<story>&format=json`` answers
a "rich" embed of a published story on this site: a blockquote with a link,
the title, the bylines, the newsroom's name and the story's picture as the
thumbnail. Story pages point to it with ``<link rel="alternate"
type="application/json+oembed">`` (``templates/articles/includes/
story_meta.html``).

400 for a missing or malformed parameter, 404 for an address that is not a
published story of this site, 501 for ``format=xml`` (JSON only). Two
queries: the story (with its section) and its bylines.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from articles import images
from articles.models import Article, Byline

MAX_URL_LENGTH = 2000
MAX_DIMENSION = 10_000
DEFAULT_WIDTH = 600
DEFAULT_HEIGHT = 300
CACHE_AGE = 3600


class BadRequest(Exception):
    pass


def _dimension(request, name: str) -> int | None:
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 6:
        raise BadRequest(
            _("%(name)s must be a whole number of pixels.") % {"name": name}
        )
    number = int(value)
    if not 1 <= number <= MAX_DIMENSION:
        raise BadRequest(_("%(name)s must be between 1 and 10000.") % {"name": name})
    return number


def _our_hosts(request) -> set[str]:
    hosts = {request.get_host().lower()}
    site = urlsplit(settings.SITE_URL)
    if site.netloc:
        hosts.add(site.netloc.lower())
    return hosts


def find_story(url: str, request) -> Article | None:
    """The published story at ``url`` on this site, or None."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or netloc not in _our_hosts(request):
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name != "articles:detail":
        return None
    story = (
        Article.objects.published()
        .select_related("section")
        .prefetch_related(
            Prefetch(
                "bylines",
                queryset=Byline.objects.select_related("author").order_by(
                    "order", "pk"
                ),
            )
        )
        .filter(slug=match.kwargs["slug"])
        .first()
    )
    if story is None:
        return None
    local = timezone.localtime(story.published_at)
    if (local.year, local.month, local.day) != (
        match.kwargs["year"],
        match.kwargs["month"],
        match.kwargs["day"],
    ):
        return None
    return story


def _thumbnail(story: Article, request, maxwidth, maxheight) -> dict:
    """The story's picture as a thumbnail within the bounds asked for: the
    widest rendition that fits (renditions are named from the original, so
    this reads no file)."""
    if story.social_image:
        field, width, height = (
            story.social_image,
            story.social_image_width,
            story.social_image_height,
        )
    else:
        field, width, height = (
            story.lead_image,
            story.lead_image_width,
            story.lead_image_height,
        )
    if not field or not width or not height:
        return {}
    widths = images.rendition_widths(width)
    fits = [
        w
        for w in widths
        if (maxwidth is None or w <= maxwidth)
        and (maxheight is None or round(height * w / width) <= maxheight)
    ]
    if not fits:
        return {}
    chosen = max(fits)
    url = field.storage.url(images.rendition_name(field.name, chosen, "jpg"))
    return {
        "thumbnail_url": request.build_absolute_uri(url),
        "thumbnail_width": chosen,
        "thumbnail_height": max(1, round(height * chosen / width)),
    }


def embed(story: Article, request, maxwidth=None, maxheight=None) -> dict:
    url = request.build_absolute_uri(story.get_absolute_url())
    authors = [byline.author for byline in story.bylines.all()]
    names = ", ".join(author.name for author in authors)
    provider = settings.NEWSROOM_NAME
    html = format_html(
        '<blockquote class="newsroom-embed" cite="{url}">'
        '<p><a href="{url}">{headline}</a></p>{dek}'
        "<footer>{byline}<cite>{provider}</cite></footer></blockquote>",
        url=url,
        headline=story.headline,
        dek=format_html("<p>{}</p>", story.dek) if story.dek else "",
        byline=format_html("{}, ", names) if names else "",
        provider=provider,
    )
    data = {
        "version": "1.0",
        "type": "rich",
        "title": story.headline,
        "provider_name": provider,
        "provider_url": request.build_absolute_uri("/"),
        "cache_age": CACHE_AGE,
        "html": html,
        "width": min(DEFAULT_WIDTH, maxwidth or DEFAULT_WIDTH),
        "height": min(DEFAULT_HEIGHT, maxheight or DEFAULT_HEIGHT),
    }
    if names:
        data["author_name"] = names
        data["author_url"] = request.build_absolute_uri(authors[0].get_absolute_url())
    data.update(_thumbnail(story, request, maxwidth, maxheight))
    return data


@require_safe
def oembed(request):
    url = request.GET.get("url", "")
    response_format = request.GET.get("format", "json")
    try:
        if not url or len(url) > MAX_URL_LENGTH:
            raise BadRequest(_("Give the address of a story as url."))
        if response_format == "xml":
            return HttpResponse(
                _("Only JSON is offered."), status=501, content_type="text/plain"
            )
        if response_format != "json":
            raise BadRequest(_("format must be json."))
        maxwidth = _dimension(request, "maxwidth")
        maxheight = _dimension(request, "maxheight")
    except BadRequest as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain")
    story = find_story(url, request)
    if story is None:
        return HttpResponse(
            _("No published story at that address."),
            status=404,
            content_type="text/plain",
        )
    response = JsonResponse(
        embed(story, request, maxwidth, maxheight),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = f"public, max-age={CACHE_AGE // 12}"
    return response
