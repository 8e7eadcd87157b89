"""iCalendar (.ics) files, so an event lands in the attendee's calendar."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as ICalEvent

from .models import Event


def event_ics(event: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Clermont'ech//API Hours//FR")
    calendar.add("version", "2.0")
    entry = ICalEvent()
    entry.add("uid", f"event-{event.pk}@clermontech")
    entry.add("summary", event.title)
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("dtstamp", timezone.now())
    entry.add("url", settings.SITE_URL + event.get_absolute_url())
    if event.venue:
        one_line = ", ".join(p.strip() for p in event.venue.address.splitlines() if p.strip())
        entry.add("location", f"{event.venue.name}, {one_line}")
    if event.status == Event.Status.CANCELLED:
        entry.add("status", "CANCELLED")
    calendar.add_component(entry)
    return calendar.to_ical()
