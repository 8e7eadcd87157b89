"""iCalendar (.ics) files: one event (download, email attachment) or every upcoming
event (the calendar people subscribe to). Every VCALENDAR of the site is built here.

Times are written in Europe/Paris with a VTIMEZONE (TZID=Europe/Paris), so a calendar
shows 19:00 on both sides of a daylight-saving change. The UID depends only on the
event's primary key: editing an event updates the entry instead of duplicating it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, vDuration
from icalendar import Event as ICalEvent

from core.links import absolute_url

from .models import Event
from .programme import programmes

PRODID = "-//Clermont'ech//API Hours//FR"
CALENDAR_NAME = "API Hours Clermont'ech"
# How often subscribed clients should fetch the calendar again (REFRESH-INTERVAL,
# X-PUBLISHED-TTL); the view's Cache-Control stays below it.
REFRESH_INTERVAL = timedelta(hours=6)


def event_uid(event: Event) -> str:
    """Stable across edits (title, date, slug...): only the primary key is used."""
    return f"event-{event.pk}@clermontech"


def talk_line(talk) -> str:
    """ "1. Title — Speaker A et Speaker B (15 min)" without the number."""
    speakers = talk.speaker_names
    duration = _("%(minutes)d min") % {"minutes": talk.duration_minutes}
    if speakers:
        return f"{talk.title} — {speakers} ({duration})"
    return f"{talk.title} ({duration})"


def event_description(event: Event, talks: Sequence[object]) -> str:
    lines: list[str] = []
    if event.is_cancelled:
        lines += [_("Cet événement est annulé."), ""]
    if talks:
        lines.append(_("Programme :"))
        lines += [f"{n}. {talk_line(talk)}" for n, talk in enumerate(talks, start=1)]
        lines.append("")
    lines.append(_("Page de l'événement : %(url)s") % {"url": event_url(event)})
    if event.livestream_url:
        lines.append(_("Direct : %(url)s") % {"url": event.livestream_url})
    return "\n".join(lines)


def event_url(event: Event) -> str:
    return absolute_url(event.get_absolute_url())


def build_vevent(event: Event, talks: Sequence[object], *, stamp: datetime) -> ICalEvent:
    """One VEVENT. `talks`: the event's public talks in order (events.programme)."""
    entry = ICalEvent.new(
        uid=event_uid(event),
        summary=event.title,
        # Local Paris times: icalendar writes TZID=Europe/Paris and the calendar gets
        # the matching VTIMEZONE in build_calendar.
        start=timezone.localtime(event.starts_at),
        end=timezone.localtime(event.ends_at),
        stamp=stamp,
        last_modified=event.updated_at,
        url=event_url(event),
        description=event_description(event, talks),
    )
    if event.venue_id:
        venue = event.venue
        entry.add("location", f"{venue.name}, {venue.one_line_address}")
        if venue.latitude is not None and venue.longitude is not None:
            entry.add("geo", (float(venue.latitude), float(venue.longitude)))
    if event.is_cancelled:
        entry.add("status", "CANCELLED")
    else:
        entry.add("status", "CONFIRMED")
    return entry


def open_data_url() -> str | None:
    """The public API's list of upcoming events (api/, a higher app: reached by its URL
    name only), which the subscription calendar and the Atom feed point to; None when
    the API is not installed."""
    try:
        return absolute_url(reverse("api-v1:event_list") + "?when=upcoming")
    except NoReverseMatch:
        return None


def build_calendar(events: Iterable[Event], *, subscription: bool = False) -> Calendar:
    """A VCALENDAR holding `events` (venues should be select_related).

    subscription=True adds what a subscribed calendar needs: its name and how often
    clients should refresh it.
    """
    events = list(events)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    if subscription:
        calendar.add("name", CALENDAR_NAME)
        calendar.add("x-wr-calname", CALENDAR_NAME)
        calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
        api_url = open_data_url()
        if api_url:
            text = _("Les mêmes événements en données ouvertes (JSON) : %(url)s") % {"url": api_url}
            calendar.add("description", text)
            calendar.add("x-wr-caldesc", text)
    stamp = timezone.now()
    programme = programmes(events)
    for event in events:
        calendar.add_component(build_vevent(event, programme.get(event.pk, []), stamp=stamp))
    if events:
        # The VTIMEZONE of Europe/Paris, with its transitions over the years the
        # events span (one year of margin each side).
        first = min(timezone.localtime(e.starts_at) for e in events).year - 1
        last = max(timezone.localtime(e.ends_at) for e in events).year + 2
        calendar.add_missing_timezones(first_date=date(first, 1, 1), last_date=date(last, 1, 1))
    return calendar


def event_ics(event: Event) -> bytes:
    """The .ics of one event: the download and the attachment of the seat emails."""
    return build_calendar([event]).to_ical()


def calendar_feed_events():
    """What the subscription calendar holds: upcoming events that are published, or
    cancelled (so that subscribers' calendars mark them cancelled), never drafts."""
    return Event.objects.public().upcoming().select_related("venue")


def calendar_feed_ics() -> bytes:
    return build_calendar(calendar_feed_events(), subscription=True).to_ical()
