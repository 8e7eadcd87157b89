"""Social preview tags (Open Graph, Twitter card) of a page: what a shared link shows."""

from __future__ import annotations

import html

from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

from core.links import absolute_url

register = template.Library()

DESCRIPTION_WORDS = 40


def _absolute(address: str) -> str:
    """An address as the rest of the web needs it: absolute (SITE_URL + path)."""
    if address.startswith(("http://", "https://")):
        return address  # already absolute (a file on an external storage)
    return absolute_url(address)


@register.inclusion_tag("_social_meta.html")
def social_meta(
    *, title: str, path: str, description="", lead: str = "", image=None, kind: str = "website"
):
    """{% social_meta title=... path=... description=... image=... kind=... %}.

    ``description`` may be HTML (rendered Markdown): it is reduced to its first words of
    text, after ``lead`` (a date and a place, say). ``image`` is an image field's file
    (or empty); ``kind`` is the og:type.
    """
    text = " ".join(html.unescape(strip_tags(str(description))).split())
    text = Truncator(text).words(DESCRIPTION_WORDS)
    if lead:
        text = f"{lead} — {text}" if text else str(lead)
    return {
        "title": title,
        "description": text,
        "url": _absolute(path),
        "image": _absolute(image.url) if image else "",
        "kind": kind,
    }
