"""The organizer's side: the event list in the admin and the catering page."""

import pytest
from playwright.sync_api import expect

from events.models import Diet
from events.services import rsvp_create
from tests.browser.steps import admin_log_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def test_organizer_sees_seats_column_and_catering_counts(page, organizer, event):
    rsvp_create(event=event, member=UserFactory(), diet=Diet.VEGETARIAN)

    admin_log_in(page, email=organizer.email, password=PASSWORD)

    # The "Événements" model in the "Événements" app (both are links of that name).
    page.locator("#events-event").get_by_role("link", name="Événements").click()
    expect(page.locator("#result_list thead th.column-seats")).to_have_text("Places")
    row = page.locator("#result_list tbody tr").filter(has_text=event.title)
    expect(row.locator("td.field-seats")).to_have_text("1 / 50")
    expect(row.locator("td.field-waitlist")).to_have_text("0")

    row.get_by_role("link", name="traiteur").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Traiteur : {event.title}")
    expect(page.locator("#content")).to_contain_text(
        "1 place confirmée sur 50. Les personnes en liste d'attente ne sont pas comptées."
    )
    table = page.locator("#content table")
    expect(table).to_be_visible()
    cells = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))"
    )
    assert cells == [  # confirmed, expected (80 % by default without history, rounded up)
        ["Pas de régime particulier", "0", "0"],
        ["Végétarien", "1", "1"],
        ["Végétalien (vegan)", "0", "0"],
        ["Sans porc", "0", "0"],
        ["Autre (allergies, précisez)", "0", "0"],
        ["Total", "1", "1"],
    ]
