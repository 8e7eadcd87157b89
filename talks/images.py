"""Speaker photos: a simple check of what is uploaded, and where it is stored.

Pillow reads the file to make sure it is really a PNG, JPEG or WebP image (the
name and the browser's content type are not trusted), and the size stays under
5 MB. The file is stored under a random name: the uploader's file name is not
kept.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from PIL import Image

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


def validate_photo(upload: UploadedFile) -> str:
    """Check an uploaded photo; returns the file extension matching its real format."""
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("La photo pèse %(size)s Mo : la limite est de 5 Mo.")
            % {"size": number_format(upload.size / (1024 * 1024), 1)},
            code="photo_too_big",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except Exception:  # Pillow raises many kinds of errors on a broken or hostile file.
        raise ValidationError(
            _("Ce fichier n'est pas une image lisible. Envoyez une photo PNG, JPEG ou WebP."),
            code="photo_unreadable",
        ) from None
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError(
            _("Format %(format)s non accepté : envoyez une photo PNG, JPEG ou WebP.")
            % {"format": image_format or "?"},
            code="photo_format",
        )
    return PHOTO_FORMATS[image_format]


def speaker_photo_path(instance, filename: str) -> str:
    """speakers/<slug>-<random>.<ext>: the extension comes from the checked format."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    if extension not in set(PHOTO_FORMATS.values()) | {"jpeg"}:
        extension = "jpg"
    slug = (instance.slug or "speaker")[:60]
    return f"speakers/{slug}-{uuid.uuid4().hex[:12]}.{extension}"
