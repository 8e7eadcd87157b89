"""The Site row of django.contrib.sites (its name greets people in allauth's emails,
its domain builds their links) follows the settings SITE_NAME and SITE_URL: copied after
every migrate, so "example.com" never reaches anyone."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS


def site_sync(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create or update the Site of SITE_ID from the settings. Idempotent."""
    from django.contrib.sites.models import Site

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"name": settings.SITE_NAME, "domain": urlsplit(settings.SITE_URL).netloc},
    )
    Site.objects.clear_cache()


def site_sync_after_migrate(sender, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver (core.apps)."""
    site_sync(using=using)
