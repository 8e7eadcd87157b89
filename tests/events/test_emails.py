"""The seat emails are written when they leave, from the state of that moment: one that no
longer applies by then is not sent (marked "skipped"). Here the delivery is held back (a
task queue that keeps the messages, as the database backend does until a worker comes)
while something changes, then a worker sends what is due."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from core.models import OutboxMessage
from core.outbox import outbox_deliver
from events.emails import EVENT_CANCELLED, RSVP_PROMOTED, RSVP_RECEIVED
from events.models import RSVP, Event
from events.services import event_cancel, rsvp_cancel, rsvp_create
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxMessage.Status


@pytest.fixture
def held(settings):
    """Messages are queued, not sent, until the test runs outbox_deliver()."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def status_of(kind: str, rsvp: RSVP) -> str:
    return OutboxMessage.objects.get(kind=kind, params__rsvp=rsvp.pk).status


def test_a_confirmation_is_not_sent_once_its_rsvp_is_cancelled(held):
    event = EventFactory()
    rsvp = rsvp_create(event=event, member=UserFactory(email="ada@example.org")).rsvp
    rsvp_cancel(rsvp=rsvp)

    outbox_deliver()

    assert mail.outbox == []
    assert status_of(RSVP_RECEIVED, rsvp) == Status.SKIPPED


def test_a_confirmation_goes_out_with_the_events_calendar(held):
    event = EventFactory()
    rsvp = rsvp_create(event=event, member=UserFactory(email="ada@example.org")).rsvp

    outbox_deliver()

    (message,) = mail.outbox
    assert (message.to, message.subject) == (
        ["ada@example.org"],
        f"[Clermont'ech] Votre place pour {event.title}",
    )
    assert [name for name, _content, _type in message.attachments] == [f"{event.slug}.ics"]
    assert OutboxMessage.objects.get().group == f"event:{event.pk}"
    assert OutboxMessage.objects.get().recipient == rsvp.member


def test_someone_promoted_before_their_waiting_list_email_leaves_gets_the_promotion_only(held):
    event = EventFactory(capacity=1)
    seat = RSVPFactory(event=event)
    waiting = rsvp_create(event=event, member=UserFactory(email="noa@example.org")).rsvp
    assert waiting.status == RSVP.Status.WAITLISTED
    rsvp_cancel(rsvp=seat)

    outbox_deliver()

    assert [m.subject for m in mail.outbox] == [
        f"[Clermont'ech] Une place s'est libérée : {event.title}"
    ]
    assert status_of(RSVP_RECEIVED, waiting) == Status.SKIPPED
    assert status_of(RSVP_PROMOTED, waiting) == Status.SENT


def test_a_promotion_is_not_sent_once_the_seat_is_cancelled_again(held):
    event = EventFactory(capacity=1)
    seat = RSVPFactory(event=event)
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)
    rsvp_cancel(rsvp=seat)
    rsvp_cancel(rsvp=waiting)

    outbox_deliver()

    assert mail.outbox == []
    assert status_of(RSVP_PROMOTED, waiting) == Status.SKIPPED


def test_a_cancellation_notice_is_not_sent_once_the_event_is_back_on(held):
    event = EventFactory()
    rsvp = RSVPFactory(event=event)
    event_cancel(event=event)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)  # a mistake undone

    outbox_deliver()

    assert mail.outbox == []
    assert status_of(EVENT_CANCELLED, rsvp) == Status.SKIPPED


def test_an_email_is_written_in_the_language_of_the_page_that_caused_it(held):
    event = EventFactory()
    with translation.override("en"):
        rsvp_create(event=event, member=UserFactory(email="ada@example.org"))

    outbox_deliver()  # a worker, in the site's language

    (message,) = mail.outbox
    assert message.subject == f"[Clermont'ech] Your seat for {event.title}"


def test_a_walk_in_without_an_address_gets_no_cancellation_notice(held):
    from events.services import rsvp_walk_in

    event = EventFactory()
    RSVPFactory(event=event, member=UserFactory(email="ada@example.org"))
    rsvp_walk_in(event=event, name="Camille, sans e-mail")  # a placeholder "…@invalid"

    event_cancel(event=event)
    outbox_deliver()

    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert list(OutboxMessage.objects.values_list("to", flat=True)) == ["ada@example.org"]
