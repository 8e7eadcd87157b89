"""Before the evening, in a real browser: the organizer's cron sends "still coming?",
an attendee gives their seat away from the email without logging in, and the first
person on the waiting list gets it."""

from __future__ import annotations

import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from core.models import OutboxMessage
from events.models import RSVP, Diet
from events.reminders import RECONFIRM
from tests.browser.helpers import log_in
from tests.factories import PASSWORD, EventFactory, RSVPFactory, UserFactory

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
    reconfirmations = OutboxMessage.objects.filter(kind=RECONFIRM)
    assert reconfirmations.filter(status=OutboxMessage.Status.SENT).count() == 3


PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def test_the_evening_from_the_reminders_to_the_catering_and_the_show_rate(new_page, organizer):
    """The issue's demo: T-48h run, a seat given away from the email, the day's run,
    the door on a phone, then the catering estimate and the show rate."""
    # History: at the last evening, 3 of the 4 people holding a seat came.
    past = EventFactory(past=True, title="API Hour #99")
    for index in range(4):
        RSVPFactory(event=past, checked_in_at=past.starts_at if index < 3 else None)
    day = timezone.localdate() + timedelta(days=14)
    event = EventFactory(
        title="API Hour #100",
        capacity=4,
        starts_at=timezone.make_aware(datetime.combine(day, time(19))),
        ends_at=timezone.make_aware(datetime.combine(day, time(21, 30))),
        livestream_url="https://www.youtube.com/watch?v=live",
    )
    people = {}
    for name, diet, status in [
        ("Alix", Diet.VEGAN, RSVP.Status.CONFIRMED),
        ("Bea", Diet.NONE, RSVP.Status.CONFIRMED),
        ("Chris", Diet.NONE, RSVP.Status.CONFIRMED),
        ("Dana", Diet.NO_PORK, RSVP.Status.CONFIRMED),
        ("Noa", Diet.VEGAN, RSVP.Status.WAITLISTED),
        ("Ravi", Diet.NONE, RSVP.Status.WAITLISTED),
    ]:
        member = UserFactory(display_name=name, email=f"{name.lower()}@example.org")
        people[name] = RSVPFactory(event=event, member=member, diet=diet, status=status)

    # T-48h: "still coming?"; Dana gives her seat away, Noa gets it.
    call_command("send_event_mail", now=(event.starts_at - timedelta(hours=47)).isoformat(),
                 stdout=io.StringIO())  # fmt: skip
    dana_mail = next(m for m in mail.outbox if m.to == ["dana@example.org"])
    page = new_page()
    page.goto(_link(dana_mail, "Je ne peux pas venir, je libère ma place :"))
    page.get_by_role("button", name="Je ne peux pas venir : je libère ma place").click()
    expect(page.get_by_role("status")).to_contain_text("Votre place est libérée.")
    people["Noa"].refresh_from_db()
    assert people["Noa"].status == RSVP.Status.CONFIRMED

    # On the day: reminders to the four seats, the stream to Ravi, still waiting.
    mail.outbox = []
    call_command("send_event_mail", now=datetime.combine(day, time(10)).isoformat(),
                 stdout=io.StringIO())  # fmt: skip
    assert sorted(m.to[0] for m in mail.outbox if "C'est aujourd'hui" in m.subject) == [
        "alix@example.org", "bea@example.org", "chris@example.org", "noa@example.org"
    ]  # fmt: skip
    assert [m.to[0] for m in mail.outbox if "en direct" in m.subject] == ["ravi@example.org"]
    reminder = next(m for m in mail.outbox if m.to == ["alix@example.org"])
    assert "Rendez-vous à 19:00" in reminder.body and "9 rue Kessler" in reminder.body

    # At the door, on a phone: Alix by name, Noa by her ticket's QR code; Bea never comes.
    phone = new_page(**PHONE)
    phone.goto(f"/events/{event.slug}/checkin/")  # asks to log in, then comes back
    phone.get_by_label("Adresse e-mail").fill(organizer.email)
    phone.get_by_label("Mot de passe").fill(PASSWORD)
    phone.get_by_role("button", name="Connexion").click()
    phone.get_by_label("Chercher un nom ou un e-mail").fill("alix")
    phone.get_by_role("button", name="Chercher", exact=True).click()
    phone.get_by_role("button", name="Pointer Alix").click()
    expect(phone.locator(".messages")).to_have_text("Bienvenue ! Alix est pointé·e.")
    phone.goto(f"/events/billet/{people['Noa'].ticket_code}/")
    phone.get_by_role("button", name="Pointer").first.click()
    expect(phone.get_by_test_id("door-state")).to_have_text("Bienvenue ! Noa est pointé·e.")
    phone.goto(f"/events/{event.slug}/checkin/")
    phone.get_by_role("button", name="Pointer Chris").click()
    expect(phone.get_by_test_id("checked-in-count")).to_have_text("3")

    # The catering estimate before the evening: 4 seats x 75 %, rounded up per diet.
    admin = new_page()
    log_in(admin, email=organizer.email)
    admin.goto(f"/admin/events/event/{event.pk}/catering/")
    expect(admin.get_by_test_id("show-rate")).to_contain_text("Taux de présence retenu : 75 %")
    rows = admin.locator(".catering-table tbody tr")
    expect(rows.filter(has_text="Végétalien (vegan)")).to_have_text(re.compile(r"\s*2\s*2\s*"))
    expect(rows.filter(has_text="Pas de régime particulier")).to_have_text(
        re.compile(r"\s*2\s*2\s*")
    )
    expect(rows.filter(has_text="Total")).to_have_text(re.compile(r"Total\s*4\s*4"))

    # After the evening: 3 of 4 came, and Bea is a no-show on her RSVP.
    event.starts_at -= timedelta(days=15)
    event.ends_at -= timedelta(days=15)
    event.save()
    admin.goto(f"/admin/events/event/?q={event.number}")
    expect(admin.locator("td.field-show_rate")).to_have_text("75 % (3 / 4)")
    people["Bea"].refresh_from_db()
    assert people["Bea"].attendance == "no_show"
