"""A visitor adds an event to their calendar from its page, and finds the subscription."""

from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_visitor_downloads_the_event_ics_and_finds_the_subscription(page, console_errors, event):
    page.goto(event.get_absolute_url())

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"{event.slug}.ics"
    (vevent,) = Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.pk}@clermontech"

    host = page.url.split("://", 1)[1].split("/", 1)[0]
    expect(page.get_by_role("link", name="S'abonner au calendrier")).to_have_attribute(
        "href", f"webcal://{host}/events/calendar.ics"
    )
    expect(page.get_by_label("Ou copiez cette adresse", exact=False)).to_have_value(
        f"http://{host}/events/calendar.ics"
    )
    page.get_by_role("link", name="Flux Atom").click()
    assert page.url.endswith("/events/feed.atom")
    assert console_errors == []
