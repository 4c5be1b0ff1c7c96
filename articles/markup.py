"""The markup every listing repeats, written in Python: story cards and their
bylines, ``<time>`` and ``<picture>``.

A front page shows about a hundred story cards. As nested ``{% include %}``s
each card cost some 300 template nodes, variable look-ups, localization and
``reverse()`` calls, and that was most of an uncached page's time. Here each
card is a few string joins. The output is byte for byte what the templates in
``templates/articles/includes/`` used to render; those templates now call the
tags in ``articles/templatetags`` that call these functions, so this is the
one definition of the markup.

Every value is escaped as ``{{ }}`` would escape it (``conditional_escape``),
numbers and times are written as the template engine would write them.
"""

from datetime import datetime
from html import escape as _html_escape

from django.utils import dateformat, formats
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

from articles import fragments, images

ISO_FORMAT = "Y-m-d\\TH:i:sO"  # to the second: HTML allows at most three decimals
TEXT_FORMAT = "F j, Y H:i T"
SHORT_TEXT_FORMAT = "M j, Y H:i"  # comments
CARD_SIZES = "(min-width: 40em) 24rem, 100vw"


def esc(value) -> str:
    """``conditional_escape`` without its lazy-argument wrapper (hot path)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html_escape(str(value))


def number(value) -> str:
    """An integer as ``{{ value }}`` writes it (localized past three digits)."""
    if type(value) is int and -1000 < value < 1000:
        return str(value)
    return esc(formats.localize(value))


def time_html(value, text_format=TEXT_FORMAT) -> str:
    """``<time>`` for an aware datetime, in the current time zone.

    The same as ``value|date:'Y-m-d\\TH:i:sO'`` for the attribute and
    ``value|date:text_format`` for the text, with the conversion to local time
    done once; the usual formats call the format characters directly instead
    of parsing the format strings.
    """
    if value in (None, ""):
        return '<time datetime=""></time>'
    local = template_localtime(value)
    if not isinstance(local, datetime):  # what the date filter does with the rest
        iso = formats.date_format(local, ISO_FORMAT)
        text = formats.date_format(local, text_format)
        return f'<time datetime="{esc(iso)}">{esc(text)}</time>'
    f = dateformat.DateFormat(local)
    year, hour, minute = f.Y(), f.H(), f.i()
    iso = f"{year}-{f.m()}-{f.d()}T{hour}:{minute}:{f.s()}{f.O()}"
    if text_format == TEXT_FORMAT:
        text = f"{esc(f.F())} {f.j()}, {year} {hour}:{minute} {esc(f.T())}"
    elif text_format == SHORT_TEXT_FORMAT:
        text = f"{esc(f.M())} {f.j()}, {year} {hour}:{minute}"
    else:
        text = esc(formats.date_format(local, text_format))
    return f'<time datetime="{iso}">{text}</time>'


def picture_html(
    image, width, height, alt="", sizes="", eager=False, high_priority=False
) -> str:
    """A stored picture as ``<picture>``: WebP renditions, a JPEG fallback,
    width and height so nothing shifts while it loads.

    ``width`` and ``height`` are the original's size; ``eager`` for pictures
    above the fold (no lazy loading), ``high_priority`` for the page's main
    picture. Without a known size, a plain ``<img>`` of the original; without
    an image, nothing. Ends with a newline, as the template did.
    """
    loading = "eager" if eager else "lazy"
    pic = images.picture(image, width, height)
    if pic:
        sizes = esc(sizes or "100vw")
        priority = ' fetchpriority="high"' if high_priority else ""
        return (
            "<picture>\n"
            f'  <source type="image/webp" srcset="{esc(pic.webp_srcset)}"'
            f' sizes="{sizes}">\n'
            f'  <img src="{esc(pic.src)}" srcset="{esc(pic.jpeg_srcset)}"'
            f' sizes="{sizes}" width="{number(pic.width)}"'
            f' height="{number(pic.height)}" alt="{esc(alt)}"'
            f' loading="{loading}" decoding="async"{priority}>\n'
            "</picture>\n"
        )
    if image:
        return (
            f'<img src="{esc(image.url)}" alt="{esc(alt)}" loading="{loading}"'
            ' decoding="async">\n'
        )
    return "\n"


_choice_labels = {}


def role_label(byline):
    """``byline.get_role_display()``, from the field's choices read once."""
    labels = _choice_labels.get(type(byline))
    if labels is None:
        field = type(byline)._meta.get_field("role")
        labels = _choice_labels[type(byline)] = dict(field.flatchoices)
    return labels.get(byline.role, byline.role)


def bylines_html(bylines, style="short") -> str:
    """The bylines of one story, in their editorial order (pass them prefetched).

    ``style="closing"`` is the block at the foot of a story, one line each:
    "By. Choi Young Hoon" / "Translated by Eugene Park". Otherwise one short
    line. Ends with a newline, as the template did.
    """
    if not bylines:
        return "\n"
    parts = []
    if style == "closing":
        parts.append('<ul class="byline-block">\n  ')
        for byline in bylines:
            author = byline.author
            role = esc(role_label(byline))
            if byline.role == "by":
                role += "."
            parts.append(
                f'<li class="byline" data-role="{esc(byline.role)}">'
                f'<span class="byline__role">{role}</span> '
                f'<a class="byline__name" href="{esc(author.get_absolute_url())}">'
                f"{esc(author.name)}</a></li>\n  "
            )
        parts.append("</ul>\n")
        return "".join(parts)
    parts.append('<p class="bylines">')
    separator = '<span class="byline__sep">, </span>'
    for n, byline in enumerate(bylines):
        author = byline.author
        if n:
            parts.append(separator)
        parts.append(
            f'<span class="byline" data-role="{esc(byline.role)}">'
            f'<span class="byline__role">{esc(role_label(byline))}</span> '
            f'<a class="byline__name" href="{esc(author.get_absolute_url())}">'
            f"{esc(author.name)}</a></span>"
        )
    parts.append("</p>\n")
    return "".join(parts)


def story_card_html(
    article,
    level=None,
    eager=False,
    hide_section=False,
    hide_image=False,
    comment_counts=None,
) -> str:
    """One story in a list (an ``article`` from ``for_listing()``).

    ``level`` is the heading level (default 3), ``eager`` loads the image
    without lazy loading (above the fold), ``hide_section`` on the section's
    own page, ``hide_image`` leaves the picture out. ``comment_counts`` (from
    ``{% comment_counts_for %}``) adds "N comments" when the story has any.
    """
    url = esc(article.get_absolute_url())
    show_image = bool(article.lead_image) and not hide_image
    parts = [
        '<article class="card card--image">\n  '
        if show_image
        else '<article class="card">\n  '
    ]
    if show_image:
        parts.append(
            f'<a class="card__image" href="{url}" tabindex="-1" aria-hidden="true">'
        )
        parts.append(
            picture_html(
                article.lead_image,
                article.lead_image_width,
                article.lead_image_height,
                article.lead_image_alt,
                CARD_SIZES,
                eager,
            )
        )
        parts.append("</a>")
    parts.append('\n  <div class="card__text">\n    ')
    if not hide_section:
        section = article.section
        parts.append(
            f'<p class="card__section"><a href="{esc(section.get_absolute_url())}">'
            f"{esc(section.name)}</a></p>"
        )
    level = number(level or 3)
    parts.append(
        f'\n    <h{level} class="card__headline"><a href="{url}">'
        f"{esc(article.headline)}</a></h{level}>\n    "
    )
    if article.dek:
        parts.append(f'<p class="card__dek">{esc(article.dek)}</p>')
    parts.append('\n    <div class="card__meta">\n      ')
    parts.append(card_meta_html(article, comment_counts, url))
    parts.append("\n    </div>\n  </div>\n</article>\n")
    return SafeString("".join(parts))


def card_meta_html(article, comment_counts=None, url=None) -> str:
    """What a card's ``card__meta`` holds: the bylines, the time and, with
    ``comment_counts``, "N comments" when the story has any. Story cards and
    the front page's lead story share it."""
    url = url or esc(article.get_absolute_url())
    parts = [
        bylines_html(article.bylines.all()),
        f'\n      <p class="card__time">{time_html(article.published_at)}</p>\n      ',
    ]
    if isinstance(comment_counts, fragments.DeferredCounts):
        # Stitched in when the cached page is served (articles.fragments).
        parts.append(fragments.placeholder("card_comments", article.pk))
    elif comment_counts:
        parts.append(card_comments_html(article, comment_counts, url))
    return SafeString("".join(parts))


def card_comments_html(article, comment_counts, url=None) -> str:
    """A card's "N comments" link, or nothing when the story has none."""
    count = comment_counts.get(getattr(article, "pk", article), 0)
    if not count:
        return ""
    url = url or esc(article.get_absolute_url())
    return (
        f'<p class="card__comments"><a href="{url}#comments">'
        f"{number(count)} comment{'' if count == 1 else 's'}</a></p>"
    )
