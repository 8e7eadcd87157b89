"""The flow from the issue: a newcomer signs up, confirms their email, takes a seat, cancels."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import RSVP, Diet
from members.models import User

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def test_newcomer_signs_up_confirms_rsvps_and_cancels(page, event):
    page.goto("/")
    page.get_by_role("link", name="Créer un compte", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Création de compte")
    page.get_by_label("Adresse e-mail").fill("alex@example.org")
    page.get_by_label("Nom affiché").fill("Alex Martin")
    page.get_by_label("Mot de passe*", exact=True).fill("un volcan endormi 63")
    page.get_by_label("Mot de passe (confirmation)").fill("un volcan endormi 63")
    page.get_by_label("J'ai lu et j'accepte le code de conduite de Clermont'ech").check()
    page.get_by_role("button", name="Création de compte").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez votre adresse e-mail")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex@example.org"]
    link = CONFIRM_LINK.search(message.body).group(0)

    page.goto(link)
    page.get_by_role("button", name="Confirmer").click()
    expect(page.locator(".messages")).to_contain_text("Vous avez confirmé alex@example.org.")

    page.goto("/")
    page.get_by_role("link", name=event.title).first.click()
    expect(page).to_have_url(re.compile(re.escape(event.get_absolute_url()) + "$"))
    seats = page.get_by_test_id("seats-left")
    expect(seats).to_have_text("50 places restantes sur 50")

    page.get_by_label("Végétarien", exact=True).check()
    page.get_by_role("button", name="Je m'inscris").click()

    expect(page.locator(".messages")).to_have_text("C'est noté : votre place est confirmée !")
    expect(seats).to_have_text("49 places restantes sur 50")
    expect(page.get_by_test_id("my-rsvp")).to_have_text("Votre place est confirmée.")
    alex = User.objects.get(email="alex@example.org")
    assert alex.display_name == "Alex Martin"
    rsvp = RSVP.objects.get(event=event, member=alex)
    assert (rsvp.status, rsvp.diet) == (RSVP.Status.CONFIRMED, Diet.VEGETARIAN)

    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Annuler mon inscription").click()

    expect(page.locator(".messages")).to_have_text(
        "Votre inscription est annulée. Merci d'avoir libéré la place !"
    )
    expect(seats).to_have_text("50 places restantes sur 50")
    assert dialogs == ["Annuler votre inscription ?"]
    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.CANCELLED
