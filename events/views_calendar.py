"""Calendar files and feeds: one event's .ics, the subscription calendar, the Atom feed."""

from __future__ import annotations

import uuid

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control

from core.links import absolute_url

from .calendar import (
    CALENDAR_NAME,
    REFRESH_INTERVAL,
    calendar_feed_ics,
    event_ics,
    open_data_url,
)
from .models import Event
from .views import get_event_or_404

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_ics_view(request: HttpRequest, slug: str) -> HttpResponse:
    """/events/<slug>.ics: the same visibility as the event page (drafts for staff only)."""
    event = get_event_or_404(request, slug)
    response = HttpResponse(event_ics(event), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def event_calendar_legacy(request: HttpRequest, slug: str) -> HttpResponse:
    """The first address of the .ics (/events/<slug>/calendar.ics), kept for old links."""
    return redirect("events:ics", slug=slug, permanent=True)


# Public and identical for everyone: shared caches may keep it for a while, well
# below the refresh interval announced to calendar clients.
@cache_control(public=True, max_age=int(REFRESH_INTERVAL.total_seconds()) // 6)
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """/events/calendar.ics: every upcoming public event, to subscribe to (served inline)."""
    response = HttpResponse(calendar_feed_ics(), content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="api-hours-clermontech.ics"'
    return response


def event_summary(event: Event) -> str:
    """When and where, one line: "samedi 24 octobre 2026, de 19h00 à 21h30 — Salle, adresse"."""
    starts_at = timezone.localtime(event.starts_at)
    ends_at = timezone.localtime(event.ends_at)
    when = _("%(day)s, de %(start)s à %(end)s") % {
        "day": date_format(starts_at, "l j F Y"),
        "start": date_format(starts_at, _("H\\hi")),
        "end": date_format(ends_at, _("H\\hi")),
    }
    if event.venue_id:
        return f"{when} — {event.venue.name}, {event.venue.one_line_address}"
    return when


class AtomWithOpenData(Atom1Feed):
    """Atom, plus a link to the same events in the public API (rel="alternate" with the
    JSON type: feed readers ignore it, scripts find the open data)."""

    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)
        api_url = open_data_url()
        if api_url:
            handler.addQuickElement(
                "link", "", {"rel": "alternate", "type": "application/json", "href": api_url}
            )


class UpcomingEventsFeed(Feed):
    """/events/feed.atom: upcoming published events."""

    feed_type = AtomWithOpenData
    title = CALENDAR_NAME
    subtitle = gettext_lazy("Les prochaines API Hours de Clermont'ech.")
    author_name = "Clermont'ech"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=3600"
        return response

    def link(self) -> str:
        return absolute_url(reverse("events:list"))

    def feed_url(self) -> str:
        return absolute_url(reverse("events:atom"))

    def feed_guid(self) -> str:
        return self.feed_url()

    def items(self):
        return Event.objects.published().upcoming().select_related("venue")

    def item_title(self, item: Event) -> str:
        return item.title

    def item_link(self, item: Event) -> str:
        return absolute_url(item.get_absolute_url())

    def item_description(self, item: Event) -> str:
        # Atom's <summary type="html">: plain text must be escaped to read as written.
        return escape(event_summary(item))

    def item_guid(self, item: Event) -> str:
        # Stable whatever is edited (the slug included): derived from the primary key.
        return uuid.uuid5(uuid.NAMESPACE_URL, absolute_url(f"/events/{item.pk}")).urn

    item_guid_is_permalink = False

    def item_pubdate(self, item: Event):
        return item.created_at

    def item_updateddate(self, item: Event):
        return item.updated_at


atom_feed = UpcomingEventsFeed()
