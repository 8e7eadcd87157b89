"""The events app's emails against a real SMTP server that goes down, refuses addresses,
drops the connection mid-batch, or whose worker is killed: the pages answer as usual,
nothing is lost, and once the server is back and the retries have run, every message has
been received exactly once (counted in what the server received).

Run on both databases (DATABASE_URL=postgres://... for PostgreSQL)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, time, timedelta
from email.header import decode_header, make_header

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import STALE_CLAIM, outbox_deliver, outbox_flush
from events.emails import EVENT_CANCELLED, RSVP_PROMOTED, RSVP_RECEIVED
from events.models import RSVP, Diet, Event
from events.reminders import REMINDER, STREAM
from tests.conftest import text
from tests.events.test_admin import _event_form_data
from tests.factories import EventFactory, OrganizerFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxMessage.Status
PREFIX = "[Clermont'ech] "


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def subjects_to(server, address: str) -> list[str]:
    """The subjects of what `address` received, decoded (accents are RFC 2047-encoded)."""
    return [_subject(message) for recipient, message in server.received if recipient == address]


def attachments(server, address: str) -> list[str]:
    return [
        part.get_content_type()
        for recipient, message in server.received
        if recipient == address
        for part in message.walk()
        if part.get_filename()
    ]


def retries_run() -> None:
    """Cron's runs over the next hours: every attempt that comes due is made."""
    for minutes in (2, 10, 30, 120, 600):
        outbox_flush(now=timezone.now() + timedelta(minutes=minutes))


def statuses(kind: str) -> Counter:
    return Counter(OutboxMessage.objects.filter(kind=kind).values_list("status", flat=True))


def test_an_rsvp_while_the_mail_server_is_down_takes_the_seat_and_mails_it_later(
    smtp_server, client
):
    event = EventFactory(capacity=10)
    member = UserFactory(email="ada@example.org")
    client.force_login(member)
    smtp_server.stop()

    response = client.post(reverse("events:rsvp", kwargs={"slug": event.slug}), {"diet": Diet.NONE})

    assert response.status_code == 302
    assert response["Location"] == event.get_absolute_url()
    assert "C'est noté : votre place est confirmée !" in text(client.get(response["Location"]))
    assert RSVP.objects.get(event=event, member=member).status == RSVP.Status.CONFIRMED
    assert statuses(RSVP_RECEIVED) == {Status.FAILED: 1}  # tried, to be tried again

    smtp_server.start()
    retries_run()

    assert subjects_to(smtp_server, "ada@example.org") == [f"{PREFIX}Votre place pour {event}"]
    assert attachments(smtp_server, "ada@example.org") == ["text/calendar"]
    assert len(smtp_server.received) == 1
    assert statuses(RSVP_RECEIVED) == {Status.SENT: 1}


def test_a_promotion_while_the_mail_server_is_down_is_mailed_once_it_is_back(smtp_server, client):
    event = EventFactory(capacity=1)
    leaving = RSVPFactory(event=event, member=UserFactory(email="alix@example.org"))
    waiting = RSVPFactory(
        event=event, member=UserFactory(email="noa@example.org"), status=RSVP.Status.WAITLISTED
    )
    client.force_login(leaving.member)
    smtp_server.stop()

    response = client.post(reverse("events:rsvp-cancel", kwargs={"slug": event.slug}))

    assert response.status_code == 302
    assert "Votre inscription est annulée. Merci d'avoir libéré la place !" in text(
        client.get(response["Location"])
    )
    waiting.refresh_from_db()
    assert waiting.status == RSVP.Status.CONFIRMED  # the seat went on at once
    assert statuses(RSVP_PROMOTED) == {Status.FAILED: 1}

    smtp_server.start()
    retries_run()

    assert subjects_to(smtp_server, "noa@example.org") == [
        f"{PREFIX}Une place s'est libérée : {event}"
    ]
    assert attachments(smtp_server, "noa@example.org") == ["text/calendar"]
    assert smtp_server.recipients() == ["noa@example.org"]  # nothing to the one who left


def test_cancelling_an_event_of_50_while_the_server_refuses_then_goes_away(smtp_server, client):
    event = EventFactory(capacity=40)
    people = [UserFactory(email=f"p{i:02d}@example.org") for i in range(50)]
    for i, person in enumerate(people):
        status = RSVP.Status.CONFIRMED if i < 40 else RSVP.Status.WAITLISTED
        RSVPFactory(event=event, member=person, status=status)
    smtp_server.refuse("p03@example.org", "p07@example.org", "p11@example.org")
    smtp_server.drop_after = 20  # then the server goes away mid-batch
    client.force_login(OrganizerFactory())
    url = reverse("admin:events_event_change", args=[event.pk])

    response = client.post(url, _event_form_data(event, client, url, status="cancelled"))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_event_changelist")
    page = text(client.get(response["Location"]))
    assert "Événement annulé ; 50 personnes inscrites prévenues par e-mail." in page
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert len(smtp_server.received) == 20
    assert statuses(EVENT_CANCELLED) == {Status.SENT: 20, Status.FAILED: 30}

    smtp_server.refused.clear()
    smtp_server.drop_after = None
    retries_run()

    assert Counter(smtp_server.recipients()) == {person.email: 1 for person in people}
    assert {_subject(message) for _to, message in smtp_server.received} == {
        f"{PREFIX}Annulé : {event}"
    }
    assert statuses(EVENT_CANCELLED) == {Status.SENT: 50}


@pytest.fixture
def evening():
    """A published evening in two weeks, 12 seats taken, 6 people waiting, a stream."""
    day = timezone.localdate() + timedelta(days=14)
    event = EventFactory(
        starts_at=timezone.make_aware(datetime.combine(day, time(19))),
        ends_at=timezone.make_aware(datetime.combine(day, time(21, 30))),
        capacity=12,
        livestream_url="https://www.youtube.com/watch?v=live",
    )
    for i in range(18):
        status = RSVP.Status.CONFIRMED if i < 12 else RSVP.Status.WAITLISTED
        RSVPFactory(event=event, member=UserFactory(email=f"r{i:02d}@example.org"), status=status)
    return event


def _on_the_day(event: Event, hour: int, minute: int = 0) -> str:
    day = timezone.localtime(event.starts_at).date()
    return timezone.make_aware(datetime.combine(day, time(hour, minute))).isoformat()


def test_send_event_mail_with_the_connection_dropped_mid_batch_sends_each_once(
    smtp_server, evening
):
    smtp_server.drop_after = 5

    call_command("send_event_mail", now=_on_the_day(evening, 10), stdout=io.StringIO())

    assert len(smtp_server.received) == 5
    assert statuses(REMINDER) + statuses(STREAM) == {Status.SENT: 5, Status.FAILED: 13}

    smtp_server.drop_after = None
    retries_run()  # cron's next runs
    call_command("send_event_mail", now=_on_the_day(evening, 10, 5), stdout=io.StringIO())

    expected = {f"r{i:02d}@example.org": 1 for i in range(18)}
    assert Counter(smtp_server.recipients()) == expected
    for i in range(18):
        subject = (
            f"{PREFIX}C'est aujourd'hui : {evening}"
            if i < 12
            else f"{PREFIX}Pas de place ce soir ? Suivez {evening} en direct"
        )
        assert subjects_to(smtp_server, f"r{i:02d}@example.org") == [subject]


def test_a_worker_killed_mid_batch_sends_that_message_again_after_the_stale_delay(
    settings, smtp_server, evening
):
    default_tasks = settings.TASKS
    # The run queues its messages for a worker (the database backend, in production)...
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    call_command("send_event_mail", now=_on_the_day(evening, 10), stdout=io.StringIO())
    settings.TASKS = default_tasks
    ids = list(
        OutboxMessage.objects.filter(kind=REMINDER).order_by("id").values_list("id", flat=True)
    )
    assert smtp_server.received == []
    # ...which sends two, hands the third to the mail server and is killed outright
    # before it marks it sent: the row stays "sending"; the rest of the batch waits.
    outbox_deliver(ids=ids[:3])
    OutboxMessage.objects.filter(pk=ids[2]).update(
        status=Status.SENDING, claimed_at=timezone.now(), sent_at=None
    )
    killed = OutboxMessage.objects.get(pk=ids[2]).to

    # Cron, five minutes later: the rest of the batch leaves; the claim is still fresh.
    call_command("send_event_mail", now=_on_the_day(evening, 10, 5), stdout=io.StringIO())
    outbox_flush(now=timezone.now() + STALE_CLAIM / 2)

    assert Counter(smtp_server.recipients()) == {f"r{i:02d}@example.org": 1 for i in range(18)}

    # After STALE_CLAIM the claim is taken over: sent again, once (the documented
    # duplicate: better twice than a lost reminder), and never a third time.
    outbox_flush(now=timezone.now() + STALE_CLAIM + timedelta(seconds=1))
    retries_run()
    outbox_flush(now=timezone.now() + timedelta(days=1))

    received = Counter(smtp_server.recipients())
    assert received[killed] == 2
    assert received - Counter({killed: 1}) == Counter(
        {f"r{i:02d}@example.org": 1 for i in range(18)}
    )
    assert statuses(REMINDER) == {Status.SENT: 12}
