"""The opening of the registrations (issue 13): the page says when, in words, with a
countdown (static JS); members ask to be emailed at the opening and get one email, at
the first run of `send_event_mail` at or after it; nobody gets a seat a second early."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from events.models import RSVP, Event, OpeningAlert
from events.opening import OPENING_ALERT, opening_alert_subscribe, opening_alerts_queue
from events.services import RSVPError, rsvp_create
from tests.conftest import text
from tests.factories import EventFactory, UserFactory

pytestmark = pytest.mark.django_db

# Tuesday 2 March 2027, noon in Clermont-Ferrand.
OPENS = timezone.make_aware(datetime(2027, 3, 2, 12, 0))


def not_yet_open(**kwargs) -> Event:
    starts = timezone.make_aware(datetime(2027, 3, 16, 19, 0))
    defaults = {
        "registration_opens_at": OPENS,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
    }
    return EventFactory(**{**defaults, **kwargs})


def opens_now(event: Event, delta: timedelta = timedelta(seconds=-1)) -> None:
    """Move the opening to now + delta (the clock stays the server's)."""
    Event.objects.filter(pk=event.pk).update(registration_opens_at=timezone.now() + delta)


def run_command() -> str:
    out = io.StringIO()
    call_command("send_event_mail", stdout=out)
    return out.getvalue()


# --- The page before the opening ------------------------------------------------------


def test_the_page_says_when_registrations_open_in_french(client):
    event = not_yet_open()

    page = text(client.get(event.get_absolute_url()))

    assert "Les inscriptions ouvrent le mardi 2 mars à 12 h 00." in page
    assert "Se connecter pour être prévenu·e à l'ouverture" in page


def test_the_page_says_when_registrations_open_in_english(client):
    event = not_yet_open()

    page = text(client.get(event.get_absolute_url(), headers={"accept-language": "en"}))

    assert "Registration opens on Tuesday, March 2 at 12:00." in page
    assert "Log in to be emailed at the opening" in page


def test_the_countdown_is_a_static_script_fed_by_data_attributes(member_client):
    event = not_yet_open()

    response = member_client.get(event.get_absolute_url())
    page = response.content.decode()

    assert f'data-opens-at="{int(OPENS.timestamp() * 1000)}"' in page
    now_ms = int(re.search(r'data-now="(\d+)"', page).group(1))
    assert abs(now_ms - timezone.now().timestamp() * 1000) < 60_000
    assert 'aria-live="polite"' in page
    assert re.search(r'<script src="/static/js/opening\.[0-9a-f.]*js" defer>', page) or (
        '<script src="/static/js/opening.js" defer>' in page
    )
    # No inline script: every <script> has a src.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    # The RSVP form is on the page, hidden until the opening (the script shows it).
    ready = page.split("data-opening-ready hidden", 1)[1]
    assert reverse("events:rsvp", args=[event.slug]) in ready


# --- Nobody gets a seat a second before the opening -----------------------------------


def test_a_post_one_second_before_the_opening_is_refused_with_a_message(member_client, member):
    event = not_yet_open()
    opens_now(event, timedelta(seconds=1))

    response = member_client.post(
        reverse("events:rsvp", args=[event.slug]), {"diet": "none"}, follow=True
    )

    assert "Les inscriptions ne sont pas encore ouvertes : elles ouvrent le" in text(response)
    assert "Rien n'a été enregistré." in text(response)
    assert RSVP.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_the_check_is_made_by_the_seat_service_on_the_servers_clock(member):
    event = not_yet_open()
    opens_now(event, timedelta(seconds=1))
    event.refresh_from_db()

    with pytest.raises(RSVPError):
        rsvp_create(event=event, member=member)
    # The same event object, once the opening has passed: the service reads the clock
    # inside its transaction, not from the object it was given.
    opens_now(event, timedelta(milliseconds=-1))
    assert rsvp_create(event=event, member=member).rsvp.status == RSVP.Status.CONFIRMED


def test_a_post_at_the_opening_gets_a_seat(member_client, member):
    event = not_yet_open()
    opens_now(event)

    response = member_client.post(
        reverse("events:rsvp", args=[event.slug]), {"diet": "vegan"}, follow=True
    )

    assert "C'est noté : votre place est confirmée !" in text(response)
    assert RSVP.objects.get(member=member).status == RSVP.Status.CONFIRMED


# --- "Prévenez-moi à l'ouverture" ---------------------------------------------------------


def test_a_member_asks_for_the_alert_in_one_click_and_can_undo_it(member_client, member):
    event = not_yet_open()

    page = text(member_client.get(event.get_absolute_url()))
    assert "Prévenez-moi à l'ouverture" in page

    response = member_client.post(reverse("events:opening-alert", args=[event.slug]), follow=True)
    assert (
        "C'est noté : nous vous écrirons à l'ouverture des inscriptions, le mardi 2 mars à "
        "12 h 00, à camille@example.org."
    ) in text(response)
    assert "Vous recevrez un e-mail à camille@example.org dès l'ouverture." in text(response)
    assert OpeningAlert.objects.filter(event=event, member=member).count() == 1

    # Twice is still one.
    member_client.post(reverse("events:opening-alert", args=[event.slug]))
    assert OpeningAlert.objects.count() == 1

    response = member_client.post(
        reverse("events:opening-alert-cancel", args=[event.slug]), follow=True
    )
    assert "C'est annulé : vous ne recevrez pas d'e-mail à l'ouverture." in text(response)
    assert OpeningAlert.objects.count() == 0
    assert "Prévenez-moi à l'ouverture" in text(response)


def test_undoing_without_an_alert_says_so(member_client):
    event = not_yet_open()

    response = member_client.post(
        reverse("events:opening-alert-cancel", args=[event.slug]), follow=True
    )

    assert "Vous n'aviez pas demandé d'e-mail pour l'ouverture." in text(response)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"registration_opens_at": None}, "Les inscriptions sont déjà ouvertes"),
        ({"cancelled": True}, "Il n'y a pas d'ouverture des inscriptions à attendre"),
    ],
)
def test_no_alert_when_there_is_no_opening_to_wait_for(member_client, kwargs, message):
    event = not_yet_open(**kwargs)

    response = member_client.post(reverse("events:opening-alert", args=[event.slug]), follow=True)

    assert message in text(response)
    assert OpeningAlert.objects.count() == 0


def test_an_unverified_or_banned_member_gets_no_alert(client):
    event = not_yet_open()
    for user, message in [
        (UserFactory(verified=False), "Confirmez d'abord votre adresse e-mail"),
        (UserFactory(banned_at=timezone.now()), "Votre compte ne permet plus de s'inscrire"),
    ]:
        client.force_login(user)
        response = client.post(reverse("events:opening-alert", args=[event.slug]), follow=True)
        assert message in text(response)
    assert OpeningAlert.objects.count() == 0


def test_the_alert_email_leaves_once_at_the_first_run_after_the_opening():
    event = not_yet_open(capacity=50)
    members = [UserFactory(email=f"a{i}@example.org") for i in range(3)]
    for member in members:
        opening_alert_subscribe(event=event, member=member, language="fr")

    assert "alerte" not in run_command()  # before the opening: nothing
    assert mail.outbox == []

    opens_now(event)
    out = run_command()

    assert f"{event.title} — ouverture des inscriptions : 3 alertes" in out
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a0@example.org",
        "a1@example.org",
        "a2@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == f"[Clermont'ech] Les inscriptions sont ouvertes : {event.title}"
    assert "Il reste 50 places au moment où ce message part." in message.body
    assert event.get_absolute_url() in message.body
    assert OpeningAlert.objects.filter(sent_at__isnull=True).count() == 0

    mail.outbox = []
    run_command()
    run_command()
    assert mail.outbox == []  # once, however often the timer runs
    assert OutboxMessage.objects.filter(kind=OPENING_ALERT).count() == 3


def test_the_alert_is_written_in_the_language_it_was_asked_in(client):
    event = not_yet_open()
    member = UserFactory(email="en@example.org")
    client.force_login(member)
    client.post(
        reverse("events:opening-alert", args=[event.slug]), headers={"accept-language": "en"}
    )
    assert OpeningAlert.objects.get().language == "en"
    opens_now(event)

    run_command()

    (message,) = mail.outbox
    assert message.subject == f"[Clermont'ech] Registration is open: {event.title}"


def test_an_alert_is_not_sent_once_the_event_is_cancelled():
    event = not_yet_open()
    opening_alert_subscribe(event=event, member=UserFactory(), language="fr")
    opens_now(event)
    # Queued (this test's transaction never commits: no worker has written it yet), then
    # the event is cancelled before the next run sends what is due.
    assert sum(opening_alerts_queue().values()) == 1
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)

    run_command()

    assert mail.outbox == []
    assert OutboxMessage.objects.get(kind=OPENING_ALERT).status == OutboxMessage.Status.SKIPPED


def test_an_alert_for_an_event_whose_registrations_already_closed_is_not_sent():
    event = not_yet_open()
    opening_alert_subscribe(event=event, member=UserFactory(), language="fr")
    Event.objects.filter(pk=event.pk).update(
        registration_opens_at=timezone.now() - timedelta(hours=2),
        registration_closes_at=timezone.now() - timedelta(hours=1),
    )

    run_command()

    assert mail.outbox == []
    assert OutboxMessage.objects.filter(kind=OPENING_ALERT).count() == 0
