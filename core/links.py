"""Absolute addresses, for what leaves the site (emails, calendar files, feeds)."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """The public address of a path of the site: SITE_URL + path (the one home of it)."""
    return settings.SITE_URL + path
