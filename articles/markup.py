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

from datetime import datetime, timedelta
from html import escape as _html_escape

from django.utils import dateformat, formats
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.timesince import timesince, timeuntil
from django.utils.timezone import now as _now
from django.utils.timezone import template_localtime
from django.utils.translation import (
    get_language_info,
    gettext,
    ngettext,
    pgettext,
)

from articles import fragments, images
from articles.models import Byline

# What newsroom/formats/en/formats.py sets as DATETIME_FORMAT: written with
# the format characters directly, the format string is not parsed per call.
NEWSROOM_DATETIME_FORMAT = "j M Y, H:i T"
# Thumbnails beside the text on phones (static/css/site.css), above it in
# the grids of wider screens.
CARD_SIZES = "(min-width: 48em) 26rem, (min-width: 40em) 10rem, 7rem"


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


def count_text(value: int) -> str:
    """A count as readers read it, grouped in thousands in the language's
    way: "1,234" (English and Korean alike). Not escaped."""
    if -1000 < value < 1000:
        return str(value)
    return formats.number_format(value, force_grouping=True)


def time_text(value) -> str:
    """A moment as readers read it, in the current time zone and the
    language's ``DATETIME_FORMAT`` (``newsroom/formats/``): "2 Dec 2026,
    14:05 KST". A date alone is written in ``DATE_FORMAT``: "2 Dec 2026".
    Not escaped."""
    return _local_text(template_localtime(value))


def _local_text(local) -> str:
    if not isinstance(local, datetime):
        return formats.date_format(local, "DATE_FORMAT")
    text_format = formats.get_format("DATETIME_FORMAT")
    if text_format != NEWSROOM_DATETIME_FORMAT:
        # Korean (newsroom/formats/ko): "2026년 12월 2일 오후 2:05 KST".
        return dateformat.format(local, text_format)
    f = dateformat.DateFormat(local)
    return f"{f.j()} {f.M()} {f.Y()}, {f.H()}:{f.i()} {f.T()}"


def relative_text(value, now=None) -> str:
    """How long ago or ahead, in the largest unit: "2 hours ago", "in 3
    days", "just now"; in Korean "2시간 전", "3일 후", "방금"."""
    now = now or _now()
    if abs(now - value) < timedelta(minutes=1):
        return gettext("just now")
    if value <= now:
        return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}
    return gettext("in %(time)s") % {"time": timeuntil(value, now, depth=1)}


def time_html(value, relative=False, now=None) -> str:
    """``<time>`` for a datetime (or a date): the one reader format
    (``time_text()``) as its text, ISO 8601 with the offset, to the second, as
    its ``datetime`` (``2026-12-02T14:05:00+09:00``). Nothing for no value.

    ``relative=True`` writes "2 hours ago" instead and keeps the absolute time
    in the ``title``. Only for pages the page cache does not keep: a kept page
    would go on saying "2 hours ago" long after.
    """
    if value in (None, ""):
        return ""
    local = template_localtime(value)
    if isinstance(local, datetime):
        iso = local.isoformat(timespec="seconds")
    else:
        iso = local.isoformat()
    text = esc(_local_text(local))
    if relative and isinstance(local, datetime):
        return (
            f'<time datetime="{iso}" title="{text}">'
            f"{esc(relative_text(local, now))}</time>"
        )
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


# The roles in the newsroom's order, and their words ("Translated by"): the
# choices of Byline.role, translated when written.
ROLE_LABELS = dict(Byline.Role.choices)
ROLE_ORDER = {role: n for n, role in enumerate(Byline.Role.values)}
ROLE_SEPARATOR = '<span class="byline__sep"> · </span>'


def role_label(role: str) -> str:
    """The words of a role: "By", "Translated by"; in Korean "기자", "번역"."""
    return str(ROLE_LABELS.get(role, role))


def role_pattern(role: str) -> str:
    """Where the role's words stand beside the names, as the language puts
    them: English "By Choi Young Hoon", "Translated by Eugene Park"; Korean
    "최영훈 기자" (the title after the name) but "번역 박유진", "사진 홍길동"
    (the task before it), as Korean papers print them."""
    if role == Byline.Role.BY:
        return pgettext("byline: where 'By' goes", "%(role)s %(names)s")
    return pgettext("byline: where a role goes", "%(role)s %(names)s")


def join_names(names: list[str]) -> str:
    """Names as a list: "A", "A and B", "A, B and C". No comma before "and",
    the newsroom's style (AP's and the BBC's too). Korean joins them with a
    middle dot, as its papers do: "최영훈·박유진". ``names`` are HTML; the
    joining words are escaped."""
    if len(names) < 2:
        return "".join(names)
    between = esc(pgettext("between names in a byline", ", "))
    last = esc(pgettext("before the last name in a byline", " and "))
    return f"{between.join(names[:-1])}{last}{names[-1]}"


def byline_groups(bylines) -> list[tuple[str, list]]:
    """``[(role, [author, ...])]``: the roles in the newsroom's order, the
    people of each in the bylines' order (pass them ordered). A role that is
    no longer a choice comes last."""
    groups = {}
    for byline in bylines:
        groups.setdefault(byline.role, []).append(byline.author)
    last = len(ROLE_ORDER)
    return sorted(groups.items(), key=lambda group: ROLE_ORDER.get(group[0], last))


def translated_from_html(original) -> str:
    """What follows a translator's name on a translation: " from the Korean
    original", linked to the ``original`` story (None: nothing)."""
    if not original:  # None, or "" from a template without one
        return ""
    language = get_language_info(original.language)["name_translated"]
    # Outside the f-string: makemessages does not read calls inside one.
    words = gettext("%(language)s original") % {"language": language}
    link = (
        f'<a class="byline__original" href="{esc(original.get_absolute_url())}"'
        f' hreflang="{esc(original.language)}">{esc(words)}</a>'
    )
    return " " + esc(gettext("from the %(original)s")) % {"original": link}


def _role_html(role, authors, element="span", suffix="") -> str:
    """One role and its people: "Reporting by A and B", the names linked;
    ``suffix`` (HTML) after the names."""
    names = [
        f'<a class="byline__name" href="{esc(author.get_absolute_url())}">'
        f"{esc(author.name)}</a>"
        for author in authors
    ]
    words = esc(role_pattern(role)) % {
        "role": f'<span class="byline__role">{esc(role_label(role))}</span>',
        "names": f"{join_names(names)}{suffix}",
    }
    return f'<{element} class="byline" data-role="{esc(role)}">{words}</{element}>'


def bylines_html(bylines, style="short", original=None) -> str:
    """The bylines of one story, each role once with all its people, the
    roles in the newsroom's order (pass the bylines prefetched).

    ``style="header"``, the story's header: every role on one line, "By Choi
    Young Hoon · Translated by Eugene Park" (job titles are on the authors'
    pages and in the JSON-LD). ``"short"``, a card: the same line.
    ``"closing"``, the block at the foot of a story: one line per role. Ends
    with a newline, as the template did (the header does not).
    """
    groups = byline_groups(bylines)
    # A translation's translators link to its ``original`` (articles.translations).
    suffixes = {Byline.Role.TRANSLATED: translated_from_html(original)}
    if style == "closing":
        if not groups:
            return "\n"
        lines = "".join(
            f"{_role_html(role, authors, 'li', suffixes.get(role, ''))}\n  "
            for role, authors in groups
        )
        return f'<ul class="byline-block">\n  {lines}</ul>\n'
    if not groups:
        return "" if style == "header" else "\n"
    line = ROLE_SEPARATOR.join(
        _role_html(role, authors, suffix=suffixes.get(role, ""))
        for role, authors in groups
    )
    if style == "header":
        return f'<p class="bylines bylines--header">{line}</p>'
    return f'<p class="bylines">{line}</p>\n'


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
    # The story's words in its own language, whatever the page's (WCAG 3.1.2).
    lang = esc(article.language)
    parts.append(
        f'\n    <h{level} class="card__headline" lang="{lang}"><a href="{url}">'
        f"{esc(article.headline)}</a></h{level}>\n    "
    )
    if article.dek:
        parts.append(f'<p class="card__dek" lang="{lang}">{esc(article.dek)}</p>')
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
    words = ngettext("%(number)s comment", "%(number)s comments", count) % {
        "number": count_text(count)
    }
    return f'<p class="card__comments"><a href="{url}#comments">{esc(words)}</a></p>'
