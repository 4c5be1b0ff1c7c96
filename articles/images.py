"""Uploaded pictures: refuse anything that is not a plain image, rewrite the rest.

An upload is judged by decoding it with Pillow, never by its name or the
browser's content type. What is kept is a fresh image holding only the pixels:
the orientation is applied first, then every piece of metadata (EXIF with GPS,
XMP, ICC profiles, comments, anything appended after the image data) is left
behind. Animated GIF and WebP keep their first frame only.

Renditions (several widths, WebP plus a JPEG fallback) are made once by
``make_renditions()``, which ``articles.services.save_story()`` calls when a
story gets a new picture, and then served from storage. Their names are derived
from the original's name, so templates build their URLs without a query or a
file system look-up.

Pages and feeds never ask the storage anything (on object storage every
question is a request): a picture's width, height and byte size are kept in
its row when it is stored (``CleanImageField``'s ``width_field``,
``height_field`` and ``size_field``) and read from there
(``StoredImageFieldFile``). Names are never reused for other content (uploads
get a random name, renditions are named after their original), so a stored
file is immutable and may be cached for a year.
"""

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import get_image_dimensions
from django.db import models, transaction
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 8_000
ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", "GIF"]
RENDITION_WIDTHS = (320, 640, 1024, 1600)
# The <img src> for browsers without srcset: the largest rendition up to this.
FALLBACK_WIDTH = 1024

# Pillow's own bomb guard, lowered to our limit: past it, Image.open() warns
# (made an error below) and past twice it raises DecompressionBombError.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

DECODE_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    # Pillow raises these on some malformed files (corrupt palettes, tables).
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
)


class CleanImage(ContentFile):
    """A re-encoded upload: pixels only, with its format and size known."""

    def __init__(self, content: bytes, *, extension: str, width: int, height: int):
        super().__init__(content, name=f"image.{extension}")
        self.width = width
        self.height = height


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This picture has too many pixels (at most %(pixels)s million)."),
        code="too_many_pixels",
        params={"pixels": MAX_PIXELS // 1_000_000},
    )


def clean_image(upload) -> CleanImage:
    """Check ``upload`` (a Django ``File``) and return it re-encoded.

    Raises ``ValidationError`` with a message for the editor when the file is
    too large, not a JPEG, PNG, WebP or GIF image, damaged, or a decompression
    bomb. The size is checked before any byte is decoded.
    """
    size = getattr(upload, "size", None)
    if size is None or size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is too large (at most %(mb)s MB)."),
            code="too_large",
            params={"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=ACCEPTED_FORMATS) as img:
                width, height = img.size
                if width < 1 or height < 1 or max(width, height) > MAX_SIDE:
                    raise ValidationError(
                        _("This picture is too big: at most %(side)s pixels a side."),
                        code="too_wide",
                        params={"side": MAX_SIDE},
                    )
                if width * height > MAX_PIXELS:
                    raise _too_many_pixels()
                img.load()
                return _reencode(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except DECODE_ERRORS:
        raise ValidationError(
            _(
                "Upload a JPEG, PNG, WebP or GIF picture. This file is not one, "
                "or it is damaged."
            ),
            code="invalid_image",
        ) from None


def _reencode(img: Image.Image) -> CleanImage:
    """Orientation applied, pixels copied into a new image, nothing else kept."""
    img = ImageOps.exif_transpose(img)
    has_alpha = img.mode in {"RGBA", "LA", "PA"} or (
        img.mode == "P" and "transparency" in img.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    pixels = img.convert(mode)
    # A new image gets the pixels and nothing else (no info, no palette notes).
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    del pixels
    buffer = io.BytesIO()
    if has_alpha:
        fresh.save(buffer, "PNG", optimize=True)
        extension = "png"
    else:
        fresh.save(buffer, "JPEG", quality=90, optimize=True, progressive=True)
        extension = "jpg"
    return CleanImage(
        buffer.getvalue(), extension=extension, width=fresh.width, height=fresh.height
    )


class CleanImageFormField(forms.FileField):
    """A file field whose value is the re-encoded picture (``CleanImage``).

    Used instead of ``forms.ImageField``, which decodes the file before any
    size check and keeps the original bytes.
    """

    default_error_messages = {"invalid_image": _("Upload a valid picture.")}

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        return clean_image(upload)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            attrs["accept"] = "image/jpeg,image/png,image/webp,image/gif"
        return attrs


class StoredImageFieldFile(ImageFieldFile):
    """A stored picture whose width, height and size come from its row.

    Django's ``ImageFieldFile`` opens the file to learn its width and height,
    and ``FieldFile.size`` asks the storage, every time a row is loaded: on
    object storage, requests while a page renders. Here the row's
    ``width_field``, ``height_field`` and ``size_field`` answer when they are
    filled; only a row that does not know (saved before sizes were kept, see
    ``manage.py record_media_sizes``) falls back to the storage.
    """

    def _from_row(self, attribute: str):
        field_name = getattr(self.field, attribute, None)
        if not field_name or not self._committed or self.instance is None:
            return None
        return getattr(self.instance, field_name, None)

    @property
    def width(self):
        known = self._from_row("width_field")
        return known if known is not None else self._get_image_dimensions()[0]

    @property
    def height(self):
        known = self._from_row("height_field")
        return known if known is not None else self._get_image_dimensions()[1]

    @property
    def size(self):
        known = self._from_row("size_field")
        return known if known is not None else super().size


class CleanImageField(models.ImageField):
    """An ``ImageField`` whose forms accept only pictures ``clean_image()`` passes.

    Width, height and byte size fields (``size_field``, like Django's
    ``width_field``) are filled when a file is assigned, never when a row is
    loaded: listing stories reads no image file, and ``StoredImageFieldFile``
    answers from them.
    """

    attr_class = StoredImageFieldFile

    def __init__(self, *args, size_field=None, **kwargs):
        self.size_field = size_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.size_field:
            kwargs["size_field"] = self.size_field
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanImageFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        # Only on assignment (force): a loaded row keeps what it stored, even
        # when that is nothing, so loading never reads a file.
        if not force or self.attname not in instance.__dict__:
            return
        file = getattr(instance, self.attname)
        width = height = size = None
        # A file assigned without a name (FieldFile.save() names it later)
        # is still measured.
        unsaved = not file._committed and getattr(file, "_file", None) is not None
        if file or unsaved:
            try:
                width, height, size = _measure(file)
            except (OSError, ValueError):
                # A missing or unreadable file: the size stays unknown and
                # the templates fall back to a plain <img>.
                width = height = size = None
        for field_name, value in (
            (self.width_field, width),
            (self.height_field, height),
            (self.size_field, size),
        ):
            if field_name:
                setattr(instance, field_name, value)


def _measure(file) -> tuple[int | None, int | None, int | None]:
    """Width, height and bytes of an assigned file, from the file itself: a
    fresh upload (``CleanImage``) knows them all, other new content is read;
    a stored name that is assigned is asked of the storage."""
    if not file._committed:
        content = file._file
        if isinstance(content, CleanImage):
            return content.width, content.height, content.size
        width, height = get_image_dimensions(content)
        return width, height, content.size
    width, height = file._get_image_dimensions()
    return width, height, file.storage.size(file.name)


# Renditions ---------------------------------------------------------------


def rendition_widths(original_width: int) -> list[int]:
    """Widths made for an original: never upscaled, the original's own included
    when it is narrower than the largest width."""
    widths = [w for w in RENDITION_WIDTHS if w < original_width]
    if original_width <= RENDITION_WIDTHS[-1]:
        widths.append(original_width)
    return widths


def rendition_name(original_name: str, width: int, extension: str) -> str:
    """``uploads/2026/11/ab12.jpg`` → ``renditions/uploads/2026/11/ab12-640w.webp``."""
    stem = PurePosixPath(original_name).with_suffix("")
    return f"renditions/{stem}-{width}w.{extension}"


def rendition_names(original_name: str, original_width: int) -> list[str]:
    return [
        rendition_name(original_name, width, extension)
        for width in rendition_widths(original_width)
        for extension in ("webp", "jpg")
    ]


def make_renditions(fieldfile) -> list[str]:
    """Make the renditions of ``fieldfile`` that do not exist yet; return their names.

    Idempotent: a second call finds the renditions in storage and makes
    nothing. Renditions are written without any metadata, like the original.

    Few storage calls, since on object storage each is a request: the
    original's size comes from its row (``StoredImageFieldFile``); one
    existence check, of the rendition written last (``_last_rendition()``:
    writes go in a fixed order and each is whole, so if it is there, all
    are); then one read of the original and one write per rendition (8 for a
    picture wider than 1,600 pixels). A set left half-made by a crash is
    completed: a rendition already there keeps its name
    (``_save_rendition()``).
    """
    if not fieldfile:
        return []
    storage = fieldfile.storage
    original_width, original_height = fieldfile.width, fieldfile.height
    if storage.exists(_last_rendition(fieldfile.name, original_width)):
        return []
    created = []
    with (
        fieldfile.open("rb") as file,
        Image.open(file, formats=ACCEPTED_FORMATS) as img,
    ):
        img.load()
        source = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    # Widest first, each from the one before: cheaper than from the original.
    for width in sorted(rendition_widths(original_width), reverse=True):
        height = max(1, round(original_height * width / original_width))
        if source.size != (width, height):
            source = source.resize((width, height), Image.Resampling.LANCZOS)
        created += _save_rendition(storage, fieldfile.name, source, width)
    return created


def _last_rendition(original_name: str, original_width: int) -> str:
    """The rendition ``make_renditions()`` writes last: the narrowest JPEG."""
    return rendition_name(original_name, min(rendition_widths(original_width)), "jpg")


def stored_file_names(name: str, original_width: int | None) -> list[str]:
    """An original and the names of its renditions: those made for its width,
    or every width there is when the width is unknown."""
    if original_width:
        widths = rendition_widths(original_width)
    else:
        widths = list(RENDITION_WIDTHS)
    return [name] + [
        rendition_name(name, width, extension)
        for width in sorted(widths)
        for extension in ("webp", "jpg")
    ]


def delete_files(storage, name: str, original_width: int | None) -> None:
    """Remove an original and the renditions made from it.

    Called once a replaced or deleted lead image is no longer referenced by
    any story (``forget_unused()``), so old uploads do not pile up on disk.
    One delete per file made (1 + 8 at most); with the original's width
    unknown, every width is tried.
    """
    for each in stored_file_names(name, original_width):
        storage.delete(each)


def forget_unused(field, name: str, original_width: int | None) -> None:
    """After the transaction commits, delete ``name``'s files if no row uses it.

    ``field`` is the model's image field (``story.lead_image.field``), whose
    model is asked: this module imports no model, so ``models.py`` can import
    it. Called by ``articles.services`` for a replaced picture and by the
    ``post_delete`` handler below.
    """
    if not name:
        return
    model, storage = field.model, field.storage

    def delete_if_unused():
        if not model._default_manager.filter(**{field.name: name}).exists():
            delete_files(storage, name, original_width)

    transaction.on_commit(delete_if_unused)


def lead_image_deleted(sender, instance, **kwargs):
    """``post_delete`` of a story: its picture goes with it."""
    picture = instance.lead_image
    forget_unused(picture.field, picture.name, instance.lead_image_width)


def _save_rendition(storage, original_name: str, img: Image.Image, width: int):
    created = []
    fresh = Image.new(img.mode, img.size)
    fresh.paste(img)
    for extension in ("webp", "jpg"):
        name = rendition_name(original_name, width, extension)
        buffer = io.BytesIO()
        if extension == "webp":
            fresh.save(buffer, "WEBP", quality=80, method=4)
        else:
            opaque = fresh
            if fresh.mode == "RGBA":
                opaque = Image.new("RGB", fresh.size, "white")
                opaque.paste(fresh, mask=fresh.getchannel("A"))
            opaque.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
        saved = storage.save(name, ContentFile(buffer.getvalue()))
        if saved != name:
            # The local disk refuses an existing name (object storage
            # overwrites): this rendition was there from a run cut short, and
            # the same pixels under another name are not wanted.
            storage.delete(saved)
            continue
        created.append(saved)
    return created


@dataclass(frozen=True)
class Picture:
    """What ``articles/includes/picture.html`` writes: URLs and the box size."""

    src: str
    webp_srcset: str
    jpeg_srcset: str
    width: int
    height: int


def picture(fieldfile, width: int | None, height: int | None) -> Picture | None:
    """The renditions of a stored image, or None when its size is unknown.

    No query and no file system access: names are derived from the original's.
    """
    if not fieldfile or not width or not height:
        return None
    storage = fieldfile.storage
    widths = rendition_widths(width)

    def srcset(extension):
        return ", ".join(
            f"{storage.url(rendition_name(fieldfile.name, w, extension))} {w}w"
            for w in widths
        )

    src_width = max(w for w in widths if w <= FALLBACK_WIDTH or w == widths[0])
    return Picture(
        src=storage.url(rendition_name(fieldfile.name, src_width, "jpg")),
        webp_srcset=srcset("webp"),
        jpeg_srcset=srcset("jpg"),
        width=src_width,
        height=max(1, round(height * src_width / width)),
    )
