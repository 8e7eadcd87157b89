"""{% calendar_links %}: the links to add events to a calendar or follow them (events pages)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from events.models import Event

register = template.Library()


@register.inclusion_tag("events/_calendar_links.html", takes_context=True)
def calendar_links(context, event: Event | None = None) -> dict:
    """With an event: its .ics too. The subscription addresses follow the address the page
    was served on (https in production, the dev server's port locally)."""
    request = context["request"]
    feed_url = request.build_absolute_uri(reverse("events:calendar-feed"))
    return {
        "event": event,
        "ics_url": reverse("events:ics", kwargs={"slug": event.slug}) if event else "",
        "feed_url": feed_url,
        # webcal:// asks the operating system to subscribe in its calendar application.
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        "atom_url": reverse("events:atom"),
    }
