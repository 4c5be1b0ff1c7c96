"""Pictures in a story's body: uploaded from the editor, drawn as ``<picture>``.

The editor (``static/articles/admin/body-figure.js``) posts the file with its
alt text, caption and credit to the story admin's upload view, which calls
``store()``: the lead image's pipeline (``images.clean_image()`` through
``CleanImageField``: the size checked before decoding, the decoder's limits,
re-encoded without metadata) and the renditions, made at once. The body then
holds plain, portable markup that the sanitizer allows and feeds show as is::

    <figure class="body-figure">
      <img src="/media/uploads/2026/12/ab12.jpg" alt="..." width="1600" height="900">
      <figcaption>Caption <span class="body-figure__credit">Credit</span></figcaption>
    </figure>

The story page draws each such ``<img>`` as ``<picture>`` with the renditions
(``with_pictures()``): the rendition names derive from the original's, so that
costs no query and no file access. ``services.save_story()`` links the
pictures a saved body uses to its story (``link_to_story()``).
"""

import re
from html import unescape
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.fields.files import ImageFieldFile
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from articles import images, markup
from articles.models import Article, BodyImage

BODY_SIZES = "(min-width: 48rem) 48rem, 100vw"
ALT_LIMIT = BodyImage._meta.get_field("alt").max_length
CAPTION_LIMIT = BodyImage._meta.get_field("caption").max_length
CREDIT_LIMIT = BodyImage._meta.get_field("credit").max_length

# The sanitizer's output is regular (double-quoted, escaped attributes), so
# these read it reliably; anything else is left as it is.
_FIGURE = re.compile(r'<figure class="body-figure">(.*?)</figure>', re.S)
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')


def store(upload, *, alt: str, caption: str = "", credit: str = "", by=None):
    """Check and store an uploaded body picture; return the ``BodyImage``.

    Raises ``ValidationError`` (a dict by field) for a missing alt text, texts
    over their limits, or a file that is not a picture we accept.
    """
    alt, caption, credit = alt.strip(), caption.strip(), credit.strip()
    errors = {}
    if not alt:
        errors["alt"] = gettext("Describe the picture for readers who cannot see it.")
    for name, value, limit in (
        ("alt", alt, ALT_LIMIT),
        ("caption", caption, CAPTION_LIMIT),
        ("credit", credit, CREDIT_LIMIT),
    ):
        if len(value) > limit:
            errors[name] = gettext(
                "At most %(limit)s characters (this has %(length)s)."
            ) % {"limit": limit, "length": len(value)}
    try:
        clean = images.clean_image(upload) if upload is not None else None
    except ValidationError as error:
        errors["image"] = error.messages[0]
    else:
        if clean is None:
            errors["image"] = gettext("Choose a picture to upload.")
    if errors:
        raise ValidationError(errors)
    picture = BodyImage(alt=alt, caption=caption, credit=credit, uploaded_by=by)
    with transaction.atomic():
        picture.image.save(clean.name, clean, save=False)
        picture.width, picture.height = clean.width, clean.height
        picture.save()
    images.make_renditions(picture.image)
    return picture


def figure_html(picture: BodyImage) -> str:
    """The markup the editor inserts for ``picture`` (what the body stores)."""
    caption = ""
    if picture.caption or picture.credit:
        credit = (
            format_html(' <span class="body-figure__credit">{}</span>', picture.credit)
            if picture.credit
            else ""
        )
        caption = format_html("<figcaption>{}{}</figcaption>", picture.caption, credit)
    return format_html(
        '<figure class="body-figure"><img src="{}" alt="{}" width="{}" height="{}">'
        "{}</figure>",
        picture.image.url,
        picture.alt,
        picture.width,
        picture.height,
        caption,
    )


def _media_name(src: str) -> str | None:
    """The storage name behind a media URL of ours, or None."""
    prefix = settings.MEDIA_URL
    if not src.startswith(prefix):
        return None
    name = unquote(src[len(prefix) :])
    if not name.startswith("uploads/") or ".." in name or "\\" in name:
        return None
    return name


def _image_field():
    return BodyImage._meta.get_field("image")


def _picture_for(img_attributes: str) -> str | None:
    attrs = {key: unescape(value) for key, value in _ATTRIBUTE.findall(img_attributes)}
    name = _media_name(attrs.get("src", ""))
    try:
        width, height = int(attrs.get("width", "")), int(attrs.get("height", ""))
    except ValueError:
        return None
    if name is None or width < 1 or height < 1:
        return None
    fieldfile = ImageFieldFile(None, _image_field(), name)
    return markup.picture_html(
        fieldfile, width, height, alt=attrs.get("alt", ""), sizes=BODY_SIZES
    ).strip()


def with_pictures(body: str) -> SafeString:
    """A sanitised body with each body figure's ``<img>`` drawn as
    ``<picture>`` (WebP and JPEG renditions, width and height)."""
    if not body or "body-figure" not in body:
        return mark_safe(body or "")  # sanitised on save

    def figure(match):
        inner = match.group(1)

        def img(found):
            return _picture_for(found.group(1)) or found.group(0)

        return '<figure class="body-figure">' + _IMG.sub(img, inner, 1) + "</figure>"

    return mark_safe(_FIGURE.sub(figure, body))


def used_names(body: str) -> set[str]:
    """The media names of the body figures' pictures."""
    names = set()
    for inner in _FIGURE.findall(body or ""):
        for img_attributes in _IMG.findall(inner):
            attrs = dict(_ATTRIBUTE.findall(img_attributes))
            name = _media_name(unescape(attrs.get("src", "")))
            if name:
                names.add(name)
    return names


def missing_alt_text(body: str) -> int:
    """How many pictures in ``body`` have no alt text (for the publish warning)."""
    count = 0
    for img_attributes in _IMG.findall(body or ""):
        attrs = dict(_ATTRIBUTE.findall(img_attributes))
        if not unescape(attrs.get("alt", "")).strip():
            count += 1
    return count


def link_to_story(story: Article) -> None:
    """Mark the body pictures ``story`` uses as its own (one UPDATE): only
    those no story has yet. A picture another story uploaded stays that
    story's, so deleting this one never leaves the other's file unowned."""
    names = used_names(story.body)
    if names:
        BodyImage.objects.filter(image__in=names, article__isnull=True).update(
            article=story
        )
