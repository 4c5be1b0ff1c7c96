"""Uploaded pictures: refuse anything that is not a plain image, rewrite the rest.

An upload is judged by decoding it with Pillow, never by its name or the
browser's content type. What is kept is a fresh image holding only the pixels:
the orientation is applied first, then every piece of metadata (EXIF with GPS,
XMP, ICC profiles, comments, anything appended after the image data) is left
behind. Animated GIF and WebP keep their first frame only.

Renditions (several widths, WebP plus a JPEG fallback) are made once by
``make_renditions()``, which ``articles.services.save_story()`` calls when a
story is saved, and then served from storage. Their names are derived from the
original's name, so templates build their URLs without a query or a file
system look-up.
"""

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
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
        "This picture has too many pixels (at most %(pixels)s million).",
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
            "This file is too large (at most %(mb)s MB).",
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
                        "This picture is too big: at most %(side)s pixels a side.",
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
            "Upload a JPEG, PNG, WebP or GIF picture. This file is not one, "
            "or it is damaged.",
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

    default_error_messages = {"invalid_image": "Upload a valid picture."}

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


class CleanImageField(models.ImageField):
    """An ``ImageField`` whose forms accept only pictures ``clean_image()`` passes.

    Width and height fields are filled when a file is assigned, never when a
    row is loaded: listing stories reads no image file.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CleanImageFormField, **kwargs})

    def update_dimension_fields(self, instance, force=False, *args, **kwargs):
        if not force:
            return
        try:
            super().update_dimension_fields(instance, True, *args, **kwargs)
        except (OSError, ValueError):
            # A missing or unreadable file: the size stays unknown and the
            # templates fall back to a plain <img>.
            if self.width_field:
                setattr(instance, self.width_field, None)
            if self.height_field:
                setattr(instance, self.height_field, None)


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

    Idempotent: a second call finds every file in storage and makes nothing.
    Renditions are written without any metadata, like the original.
    """
    if not fieldfile:
        return []
    storage = fieldfile.storage
    original_width, original_height = fieldfile.width, fieldfile.height
    wanted = [
        width
        for width in rendition_widths(original_width)
        if not all(
            storage.exists(rendition_name(fieldfile.name, width, extension))
            for extension in ("webp", "jpg")
        )
    ]
    if not wanted:
        return []
    created = []
    with (
        fieldfile.open("rb") as file,
        Image.open(file, formats=ACCEPTED_FORMATS) as img,
    ):
        img.load()
        source = img.convert("RGBA" if "A" in img.getbands() else "RGB")
    # Widest first, each from the one before: cheaper than from the original.
    for width in sorted(wanted, reverse=True):
        height = max(1, round(original_height * width / original_width))
        if source.size != (width, height):
            source = source.resize((width, height), Image.Resampling.LANCZOS)
        created += _save_rendition(storage, fieldfile.name, source, width)
    return created


def delete_files(storage, name: str, original_width: int | None) -> None:
    """Remove an original and the renditions made from it.

    Called once a replaced or deleted lead image is no longer referenced by
    any story (``forget_unused()``), so old uploads do not pile up on disk.
    """
    widths = set(RENDITION_WIDTHS)
    if original_width:
        widths.update(rendition_widths(original_width))
    names = [name] + [
        rendition_name(name, width, extension)
        for width in sorted(widths)
        for extension in ("webp", "jpg")
    ]
    for each in names:
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
        if storage.exists(name):
            continue
        buffer = io.BytesIO()
        if extension == "webp":
            fresh.save(buffer, "WEBP", quality=80, method=4)
        else:
            opaque = fresh
            if fresh.mode == "RGBA":
                opaque = Image.new("RGB", fresh.size, "white")
                opaque.paste(fresh, mask=fresh.getchannel("A"))
            opaque.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
        created.append(storage.save(name, ContentFile(buffer.getvalue())))
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
