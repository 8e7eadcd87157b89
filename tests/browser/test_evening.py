"""Before the evening, in a real browser: the organizer's cron sends "still coming?",
an attendee gives their seat away from the email without logging in, and the first
person on the waiting list gets it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from events.models import RSVP, EventMail
from tests.browser.helpers import log_in
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.browser


def _link(message, label: str) -> str:
    """The URL printed after `label` in a plain-text email, as a path."""
    match = re.search(re.escape(label) + r"\s+(http://\S+)", message.body)
    assert match, message.body
    return "/" + match.group(1).split("/", 3)[3]


def test_an_attendee_gives_their_seat_away_from_the_email(new_page):
    event = EventFactory(capacity=2, livestream_url="https://www.youtube.com/watch?v=live")
    leaving = RSVPFactory(
        event=event, member=UserFactory(display_name="Alix", email="alix@example.org")
    )
    staying = RSVPFactory(event=event, member=UserFactory(email="sam@example.org"))
    waiting = RSVPFactory(
        event=event,
        member=UserFactory(display_name="Noa", email="noa@example.org"),
        status=RSVP.Status.WAITLISTED,
    )

    call_command(
        "send_event_mail",
        now=(event.starts_at - timedelta(hours=47)).isoformat(),
        stdout=io.StringIO(),
    )
    asked = {m.to[0]: m for m in mail.outbox}
    assert set(asked) == {"alix@example.org", "sam@example.org"}
    mail.outbox = []

    # Sam answers yes.
    page = new_page()
    page.goto(_link(asked["sam@example.org"], "Oui, je viens :"))
    page.get_by_role("button", name="Oui, je viens").click()
    expect(page.get_by_role("status")).to_contain_text("c'est noté, vous venez")
    staying.refresh_from_db()
    assert staying.reconfirmed_at is not None

    # Alix cannot come: one click in the email, one button, logged out.
    page = new_page()
    page.goto(_link(asked["alix@example.org"], "Je ne peux pas venir, je libère ma place :"))
    expect(page.get_by_role("heading", name=event.title)).to_be_visible()
    page.get_by_role("button", name="Je ne peux pas venir : je libère ma place").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Votre place est libérée. Merci d'avoir prévenu ! La personne suivante de la liste "
        "d'attente vient de la recevoir."
    )

    leaving.refresh_from_db()
    waiting.refresh_from_db()
    assert leaving.status == RSVP.Status.CANCELLED
    assert waiting.status == RSVP.Status.CONFIRMED
    (promoted,) = mail.outbox
    assert promoted.to == ["noa@example.org"]

    # The link cannot be used twice.
    page.reload()
    expect(page.get_by_role("alert")).to_have_text(
        "Cette inscription est annulée : ce lien ne sert plus."
    )

    # Noa sees her seat; the next run asks her too, and only her.
    page = new_page()
    log_in(page, email="noa@example.org")
    page.goto(event.get_absolute_url())
    expect(page.get_by_test_id("my-rsvp")).to_have_text("Votre place est confirmée.")
    mail.outbox = []
    call_command(
        "send_event_mail",
        now=(event.starts_at - timedelta(hours=46)).isoformat(),
        stdout=io.StringIO(),
    )
    assert [m.to for m in mail.outbox] == [["noa@example.org"]]
    assert EventMail.objects.filter(status=EventMail.Status.SENT).count() == 3
