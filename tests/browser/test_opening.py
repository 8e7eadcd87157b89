"""The opening of the registrations in a real browser (issue 13): the countdown runs from
a static script (no inline script, no CSP violation), reaches zero, and the RSVP form
appears; without JavaScript the page says when, in words."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import RSVP, Event
from tests.browser.helpers import log_in
from tests.factories import EventFactory

pytestmark = pytest.mark.browser


def test_the_countdown_reaches_zero_and_the_rsvp_form_appears(page, console_errors, member):
    event = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
    log_in(page, email=member.email)
    # Opens in a few seconds, on the server's clock.
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=timezone.now() + timedelta(seconds=5)
    )

    page.goto(event.get_absolute_url())

    expect(page.get_by_test_id("registration-state")).to_contain_text("Les inscriptions ouvrent le")
    countdown = page.locator("[data-countdown]")
    expect(countdown).to_be_visible()
    expect(countdown).to_contain_text("Ouverture dans 00:00:0")
    expect(page.get_by_test_id("countdown-live")).to_have_text(
        "Ouverture des inscriptions dans moins d’une minute."
    )
    expect(page.get_by_role("button", name="Prévenez-moi à l'ouverture")).to_be_visible()
    expect(page.get_by_role("button", name="Je m'inscris")).to_be_hidden()

    # Zero: the form appears where the countdown was.
    expect(page.get_by_role("button", name="Je m'inscris")).to_be_visible(timeout=15_000)
    expect(countdown).to_be_hidden()
    expect(page.get_by_test_id("registration-state")).to_be_hidden()  # no stale "ouvrent le"
    expect(page.get_by_test_id("countdown-live")).to_have_text("Les inscriptions sont ouvertes.")
    expect(page.get_by_role("button", name="Prévenez-moi à l'ouverture")).to_be_hidden()
    page.get_by_role("button", name="Je m'inscris").click()

    expect(page.locator(".messages")).to_have_text("C'est noté : votre place est confirmée !")
    assert RSVP.objects.get(event=event, member=member).status == RSVP.Status.CONFIRMED
    assert console_errors == []


def test_the_alert_is_one_click_and_undone_by_another(page, console_errors, member):
    event = EventFactory(registration_opens_at=timezone.now() + timedelta(days=2))
    log_in(page, email=member.email)
    page.goto(event.get_absolute_url())

    page.get_by_role("button", name="Prévenez-moi à l'ouverture").click()
    expect(page.get_by_test_id("opening-alert")).to_have_text(
        f"Vous recevrez un e-mail à {member.email} dès l'ouverture."
    )
    page.get_by_role("button", name="Ne plus me prévenir").click()

    expect(page.locator(".messages")).to_have_text(
        "C'est annulé : vous ne recevrez pas d'e-mail à l'ouverture."
    )
    expect(page.get_by_role("button", name="Prévenez-moi à l'ouverture")).to_be_visible()
    assert console_errors == []


def test_without_javascript_the_page_says_when_and_hides_the_form(new_page, member):
    event = EventFactory(registration_opens_at=timezone.now() + timedelta(days=2))
    page = new_page(java_script_enabled=False)
    log_in(page, email=member.email)

    page.goto(event.get_absolute_url())

    expect(page.get_by_test_id("registration-state")).to_have_text(
        f"Les inscriptions ouvrent le {event.opening_words}."
    )
    expect(page.locator("[data-countdown]")).to_be_hidden()
    expect(page.get_by_role("button", name="Je m'inscris")).to_be_hidden()
    expect(page.get_by_role("button", name="Prévenez-moi à l'ouverture")).to_be_visible()
