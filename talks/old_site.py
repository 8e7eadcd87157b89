"""The old site's addresses (the Jekyll site at OLD_SITE_URL) and the pages that replace
them: the imported posts (ImportedPost.old_path, written by the importer from Jekyll's
permalink) and a few fixed pages. Used by the redirects (talks/views_old_site.py) and by
the importer, which points the archive's own links to our pages."""

from __future__ import annotations

import re
from functools import reduce
from operator import or_

from django.db.models import Q
from django.urls import reverse

from events.models import Event

from .models import ImportedPost

# Pages of the old site that were not posts, by key (see old_key) -> our URL name.
FIXED_PAGES = {
    "code-of-conduct": "code-of-conduct",
    "api-hours/wishlist": "talks:wishlist",
    "atom.xml": "events:atom",
    "feed.xml": "events:atom",
    "api-hours": "events:list",
    "api-hours/index": "events:list",
    "talks": "talks:list",
    "talks/index": "talks:list",
    "index": "home",
}
OLD_EVENT = re.compile(r"^api-hours/api-hours?-(?P<n>\d+)$")


def old_key(path: str) -> str:
    """What identifies an old address, whatever its spelling: "/API-Hours/api-hour-10.html",
    "/api-hours/api-hour-10", "api-hours/api-hour-10/" -> "api-hours/api-hour-10"."""
    key = path.strip().split("?")[0].split("#")[0].strip("/").lower()
    key = re.sub(r"/{2,}", "/", key)
    return key.removesuffix(".html").removesuffix("/index").rstrip("/") or "index"


def fixed_page(path: str) -> str | None:
    name = FIXED_PAGES.get(old_key(path))
    return reverse(name) if name else None


def new_address(path: str) -> str | None:
    """Where an old address leads now, or None (a page we have no record of)."""
    if len(path) > 250 or any(ord(c) < 32 for c in path):
        return None  # no old page looks like this (and PostgreSQL refuses NUL characters)
    page = fixed_page(path)
    if page:
        return page
    key = old_key(path)
    spellings = [f"/{key}.html", f"/{key}/", f"/{key}", f"/{key}/index.html"]
    records = (
        ImportedPost.objects.filter(reduce(or_, [Q(old_path__iexact=s) for s in spellings]))
        .select_related("event", "talk")
        .order_by("pk")
    )
    for record in records:
        target = record.event or record.talk
        if target is not None:
            return target.get_absolute_url()
    event = OLD_EVENT.match(key)
    if event:  # an API Hour entered by hand, never imported
        found = Event.objects.filter(number=int(event["n"])).first()
        return found.get_absolute_url() if found else None
    return None
