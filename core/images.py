"""Uploaded images (member avatars, sponsor logos): checked, cleaned and resized with Pillow.

Two steps, kept apart so that nothing reaches the storage before the whole form is valid:

1. `process_image()` runs while a form is validated. It reads only the upload, in
   memory, and returns the resized files, or raises a ValidationError with a message
   meant for the person who sent the file.
2. `image_fields_save()` runs once the form is valid. It writes those files, saves
   the row, and deletes the files they replace once the transaction is committed.

What an upload must pass, in this order, each step before anything costly is done:
- its size in bytes (known before reading it);
- its format, recognised from its content and never from its name: only the PNG,
  JPEG and WebP decoders of Pillow are even tried, so a renamed PDF, an SVG or a
  GIF is refused without being parsed by anything else;
- its size in pixels, read from the header, before any pixel is decoded;
- `verify()`, then a full decode of a reopened copy (a truncated or corrupt file
  fails here).
Then the EXIF orientation is applied and the image re-encoded from its pixels
alone, which drops every piece of metadata (EXIF with GPS position, XMP, ICC,
comments).
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Iterable
from io import BytesIO
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# The only decoders Pillow is allowed to run on an upload. MPO is how Pillow names
# the JPEG files written by many phones (a JPEG with a second, hidden picture).
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
_FORMAT_ALIASES = {"MPO": "JPEG"}
ACCEPT_ATTRIBUTE = "image/png,image/jpeg,image/webp"

Fit = Literal["cover", "contain"]


def _too_many_pixels(max_pixels: int) -> ValidationError:
    return ValidationError(
        _(
            "Cette image est trop grande : %(max)d millions de pixels au plus "
            "(par exemple %(side)d × %(side)d). Réduisez-la avant de l'envoyer."
        )
        % {"max": max_pixels // 1_000_000, "side": int(max_pixels**0.5)},
        code="too_many_pixels",
    )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _(
            "Ce fichier n'est pas une image PNG, JPEG ou WebP. Le contenu du fichier est "
            "vérifié, pas son nom : un PDF, un SVG ou un GIF renommé est refusé."
        ),
        code="not_an_image",
    )


def _broken_image() -> ValidationError:
    return ValidationError(
        _(
            "Cette image est incomplète ou abîmée et ne peut pas être lue. "
            "Enregistrez-la à nouveau depuis votre logiciel, puis renvoyez-la."
        ),
        code="broken_image",
    )


def process_image(
    upload,
    *,
    sizes: dict[str, tuple[int, int]],
    fit: Fit,
    keep_alpha: bool,
    max_bytes: int,
    max_pixels: int,
) -> dict[str, ContentFile]:
    """Check an uploaded image and return it re-encoded once per entry of `sizes`.

    fit="cover": cropped around the centre to exactly the requested size (avatars).
    fit="contain": scaled down to fit inside the box, never enlarged (logos).
    keep_alpha: keep transparency (WebP lossless); otherwise flatten it on white
    (WebP lossy, right for photos).

    Returns {key: ContentFile} with a random file name ending in .webp; raises
    ValidationError with a French message for the person who sent the file.
    Writes nothing anywhere.
    """
    if upload.size > max_bytes:
        raise ValidationError(
            _("Ce fichier pèse %(size)s : le maximum est %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="too_many_bytes",
        )
    image = _open_checked(upload, max_pixels=max_pixels)
    largest = (max(w for w, _h in sizes.values()), max(h for _w, h in sizes.values()))
    image = _decode(image, keep_alpha=keep_alpha, draft_box=(max(largest),) * 2)

    token = secrets.token_hex(8)
    files = {}
    for key, size in sizes.items():
        resized = _resize(image, size, fit=fit)
        files[key] = ContentFile(
            _encode(resized, lossless=keep_alpha),
            name=f"{token}_{resized.width}x{resized.height}.webp",
        )
    return files


def _open_checked(upload, *, max_pixels: int) -> Image.Image:
    """Open from the header only (no pixel decoded yet), check format and size, verify."""
    # Pillow itself refuses images above Image.MAX_IMAGE_PIXELS (its decompression
    # bomb guard): a warning above the limit, an error above twice the limit. We keep
    # its global default as an outer net for the whole process and turn both into
    # our message; our own max_pixels, read from the header just below, is stricter.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            image = Image.open(upload, formats=ACCEPTED_FORMATS)
            image_format = _FORMAT_ALIASES.get(image.format, image.format)
            if image_format not in ACCEPTED_FORMATS:
                raise _not_an_image()
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels)
            image.verify()  # structure and checksums, without decoding the pixels
            upload.seek(0)
            return Image.open(upload, formats=ACCEPTED_FORMATS)  # verify() used up the first
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
        raise _too_many_pixels(limit) from None
    except UnidentifiedImageError:
        raise _not_an_image() from None
    except ValidationError:
        raise
    except Exception:  # Pillow raises many kinds (SyntaxError, OSError, struct.error...)
        raise _broken_image() from None


def _decode(image: Image.Image, *, keep_alpha: bool, draft_box: tuple[int, int]) -> Image.Image:
    """Decode every pixel, upright, in RGB or RGBA."""
    # A JPEG can be decoded straight at 1/2, 1/4 or 1/8 of its size, still larger
    # than what we keep: much less memory and time for a big phone photo.
    if image.format in ("JPEG", "MPO"):
        image.draft(None, draft_box)
    try:
        # A truncated file fails here (Pillow's ImageFile.LOAD_TRUNCATED_IMAGES stays off).
        image.load()
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
            "transparency" in image.info
        )
        if not has_alpha:
            return image.convert("RGB")
        image = image.convert("RGBA")
    except Exception:
        raise _broken_image() from None
    if keep_alpha:
        return image
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def _resize(image: Image.Image, size: tuple[int, int], *, fit: Fit) -> Image.Image:
    if fit == "cover":
        return ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)
    copy = image.copy()
    copy.thumbnail(size, Image.Resampling.LANCZOS)  # only ever shrinks
    return copy


def _encode(image: Image.Image, *, lossless: bool) -> bytes:
    # Nothing but the pixels is passed to save(): no exif=, icc_profile= or xmp=,
    # so the new file carries no metadata at all.
    out = BytesIO()
    if lossless:
        image.save(out, "WEBP", lossless=True, quality=80, method=4)
    else:
        image.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def image_fields_save(
    *,
    instance: models.Model,
    images: dict[str, ContentFile | None],
    update_fields: Iterable[str] | None = None,
) -> None:
    """Store new images on `instance` (None clears a field), then save the row.

    The new files are written just before the row is saved; if the save fails they
    are deleted again and the error goes on. The files they replace are deleted
    only once the transaction is committed, so a rolled-back save never leaves the
    row pointing at a deleted file.
    """
    old_names = {field: getattr(instance, field).name for field in images}
    written: list[tuple[models.fields.files.FieldFile, str]] = []
    try:
        for field, content in images.items():
            file = getattr(instance, field)
            if content is None:
                setattr(instance, field, "")
                continue
            file.save(content.name, content, save=False)
            written.append((file, file.name))
        if instance.pk is None or update_fields is None:
            instance.save()
        else:
            instance.save(update_fields=[*update_fields, *images])
    except BaseException:
        # Storage writes are not part of the database transaction: undo them by hand.
        for file, name in written:
            file.storage.delete(name)
        for field, name in old_names.items():
            setattr(instance, field, name)
        raise

    replaced = [
        (getattr(instance, field).storage, name)
        for field, name in old_names.items()
        if name and name != getattr(instance, field).name
    ]
    if replaced:
        transaction.on_commit(lambda: _delete_files(replaced))


def _delete_files(files: list) -> None:
    for storage, name in files:
        storage.delete(name)


def image_fields_delete(*, instance: models.Model, fields: Iterable[str]) -> None:
    """Delete the files of `fields` once the transaction deleting `instance` commits."""
    files = [
        (getattr(instance, field).storage, getattr(instance, field).name)
        for field in fields
        if getattr(instance, field).name
    ]
    if files:
        transaction.on_commit(lambda: _delete_files(files))
