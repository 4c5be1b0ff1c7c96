"""The one allowlist for article HTML.

Everything an editor writes in the rich-text editor passes through
:func:`clean_html` on save (the model field) and the stored HTML is what readers
get. The allowlist is deliberately small: text structure, links, images, tables
and code. Never allowed: ``script``, ``style``, ``svg``, ``math``, ``iframe``,
forms, ``style=`` or ``on*`` attributes, or any URL scheme other than http(s),
mailto and relative URLs.
"""

import nh3

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

URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(html):
    """Return ``html`` reduced to the allowlist; empty editor output becomes ""."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html).strip()
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned
