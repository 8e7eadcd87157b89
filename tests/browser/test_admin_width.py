"""Organizers use 1280 px laptops: the event list and the RSVP list fit without
scrolling sideways, with realistic data (long names, a waiting list, check-ins)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import RSVP, Diet, Venue
from tests.browser.steps import admin_log_in
from tests.factories import PASSWORD, EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.browser

WIDTH = """() => {
  const doc = document.documentElement;
  const results = document.querySelector('#changelist .results');
  return {
    page: [doc.scrollWidth, doc.clientWidth],
    table: [results.scrollWidth, results.clientWidth],
  };
}"""


@pytest.fixture
def busy_evenings():
    venue = Venue.objects.create(
        name="Université Clermont Auvergne — Pôle Commun", address="Clermont-Ferrand"
    )
    full = EventFactory(capacity=2, venue=venue, title="API Hour #80 : les API en production")
    past = EventFactory(past=True, venue=venue)
    for i in range(3):
        person = UserFactory(display_name=f"Marie-Charlotte de La Tour d'Auvergne {i}")
        RSVPFactory(
            event=full,
            member=person,
            status=RSVP.Status.CONFIRMED if i < 2 else RSVP.Status.WAITLISTED,
            diet=Diet.OTHER,
            diet_notes="Allergie aux fruits à coque",
            reconfirmed_at=timezone.now(),
        )
        RSVPFactory(
            event=past,
            member=person,
            checked_in_at=past.starts_at + timedelta(minutes=5),
            walk_in=i == 2,
        )
    return full


@pytest.mark.parametrize("path", ["/admin/events/event/", "/admin/events/rsvp/"])
def test_admin_lists_fit_a_1280_px_laptop(page, organizer, busy_evenings, path):
    admin_log_in(page, email=organizer.email, password=PASSWORD)

    page.goto(path)

    widths = page.evaluate(WIDTH)
    assert widths["page"][0] <= widths["page"][1], widths
    assert widths["table"][0] <= widths["table"][1], widths
    # Every column is there, nothing hidden to make it fit.
    headers = page.locator("#result_list thead th").all_inner_texts()
    if path.endswith("/event/"):
        assert [h.strip().lower() for h in headers[1:]] == [
            "titre", "date", "lieu", "statut", "places", "attente", "présence", "outils"
        ]  # fmt: skip
    else:
        assert [h.strip().lower() for h in headers[1:]] == [
            "membre", "événement", "statut", "régime alimentaire", "inscrit le", "reconfirmé",
            "arrivée", "sur place", "nouveau venu",
        ]  # fmt: skip
