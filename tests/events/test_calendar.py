"""Calendar files (.ics), the subscription calendar and the Atom feed, read back with
icalendar and xml.etree as a calendar application or a feed reader would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import RSVP, Event
from events.services import rsvp_cancel, rsvp_create
from talks.models import Talk
from tests.conftest import count_queries, text
from tests.factories import (
    EventFactory,
    RSVPFactory,
    SpeakerFactory,
    TalkFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
ATOM = "{http://www.w3.org/2005/Atom}"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def ics_url(event: Event) -> str:
    return reverse("events:ics", kwargs={"slug": event.slug})


def uid(event: Event) -> str:
    return f"event-{event.pk}@clermontech"


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents_by_uid(calendar: Calendar) -> dict:
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


def only_vevent(calendar: Calendar):
    (vevent,) = calendar.walk("VEVENT")
    return vevent


def last_sunday_of_october(year: int) -> date:
    day = date(year, 10, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def last_sunday_of_march(year: int) -> date:
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# One event's .ics --------------------------------------------------------------


def test_event_ics_holds_the_event_details(client):
    venue = VenueFactory(
        name="La Fabrique",
        address="9 rue Kessler\n\n63000 Clermont-Ferrand",
        latitude=Decimal("45.779000"),
        longitude=Decimal("3.087000"),
    )
    event = EventFactory(
        title="API Hour #90",
        slug="api-hour-90",
        number=90,
        venue=venue,
        starts_at=paris(2026, 10, 24, 19, 0),
        livestream_url="https://www.youtube.com/live/abc",
    )
    event.refresh_from_db()

    response = client.get(ics_url(event))

    assert response["Content-Disposition"] == 'attachment; filename="api-hour-90.ics"'
    calendar = parse(response)
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    vevent = only_vevent(calendar)
    assert str(vevent["UID"]) == f"event-{event.pk}@clermontech"
    assert str(vevent["SUMMARY"]) == "API Hour #90"
    assert str(vevent["URL"]) == settings.SITE_URL + "/events/api-hour-90/"
    assert str(vevent["LOCATION"]) == "La Fabrique, 9 rue Kessler, 63000 Clermont-Ferrand"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (45.779, 3.087)
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("DTSTART") == paris(2026, 10, 24, 19, 0)
    assert vevent.decoded("DTEND") == paris(2026, 10, 24, 21, 30)
    assert vevent.decoded("LAST-MODIFIED") == event.updated_at.replace(microsecond=0)
    assert abs(vevent.decoded("DTSTAMP") - timezone.now()) < timedelta(minutes=1)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    description = str(vevent["DESCRIPTION"])
    assert f"{settings.SITE_URL}/events/api-hour-90/" in description
    assert "https://www.youtube.com/live/abc" in description


def test_event_ics_description_lists_the_public_programme_in_order(client, event):
    ada, grace = SpeakerFactory(name="Ada Lovelace"), SpeakerFactory(name="Grace Hopper")
    TalkFactory(
        event=event,
        title="Le second talk",
        position=2,
        status=Talk.Status.CONFIRMED,
        format=Talk.Format.LONG,
        speakers=[grace],
    )
    TalkFactory(
        event=event,
        title="Le premier talk",
        position=1,
        status=Talk.Status.ACCEPTED,
        speakers=[ada, grace],
    )
    TalkFactory(event=event, title="Encore en relecture", position=3)  # submitted
    TalkFactory(event=event, title="Retiré", position=4, status=Talk.Status.WITHDRAWN)

    description = str(only_vevent(parse(client.get(ics_url(event))))["DESCRIPTION"])

    assert description.splitlines()[:3] == [
        "Programme :",
        "1. Le premier talk — Ada Lovelace et Grace Hopper (15 min)",
        "2. Le second talk — Grace Hopper (30 min)",
    ]
    assert "relecture" not in description
    assert "Retiré" not in description


def test_event_ics_of_a_cancelled_event_says_so(client):
    event = EventFactory(cancelled=True, venue=None)

    vevent = only_vevent(parse(client.get(ics_url(event))))

    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["DESCRIPTION"]).startswith("Cet événement est annulé.")
    assert "LOCATION" not in vevent and "GEO" not in vevent


@pytest.mark.parametrize(
    ("local", "instant"),
    [
        # Saturday before the end of summer time (25 October 2026): UTC+2.
        (paris(2026, 10, 24, 19, 0), utc(2026, 10, 24, 17, 0)),
        # Monday after it: UTC+1.
        (paris(2026, 10, 26, 19, 0), utc(2026, 10, 26, 18, 0)),
        # Saturday before summer time starts (29 March 2026): UTC+1.
        (paris(2026, 3, 28, 19, 0), utc(2026, 3, 28, 18, 0)),
        # Monday after it: UTC+2.
        (paris(2026, 3, 30, 19, 0), utc(2026, 3, 30, 17, 0)),
    ],
)
def test_event_ics_times_are_right_across_daylight_saving_changes(client, local, instant):
    event = EventFactory(starts_at=local)

    calendar = parse(client.get(ics_url(event)))

    vevent = only_vevent(calendar)
    assert vevent["DTSTART"].to_ical() == local.strftime("%Y%m%dT%H%M%S").encode()
    assert vevent.decoded("DTSTART").astimezone(UTC) == instant
    # The VTIMEZONE shipped in the file, read on its own, gives the same instant: a
    # client without its own time zone database puts the event at the right time.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    from_file = vtimezone.to_tz()
    naive = local.replace(tzinfo=None)
    assert naive.replace(tzinfo=from_file).astimezone(UTC) == instant


def test_event_ics_uid_is_stable_across_an_edit(client, event):
    before = only_vevent(parse(client.get(ics_url(event))))

    event.title = "API Hour spéciale"
    event.slug = "api-hour-speciale"
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.save()
    after = only_vevent(parse(client.get(ics_url(event))))

    assert str(after["UID"]) == str(before["UID"])
    assert str(after["SUMMARY"]) == "API Hour spéciale"
    assert after.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")


def test_event_ics_of_a_draft_is_for_organizers_only(client, member_client, organizer_client):
    draft = EventFactory(draft=True)

    assert client.get(ics_url(draft)).status_code == 404
    assert member_client.get(ics_url(draft)).status_code == 404
    assert str(only_vevent(parse(organizer_client.get(ics_url(draft))))["SUMMARY"]) == draft.title


def test_event_ics_of_an_unknown_event_is_404(client, db):
    assert client.get("/events/nothing-here.ics").status_code == 404


def test_old_calendar_address_redirects_permanently(client, event):
    response = client.get(f"/events/{event.slug}/calendar.ics")

    assert response.status_code == 301
    assert response["Location"] == f"/events/{event.slug}.ics"


# The subscription calendar ------------------------------------------------------


def test_calendar_feed_holds_upcoming_published_and_cancelled_events(client):
    published = EventFactory()
    cancelled = EventFactory(cancelled=True)
    draft = EventFactory(draft=True)
    past = EventFactory(past=True)

    response = client.get(reverse("events:calendar-feed"))

    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "public, max-age=3600"
    calendar = parse(response)
    assert str(calendar["X-WR-CALNAME"]) == "API Hours Clermont'ech"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(hours=6)
    assert str(calendar["X-PUBLISHED-TTL"].to_ical().decode()) == "PT6H"
    entries = vevents_by_uid(calendar)
    assert set(entries) == {uid(published), uid(cancelled)}
    assert str(entries[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(entries[uid(published)]["STATUS"]) == "CONFIRMED"
    assert uid(draft) not in entries
    assert uid(past) not in entries


def test_calendar_feed_is_a_valid_empty_calendar_without_events(client, db):
    calendar = parse(client.get(reverse("events:calendar-feed")))

    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "API Hours Clermont'ech"


def test_calendar_feed_times_are_right_around_next_daylight_saving_changes(client, db):
    year = timezone.now().year + 1
    autumn, spring = last_sunday_of_october(year), last_sunday_of_march(year)
    cases = [
        (autumn - timedelta(days=1), 17),  # Saturday, still summer time: 19:00 is 17:00 UTC
        (autumn + timedelta(days=1), 18),  # Monday, winter time: 19:00 is 18:00 UTC
        (spring - timedelta(days=1), 18),
        (spring + timedelta(days=1), 17),
    ]
    events = {
        EventFactory(starts_at=paris(day.year, day.month, day.day, 19, 0)).pk: (day, hour)
        for day, hour in cases
    }

    calendar = parse(client.get(reverse("events:calendar-feed")))

    (vtimezone,) = calendar.walk("VTIMEZONE")
    from_file = vtimezone.to_tz()
    for pk, (day, hour) in events.items():
        vevent = vevents_by_uid(calendar)[f"event-{pk}@clermontech"]
        expected = utc(day.year, day.month, day.day, hour, 0)
        assert vevent.decoded("DTSTART").astimezone(UTC) == expected
        local = datetime(day.year, day.month, day.day, 19, 0, tzinfo=from_file)
        assert local.astimezone(UTC) == expected


def _events_with_talks(n: int) -> None:
    for _ in range(n):
        event = EventFactory()
        for position in (1, 2):
            TalkFactory(
                event=event,
                position=position,
                status=Talk.Status.CONFIRMED,
                speakers=[SpeakerFactory(), SpeakerFactory()],
            )


def test_calendar_feed_query_count_does_not_grow_with_events_and_talks(client, db):
    url = reverse("events:calendar-feed")
    _events_with_talks(1)
    one = count_queries(client, url)

    _events_with_talks(9)
    ten = count_queries(client, url)

    assert len(parse(client.get(url)).walk("VEVENT")) == 10
    assert ten == one


# Atom feed ------------------------------------------------------------------------


def atom_entries(response) -> tuple[ET.Element, list[ET.Element]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own feed, built by Django)
    assert root.tag == f"{ATOM}feed"
    return root, root.findall(f"{ATOM}entry")


def test_atom_feed_lists_upcoming_published_events(client):
    year = timezone.now().year + 1
    saturday = last_sunday_of_october(year) - timedelta(days=1)
    venue = VenueFactory(name="La Fabrique", address="9 rue Kessler\n63000 Clermont-Ferrand")
    event = EventFactory(
        title="API Hour #99",
        venue=venue,
        starts_at=paris(saturday.year, saturday.month, saturday.day, 19, 0),
    )
    EventFactory(cancelled=True, title="Annulée")
    EventFactory(draft=True, title="Brouillon")
    EventFactory(past=True, title="Passée")
    event.refresh_from_db()

    root, entries = atom_entries(client.get(reverse("events:atom")))

    assert root.find(f"{ATOM}title").text == "API Hours Clermont'ech"
    assert [e.find(f"{ATOM}title").text for e in entries] == ["API Hour #99"]
    (entry,) = entries
    assert entry.find(f"{ATOM}link").get("href") == settings.SITE_URL + event.get_absolute_url()
    assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
    assert datetime.fromisoformat(entry.find(f"{ATOM}updated").text) == event.updated_at
    summary = entry.find(f"{ATOM}summary").text
    assert summary == (
        f"samedi {saturday.day} octobre {year}, de 19h00 à 21h30 "
        "— La Fabrique, 9 rue Kessler, 63000 Clermont-Ferrand"
    )


def test_atom_entry_id_is_stable_across_an_edit(client, event):
    url = reverse("events:atom")
    _, (before,) = atom_entries(client.get(url))

    event.title, event.slug = "Nouveau titre", "nouveau-titre"
    event.save()
    _, (after,) = atom_entries(client.get(url))

    assert after.find(f"{ATOM}id").text == before.find(f"{ATOM}id").text
    assert after.find(f"{ATOM}title").text == "Nouveau titre"


def test_atom_feed_query_count_does_not_grow(client, db):
    url = reverse("events:atom")
    _events_with_talks(1)
    one = count_queries(client, url)

    _events_with_talks(9)
    ten = count_queries(client, url)

    assert len(atom_entries(client.get(url))[1]) == 10
    assert ten == one


# Links on the pages ---------------------------------------------------------------


def test_event_page_links_to_its_ics_the_subscription_and_the_feed(client, event):
    page = text(client.get(event.get_absolute_url()))

    assert f'href="/events/{event.slug}.ics"' in page
    assert "Ajouter à mon agenda (.ics)" in page
    assert 'href="webcal://testserver/events/calendar.ics"' in page
    assert "S'abonner au calendrier" in page
    assert 'value="http://testserver/events/calendar.ics"' in page
    assert 'href="/events/feed.atom"' in page
    assert "Flux Atom" in page


def test_events_list_links_to_the_subscription_and_the_feed(client, db):
    page = text(client.get(reverse("events:list")))

    assert 'href="webcal://testserver/events/calendar.ics"' in page
    assert "Flux Atom" in page
    assert "Ajouter à mon agenda (.ics)" not in page


def test_every_page_announces_the_atom_feed_in_its_head(client, db):
    page = text(client.get(reverse("home")))
    head = page.split("</head>")[0]

    assert '<link rel="alternate" type="application/atom+xml" href="/events/feed.atom"' in head


# Emails -----------------------------------------------------------------------------


def _attached_vevent(message) -> object:
    (attachment,) = message.attachments
    filename, content, mimetype = attachment
    assert mimetype == "text/calendar"
    return filename, only_vevent(Calendar.from_ical(content))


def test_confirmation_email_carries_the_ticket_link_and_the_ics(
    event, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(event=event, member=member)

    (message,) = mail.outbox
    ticket_url = settings.SITE_URL + reverse("events:ticket", kwargs={"slug": event.slug})
    assert ticket_url in message.body
    filename, vevent = _attached_vevent(message)
    assert filename == f"{event.slug}.ics"
    assert str(vevent["UID"]) == f"event-{event.pk}@clermontech"


def test_promotion_email_carries_the_ticket_link_and_the_ics(
    member, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    first = RSVPFactory(event=event, status=RSVP.Status.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(event=event, member=member)
    assert "Liste d'attente" in mail.outbox[-1].subject
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        rsvp_cancel(rsvp=first)

    (message,) = [m for m in mail.outbox if m.to == [member.email]]
    assert "Une place s'est libérée" in message.subject
    assert settings.SITE_URL + f"/events/{event.slug}/ticket/" in message.body
    filename, vevent = _attached_vevent(message)
    assert str(vevent["UID"]) == f"event-{event.pk}@clermontech"


def test_waitlist_email_has_neither_ticket_nor_ics(member, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event, member=UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        rsvp_create(event=event, member=member)

    (message,) = mail.outbox
    assert "Liste d'attente" in message.subject
    assert "/ticket/" not in message.body
    assert message.attachments == []
