"""Uploads served by the app itself, so one machine needs no other web server.

WhiteNoise serves only the files it found at start-up, and uploads arrive
later, so ``serve_media`` answers ``MEDIA_URL`` (routed in ``newsroom/urls.py``
when ``MEDIA_SERVE`` is on: by default whenever ``MEDIA_URL`` names no other
host). What it serves is what a careful media host would:

- only ``GET`` and ``HEAD``, only regular files under ``MEDIA_ROOT``: no
  directory listing, no ``..``, no absolute path, no hidden name (storage's
  ``.partial-`` temporaries), nothing a symlink leads to outside the root;
- a content type from a short list of image types; anything else is sent as
  an ``application/octet-stream`` attachment, never rendered;
- ``nosniff`` and ``Content-Security-Policy: default-src 'none'; sandbox``, so
  a file that a browser opens directly runs nothing;
- a year's ``immutable`` lifetime: upload names are generated and renditions
  are named after them (``articles.models.upload_path``,
  ``articles.images.rendition_name``), so a name never gets other content;
- ``ETag`` and ``Last-Modified``, and a 304 for a browser that has the file.

It touches no database and no session, and its answers set no cookie, so they
stay public through ``PrivateResponseMiddleware``; the page cache leaves them
alone (the view is no ``reader_page``).
"""

import os
import stat
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.http import FileResponse, Http404, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

CACHE_CONTROL = "public, max-age=31536000, immutable"
CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox"
# What uploads are (articles.images re-encodes every picture to one of these).
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".avif": "image/avif",
}


def is_local_media_url(media_url: str) -> bool:
    """True when ``MEDIA_URL`` is a path on this site, not another host."""
    return not media_url.startswith(("http://", "https://", "//"))


def media_file(root: Path, path: str) -> Path:
    """The regular file ``path`` names under ``root``, or ``Http404``."""
    parts = path.split("/")
    if (
        not path
        or "\\" in path
        or "\x00" in path
        or any(not part or part.startswith(".") for part in parts)
    ):
        raise Http404("No such file.")
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *parts))
    # realpath() has followed every symlink: what it leads to must still be
    # inside the root.
    if os.path.commonpath([real_root, candidate]) != real_root:
        raise Http404("No such file.")
    return Path(candidate)


def etag_for(stats: os.stat_result) -> str:
    return f'"{stats.st_size:x}-{stats.st_mtime_ns:x}"'


@require_safe
def serve_media(request, path):
    """Answer one file of ``MEDIA_ROOT`` (see the module docstring)."""
    file_path = media_file(Path(settings.MEDIA_ROOT), path)
    try:
        # A directory, a FIFO (open() would wait for a writer) or a device is
        # refused before it is opened; fstat() sees what was actually opened.
        if not stat.S_ISREG(os.stat(file_path).st_mode):
            raise Http404("No such file.")
        # FileResponse closes it; so do the branches below that answer without it.
        handle = open(file_path, "rb")
    except OSError:  # missing, unreadable
        raise Http404("No such file.") from None
    stats = os.fstat(handle.fileno())
    if not stat.S_ISREG(stats.st_mode):
        handle.close()
        raise Http404("No such file.")
    content_type = CONTENT_TYPES.get(file_path.suffix.lower())
    if request.method == "HEAD":
        handle.close()
        response = HttpResponse(content_type=content_type)
        response["Content-Length"] = str(stats.st_size)
    else:
        response = FileResponse(handle, content_type=content_type)
    if content_type is None:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    elif "Content-Disposition" in response:
        del response["Content-Disposition"]  # FileResponse's inline; filename=
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    # Set here, so ContentSecurityPolicyMiddleware leaves it as it is.
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response["ETag"] = etag_for(stats)
    response["Last-Modified"] = http_date(stats.st_mtime)
    conditional = get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=int(stats.st_mtime),
        response=response,
    )
    if conditional is not response:
        response.close()
        conditional["X-Content-Type-Options"] = "nosniff"
        conditional["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return conditional


def media_is_served(app_configs, **kwargs):
    """``newsroom.W003``: in production, uploads under a local ``MEDIA_URL``
    that nothing serves are broken pictures on every page."""
    if (
        settings.DEBUG
        or getattr(settings, "MEDIA_SERVE", False)
        or not is_local_media_url(settings.MEDIA_URL)
    ):
        return []
    return [
        checks.Warning(
            gettext(
                "Uploads at MEDIA_URL (%(url)s) are not served: MEDIA_SERVE is "
                "off and MEDIA_URL names no other host."
            )
            % {"url": settings.MEDIA_URL},
            hint=gettext(
                "Set MEDIA_SERVE=1 to serve MEDIA_ROOT from the app, or set "
                "MEDIA_URL to the media host that serves it."
            ),
            id="newsroom.W003",
        )
    ]
