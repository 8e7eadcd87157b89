"""Where speaker photos are stored. They are checked and re-encoded by the
shared image module (members.images, through talks.forms.PhotoFieldMixin); the
uploader's file name is not kept."""

from __future__ import annotations

import uuid


def speaker_photo_path(instance, filename: str) -> str:
    """speakers/<slug>-<random>.webp: every photo is re-encoded as WebP."""
    slug = (instance.slug or "speaker")[:60]
    return f"speakers/{slug}-{uuid.uuid4().hex[:12]}.webp"
