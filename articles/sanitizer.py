"""The one allowlist for article HTML.

Everything an editor writes in the rich-text editor passes through
:func:`clean_html` on save (the model field and ``Article.save()``) and the
stored HTML is what readers get. The allowlist is deliberately small: text
structure, links, images, tables and code. Never allowed: ``script``,
``style``, ``svg``, ``math``, ``iframe``, forms, ``style=`` or ``on*``
attributes, or any URL scheme other than http(s), mailto and relative URLs.
Images may only come from our own media storage (``MEDIA_URL``).

Changing the allowlist changes what stored bodies would look like: re-clean
the stored articles afterwards.
"""

import re

import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "p", "br", "hr",
    "h2", "h3", "h4",
    "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark", "small",
    "blockquote", "q", "cite", "abbr", "span", "code", "pre",
    "ul", "ol", "li",
    "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}

# The one class values the body may carry: the editor's picture block,
# ``<figure class="body-figure">`` with its ``<img>`` (from our media only) and
# a ``<figcaption>`` holding the caption and ``<span class="body-figure__credit">``
# (``articles.bodyimages``). Any other class is dropped.
ALLOWED_CLASSES = {
    "figure": {"body-figure"},
    "span": {"body-figure__credit"},
}

URL_SCHEMES = {"http", "https", "mailto"}

# Dropped together with everything inside them: their content is either code,
# raw text that browsers parse differently, or foreign markup (the mXSS vectors).
DROPPED_WITH_CONTENT = {
    "script", "style", "template", "noscript", "noembed", "noframes",
    "iframe", "object", "svg", "math", "textarea", "title", "xmp", "select",
}  # fmt: skip


URL_ATTRIBUTES = {"href", "src", "cite"}

# What a browser takes as the scheme once it has dropped tabs, newlines and
# other control characters from a URL.
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def _media_prefix():
    return settings.MEDIA_URL if settings.MEDIA_URL.endswith("/") else "/"


def _is_media_url(value):
    return (
        value.startswith(_media_prefix())
        and not value.startswith("//")
        and ".." not in value
        and "\\" not in value
    )


def _filter_attribute(element, attribute, value):
    """Check every URL's scheme and pin ``img src`` to our media storage.

    nh3 checks the scheme of ``href`` and ``src`` only; ``cite`` is checked
    here, and the other two again, so a future attribute cannot slip through.
    """
    if attribute in URL_ATTRIBUTES:
        match = _SCHEME.match(_IGNORED_IN_URLS.sub("", value).lower())
        if match and match.group(1) not in URL_SCHEMES:
            return None
    if element == "img" and attribute == "src" and not _is_media_url(value):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    attribute_filter=_filter_attribute,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def _tidy(html):
    """Drop the empty ``class=""`` left where no class value was allowed.

    In the cleaner's output a quote inside a value is always ``&quot;``, so
    this matches attributes only, never text."""
    return html.replace(' class=""', "")


def clean_html(html):
    """Return ``html`` reduced to the allowlist; empty editor output becomes ""."""
    if not html:
        return ""
    # html5ever repairs mis-nested markup (e.g. a stray <li>) while cleaning, and
    # a second pass can repair what the first produced; iterate to the fixed
    # point so that cleaning stored HTML again never changes it.
    cleaned = _tidy(_cleaner.clean(html).strip())
    for _ in range(4):
        again = _tidy(_cleaner.clean(cleaned).strip())
        if again == cleaned:
            break
        cleaned = again
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned
