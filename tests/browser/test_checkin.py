"""The door on a phone: log in, search, check in, double check-in, walk-in."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import RSVP
from tests.factories import PASSWORD, EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def test_organizer_runs_the_door_from_a_phone(new_page, organizer):
    event = EventFactory(title="API Hour du jour", capacity=3)
    ines = RSVPFactory(event=event, member=UserFactory(display_name="Inès Martin"))
    RSVPFactory(event=event, member=UserFactory(display_name="Bastien Roux"))
    page = new_page(**PHONE)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The camera app or a bookmark opens the door page: log in, then back to it.
    page.goto(f"/events/{event.slug}/checkin/")
    page.get_by_label("Adresse e-mail").fill(organizer.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Entrée — API Hour du jour")).to_be_visible()
    expect(page.get_by_test_id("confirmed-count")).to_have_text("2")
    expect(page.get_by_test_id("seats-left-count")).to_have_text("1")

    page.get_by_label("Chercher un nom ou un e-mail").fill("martin")
    page.get_by_role("button", name="Chercher", exact=True).click()
    expect(page.get_by_test_id("attendee")).to_have_count(1)
    page.get_by_role("button", name="Pointer Inès Martin").click()

    expect(page.locator(".messages")).to_have_text("Bienvenue ! Inès Martin est pointé·e.")
    assert "q=martin" in page.url
    expect(page.get_by_test_id("checked-in-count")).to_have_text("1")
    expect(page.get_by_test_id("attendee")).to_contain_text("Pointé·e à")
    ines.refresh_from_db()
    at = timezone.localtime(ines.checked_in_at).strftime("%H:%M")

    # A second try (the code typed from the ticket) says so and changes nothing.
    page.get_by_label("Code du billet").fill(ines.ticket_code)
    page.get_by_role("button", name="Pointer ce billet").click()
    expect(page.locator(".messages")).to_have_text(f"Inès Martin est déjà pointé·e (à {at}).")

    # Someone without an RSVP turns up: the last seat is theirs.
    page.get_by_label("Nom", exact=True).fill("Paul Durand")
    page.get_by_role("button", name="Ajouter et pointer").click()
    expect(page.locator(".messages")).to_have_text(
        "Paul Durand est ajouté·e sur place et pointé·e."
    )
    expect(page.get_by_test_id("seats-left-count")).to_have_text("0")
    expect(
        page.get_by_text("Complet : plus aucune place, personne ne peut être ajouté.")
    ).to_be_visible()
    walk_in = RSVP.objects.get(event=event, walk_in=True)
    assert walk_in.member.display_name == "Paul Durand"
    assert walk_in.checked_in_at is not None

    # Made for a 375 px screen: nothing wider than the phone, no CSP or script error.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert errors == []
