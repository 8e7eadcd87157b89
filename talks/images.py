"""Where speaker photos are stored. They are checked and re-encoded by the
shared image module (core.images, through talks.forms.PhotoFieldMixin); the
uploader's file name is not kept."""

from __future__ import annotations

import uuid


def speaker_photo_path(instance, filename: str) -> str:
    """speakers/<slug>-<random>.webp: every photo is re-encoded as WebP."""
    slug = (instance.slug or "speaker")[:60]
    return f"speakers/{slug}-{uuid.uuid4().hex[:12]}.webp"


SPEAKER_PHOTO_SIZE = (400, 400)


def speaker_photo_process(file):
    """Check and re-encode a speaker photo (shared rules of core.images): PNG, JPEG or
    WebP by content, size and pixel limits, then a 400×400 WebP without metadata.
    Raises ValidationError with a message for the person."""
    from django.conf import settings

    from core.images import process_image

    return process_image(
        file,
        sizes={"photo": SPEAKER_PHOTO_SIZE},
        fit="cover",
        keep_alpha=False,
        max_bytes=settings.IMAGE_UPLOAD_MAX_BYTES,
        max_pixels=settings.IMAGE_UPLOAD_MAX_PIXELS,
    )["photo"]
