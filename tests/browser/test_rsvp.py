"""A logged-in member on the event page: waiting list, diet errors, unverified email, no JS."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import RSVP
from events.services import rsvp_cancel, rsvp_create
from tests.browser.helpers import log_in, log_in_with_cookie
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.browser


def test_waitlist_member_joins_then_gets_the_freed_seat(page, member):
    event = EventFactory(capacity=1)
    first = rsvp_create(event=event, member=UserFactory()).rsvp
    log_in(page, email=member.email)

    page.goto(event.get_absolute_url())
    seats = page.get_by_test_id("seats-left")
    expect(seats).to_have_text("Complet")
    page.get_by_role("button", name="Rejoindre la liste d'attente").click()

    expect(page.locator(".messages")).to_have_text(
        "L'événement est complet : vous êtes sur la liste d'attente, en position 1."
    )
    expect(page.get_by_test_id("my-rsvp")).to_have_text(
        "Vous êtes sur la liste d'attente, en position 1. Si une place se libère, elle vous "
        "sera attribuée automatiquement et vous serez prévenu·e par e-mail."
    )
    expect(page.get_by_text("1 personne en liste d'attente", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Quitter la liste d'attente")).to_be_visible()

    mail.outbox = []
    rsvp_cancel(rsvp=first)
    page.reload()

    expect(page.get_by_test_id("my-rsvp")).to_have_text("Votre place est confirmée.")
    expect(seats).to_have_text("Complet")
    expect(page.get_by_role("button", name="Annuler mon inscription")).to_be_visible()
    assert RSVP.objects.get(event=event, member=member).status == RSVP.Status.CONFIRMED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert mail.outbox[0].subject == f"[Clermont'ech] Une place s'est libérée : {event.title}"


def test_diet_other_without_notes_shows_the_error_and_writes_nothing(page, member, event):
    log_in(page, email=member.email)
    page.goto(event.get_absolute_url())
    notes = page.get_by_label("Précisions (allergies, autre régime)")
    expect(notes).to_be_hidden()  # site.js shows it only for "Autre"

    page.get_by_label("Autre (allergies, précisez)").check()
    expect(notes).to_be_visible()
    page.get_by_role("button", name="Je m'inscris").click()

    expect(page.locator(".messages")).to_have_text(
        "Votre inscription n'a pas été enregistrée : voir ci-dessous."
    )
    expect(page.locator("#diet-notes-error")).to_have_text(
        "Précisez votre régime ou vos allergies."
    )
    expect(notes).to_be_visible()
    expect(page.get_by_label("Autre (allergies, précisez)")).to_be_checked()
    expect(page.get_by_test_id("seats-left")).to_have_text("50 places restantes sur 50")
    assert RSVP.objects.count() == 0
    assert mail.outbox == []


def test_unverified_member_is_asked_to_confirm_email_and_has_no_rsvp_button(
    page, live_server, event
):
    # allauth's mandatory verification keeps an unverified member out of the login
    # form, so the session is opened directly (as after a social login, say).
    unverified = UserFactory(verified=False)
    log_in_with_cookie(page, unverified, live_server)

    page.goto(event.get_absolute_url())

    # Logged in: their name heads the user menu of the top bar.
    expect(page.locator(".user-menu summary")).to_have_text(unverified.display_name)
    expect(page.locator(".alert-info")).to_have_text(
        "Confirmez votre adresse e-mail pour vous inscrire : le lien est dans le message reçu "
        "à la création du compte. Renvoyer le message"
    )
    expect(page.get_by_role("link", name="Renvoyer le message")).to_have_attribute(
        "href", "/accounts/email/"
    )
    expect(page.get_by_role("button", name="Je m'inscris")).to_have_count(0)
    expect(page.get_by_role("button", name="Rejoindre la liste d'attente")).to_have_count(0)
    expect(page.get_by_test_id("seats-left")).to_have_text("50 places restantes sur 50")


def test_rsvp_and_cancel_work_without_javascript(new_page, member, event):
    page = new_page(java_script_enabled=False)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, email=member.email)

    page.goto(event.get_absolute_url())
    seats = page.get_by_test_id("seats-left")
    # Without site.js the diet notes field is simply always shown.
    expect(page.get_by_label("Précisions (allergies, autre régime)")).to_be_visible()
    page.get_by_label("Sans porc").check()
    page.get_by_role("button", name="Je m'inscris").click()

    expect(page.locator(".messages")).to_have_text("C'est noté : votre place est confirmée !")
    expect(seats).to_have_text("49 places restantes sur 50")
    assert RSVP.objects.get(event=event, member=member).diet == "no_pork"

    page.get_by_role("button", name="Annuler mon inscription").click()

    expect(page.locator(".messages")).to_have_text(
        "Votre inscription est annulée. Merci d'avoir libéré la place !"
    )
    expect(seats).to_have_text("50 places restantes sur 50")
    assert RSVP.objects.get(event=event, member=member).status == RSVP.Status.CANCELLED
    assert dialogs == []
