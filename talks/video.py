"""YouTube addresses: recognise a video and its start time, build the embed address.

The address is stored as the speaker or organizer typed it; the video id and
start time are read from it when the page is shown. Accepted forms:

- https://www.youtube.com/watch?v=ID&t=90s (also m.youtube.com, music.youtube.com)
- https://youtu.be/ID?t=1m30s
- https://www.youtube.com/embed/ID?start=90 (also youtube-nocookie.com)
- https://www.youtube.com/live/ID and https://www.youtube.com/shorts/ID
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
# 90, 90s, 1m30s, 1h2m3s (YouTube's own "t" syntax).
TIME = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s?)?$")
YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com"}
SHORT_HOSTS = {"youtu.be"}
EMBED_BASE = "https://www.youtube-nocookie.com/embed/"


@dataclass(frozen=True)
class YouTubeVideo:
    video_id: str
    start: int = 0

    @property
    def embed_url(self) -> str:
        url = EMBED_BASE + self.video_id
        return f"{url}?start={self.start}" if self.start else url

    @property
    def watch_url(self) -> str:
        url = f"https://www.youtube.com/watch?v={self.video_id}"
        return f"{url}&t={self.start}s" if self.start else url

    @property
    def thumbnail_url(self) -> str:
        return f"https://i.ytimg.com/vi/{self.video_id}/hqdefault.jpg"


def parse_start(value: str) -> int | None:
    """Seconds from "90", "90s", "1m30s" or "1h2m3s"; None when unreadable."""
    value = (value or "").strip().lower()
    if not value:
        return 0
    match = TIME.match(value)
    if not match or not any(match.groupdict().values()):
        return None
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def parse_youtube(url: str) -> YouTubeVideo | None:
    """The video behind a YouTube address, or None when it is not one."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"}:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    query = parse_qs(parts.query)
    path = [p for p in parts.path.split("/") if p]
    video_id = None
    if host in SHORT_HOSTS and path:
        video_id = path[0]
    elif host in YOUTUBE_HOSTS:
        if path == ["watch"]:
            video_id = (query.get("v") or [""])[0]
        elif len(path) >= 2 and path[0] in {"embed", "live", "shorts", "v"}:
            video_id = path[1]
    if not video_id or not VIDEO_ID.match(video_id):
        return None
    raw_start = (query.get("t") or query.get("start") or [""])[0]
    # A fragment "#t=90" is also used when sharing.
    if not raw_start and parts.fragment.startswith("t="):
        raw_start = parts.fragment[2:]
    start = parse_start(raw_start)
    return YouTubeVideo(video_id=video_id, start=start or 0)


def validate_youtube_url(url: str) -> None:
    """Model and form validator: only YouTube videos may be embedded."""
    if not url:
        return
    if parse_youtube(url) is not None:
        return
    host = ""
    with contextlib.suppress(ValueError):
        host = (urlsplit(url.strip()).hostname or "").lower().removeprefix("www.")
    if host in YOUTUBE_HOSTS | SHORT_HOSTS:
        raise ValidationError(
            _(
                "Cette adresse YouTube ne désigne pas une vidéo. Copiez l'adresse de la vidéo "
                "elle-même, par exemple https://www.youtube.com/watch?v=… ou https://youtu.be/…"
            ),
            code="youtube_no_video",
        )
    raise ValidationError(
        _(
            "Seules les vidéos YouTube sont acceptées (une adresse youtube.com/watch?v=… "
            "ou youtu.be/…)."
        ),
        code="not_youtube",
    )
