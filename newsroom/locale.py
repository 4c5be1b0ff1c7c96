"""Which language a request is answered in, and the JavaScript catalogue.

The reader site speaks one language, the site's (``settings.LANGUAGE_CODE``,
from the environment): no prefix in its addresses and no Accept-Language
switching, since one cached page serves every reader. The desk (everything
under ``ADMIN_URL_PREFIX``: the admin, the story form's editing requests, the
two-factor pages) speaks each colleague's own language: their preference,
kept in the session at login (``people`` owns the preference and writes
``DESK_LANGUAGE_SESSION_KEY``), else the browser's Accept-Language among
``settings.LANGUAGES``, else the site's.

The JavaScript catalogue (Django's ``JavaScriptCatalog``, domain ``djangojs``)
is a static script per language at ``/jsi18n/<language>.js?v=<digest>``: its
address changes when its content does, so browsers and any CDN keep it for a
year, and it is rendered once per process and language, never per request.

Like the other utilities in ``newsroom``, this module imports no app.
"""

import functools
import gzip
import hashlib

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import DjangoTranslation
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

# Where the desk's language is kept for the session (people writes it at login
# and when a colleague picks a language; "" means "the browser's").
DESK_LANGUAGE_SESSION_KEY = "_desk_language"


def site_language() -> str:
    """The reader site's one language."""
    return settings.LANGUAGE_CODE


def supported_languages() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def desk_prefix() -> str:
    return "/" + settings.ADMIN_URL_PREFIX.strip("/") + "/"


def is_desk_path(path: str) -> bool:
    return path.startswith(desk_prefix())


def browser_language(request) -> str | None:
    """The first of ``settings.LANGUAGES`` the browser's Accept-Language asks
    for (``ko-KR`` is ``ko``), or None."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:500]
    supported = supported_languages()
    for code, _quality in translation.trans_real.parse_accept_lang_header(header):
        if code == "*":
            break
        code = code.lower()
        for candidate in (code, code.split("-")[0]):
            if candidate in supported:
                return candidate
    return None


def desk_language(request) -> str:
    """The language of the desk for this request's colleague."""
    session = getattr(request, "session", None)
    chosen = session.get(DESK_LANGUAGE_SESSION_KEY) if session is not None else None
    if chosen in supported_languages():
        return chosen
    return browser_language(request) or site_language()


class SiteLanguageMiddleware:
    """Answer every request in the site's language, and leave the thread in it.

    Outermost (after the request id and metrics), so the page cache's key,
    error pages and the 503 are all in the site's language, and a language
    activated for a desk request never leaks into the next request this
    thread serves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(site_language())
        request.LANGUAGE_CODE = site_language()
        try:
            return self.get_response(request)
        finally:
            translation.activate(site_language())


class DeskLanguageMiddleware:
    """On the desk, switch to the colleague's language.

    After the session and authentication middleware: the choice lives in the
    session. Desk responses are private and never cached, so they may vary.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_desk_path(request.path_info):
            return self.get_response(request)
        language = desk_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language",))
        return response


# The JavaScript catalogue.


class _Catalogue(JavaScriptCatalog):
    # An app without a locale folder of its own: the catalogue is then the
    # project's (LOCALE_PATHS) only, not every installed app's djangojs
    # strings (the admin's calendar, for one), which reader pages never use.
    packages = ["articles"]


@functools.lru_cache(maxsize=8)
def _rendered(language: str) -> tuple[bytes, bytes, str]:
    """The catalogue's script for ``language``: plain, gzipped, its digest."""
    view = _Catalogue()
    with translation.override(language):
        view.translation = DjangoTranslation(
            language, domain=view.domain, localedirs=view.get_paths(view.packages)
        )
        body = view.render_to_response(view.get_context_data()).content
    digest = hashlib.blake2b(body, digest_size=8).hexdigest()
    return body, gzip.compress(body, compresslevel=9, mtime=0), digest


def catalogue(language: str) -> tuple[bytes, bytes, str]:
    if settings.DEBUG:
        # Development: a recompiled catalogue shows at the next reload.
        _rendered.cache_clear()
    return _rendered(language)


def catalogue_url(language: str | None = None) -> str:
    """The catalogue's address for ``language`` (the active one by default),
    with its digest, so a changed catalogue is a new address; "" when the
    URLconf has none."""
    language = language or translation.get_language() or site_language()
    if language not in supported_languages():
        language = site_language()
    try:
        url = reverse("javascript_catalogue", kwargs={"language": language})
    except NoReverseMatch:
        return ""  # a URLconf without the catalogue (another site's, a test's)
    return f"{url}?v={catalogue(language)[2]}"


# A year for the address with the current digest; any other (an old page still
# naming the catalogue before a deploy) gets today's content for five minutes.
IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


@require_safe
def javascript_catalogue(request, language):
    """``gettext``, ``ngettext``, ``interpolate`` and the formats for the
    static scripts, in ``language``: a file, the same for every reader."""
    if language not in supported_languages():
        raise Http404("No such language.")
    body, gzipped, digest = catalogue(language)
    etag = f'"{digest}"'
    if request.GET.get("v") == digest:
        cache_control = IMMUTABLE
    else:
        cache_control = SHORT
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    elif "gzip" in request.headers.get("Accept-Encoding", "").lower():
        response = HttpResponse(gzipped, content_type="text/javascript; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    response["Content-Language"] = language
    patch_vary_headers(response, ("Accept-Encoding",))
    return response
