from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import ticket_codes
from events.models import RSVP, Diet, Event
from events.services import (
    RSVPError,
    event_cancel,
    event_set_capacity,
    rsvp_cancel,
    rsvp_check_in,
    rsvp_create,
)
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _fill(event, n):
    return [rsvp_create(event=event, member=UserFactory()).rsvp for _ in range(n)]


def test_rsvp_create_confirms_while_seats_are_left(event, member):
    result = rsvp_create(event=event, member=member, diet=Diet.VEGAN)

    assert result.created is True
    assert result.rsvp.status == RSVP.Status.CONFIRMED
    assert result.rsvp.diet == Diet.VEGAN
    assert event.seats_left == 49
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert "Votre place pour" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0] == f"{event.slug}.ics"


def test_rsvp_create_waitlists_in_arrival_order_once_full():
    event = EventFactory(capacity=2)
    _fill(event, 2)
    late = [rsvp_create(event=event, member=UserFactory()).rsvp for _ in range(3)]

    assert [r.status for r in late] == [RSVP.Status.WAITLISTED] * 3
    assert [r.waitlist_position() for r in late] == [1, 2, 3]
    assert "Liste d'attente" in mail.outbox[-1].subject
    assert "en position 3" in mail.outbox[-1].body


def test_rsvp_create_twice_is_harmless_and_updates_the_diet(event, member):
    first = rsvp_create(event=event, member=member)
    second = rsvp_create(event=event, member=member, diet=Diet.OTHER, diet_notes="noix")

    assert second.created is False
    assert second.rsvp.pk == first.rsvp.pk
    assert RSVP.objects.filter(event=event, member=member).count() == 1
    assert RSVP.objects.get().diet_notes == "noix"
    assert len(mail.outbox) == 1


def test_a_second_click_does_not_queue_for_the_events_lock(event, member):
    rsvp_create(event=event, member=member)

    with CaptureQueriesContext(connection) as queries:
        again = rsvp_create(event=event, member=member)

    assert again.created is False
    # The lock is a read of the event's row (FOR UPDATE on PostgreSQL): none here.
    assert not [q["sql"] for q in queries.captured_queries if "events_event" in q["sql"]]


def test_a_ticket_code_drawn_twice_is_drawn_again(event, member, monkeypatch):
    taken = rsvp_create(event=event, member=UserFactory()).rsvp.short_code
    # The randomness drawn: first the code already taken, then another one.
    letters = iter(taken + "K7M29QXD")
    monkeypatch.setattr(ticket_codes.secrets, "choice", lambda alphabet: next(letters))

    rsvp = rsvp_create(event=event, member=member).rsvp

    assert rsvp.short_code == "K7M29QXD"


def test_one_active_rsvp_per_member_is_a_database_constraint(event, member):
    RSVPFactory(event=event, member=member)

    with pytest.raises(IntegrityError), transaction.atomic():
        RSVPFactory(event=event, member=member, status=RSVP.Status.WAITLISTED)


def test_a_cancelled_rsvp_does_not_block_a_new_one(event, member):
    rsvp_cancel(rsvp=rsvp_create(event=event, member=member).rsvp)

    again = rsvp_create(event=event, member=member)

    assert again.created is True
    assert RSVP.objects.filter(event=event, member=member).count() == 2


@pytest.mark.parametrize(
    ("factory_kwargs", "message"),
    [
        ({"draft": True}, "Cet événement n'est pas publié."),
        ({"cancelled": True}, "Cet événement est annulé."),
        ({"past": True}, "Cet événement est passé."),
        (
            {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
            "Les inscriptions sont closes.",
        ),
        (
            {"registration_opens_at": timezone.now() + timedelta(days=2)},
            "Les inscriptions ne sont pas encore ouvertes",
        ),
    ],
)
def test_rsvp_create_refuses_outside_registration(member, factory_kwargs, message):
    event = EventFactory(**factory_kwargs)

    with pytest.raises(RSVPError, match=message):
        rsvp_create(event=event, member=member)

    assert RSVP.objects.count() == 0
    assert mail.outbox == []


def test_rsvp_create_refuses_an_unverified_email(event):
    unverified = UserFactory(verified=False)

    with pytest.raises(RSVPError, match="Confirmez d'abord votre adresse e-mail"):
        rsvp_create(event=event, member=unverified)

    assert RSVP.objects.count() == 0


def test_rsvp_create_refuses_a_banned_member(event, member):
    member.banned_at = timezone.now()
    member.save()

    with pytest.raises(RSVPError, match="ne permet plus de s'inscrire"):
        rsvp_create(event=event, member=member)

    assert RSVP.objects.count() == 0


@pytest.mark.parametrize(
    ("diet", "notes", "message"),
    [
        (Diet.OTHER, "  ", "Précisez votre régime"),
        ("paleo", "", "Régime alimentaire inconnu."),
        (Diet.OTHER, "x" * 201, "200 caractères"),
    ],
)
def test_rsvp_create_refuses_a_bad_diet(event, member, diet, notes, message):
    with pytest.raises(RSVPError, match=message):
        rsvp_create(event=event, member=member, diet=diet, diet_notes=notes)

    assert RSVP.objects.count() == 0


def test_diet_notes_are_dropped_unless_diet_is_other(event, member):
    rsvp = rsvp_create(event=event, member=member, diet=Diet.VEGAN, diet_notes="ignored").rsvp

    assert rsvp.diet_notes == ""


def test_rsvp_cancel_promotes_the_first_on_the_waiting_list():
    event = EventFactory(capacity=1)
    (seat,) = _fill(event, 1)
    first, second = _fill(event, 2)
    mail.outbox = []

    promoted = rsvp_cancel(rsvp=seat)

    assert [r.pk for r in promoted] == [first.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RSVP.Status.CONFIRMED
    assert first.promoted_at is not None
    assert second.status == RSVP.Status.WAITLISTED
    assert second.waitlist_position() == 1
    assert seat.status == RSVP.Status.CANCELLED
    assert [m.to for m in mail.outbox] == [[first.member.email]]
    assert "Une place s'est libérée" in mail.outbox[0].subject


def test_nobody_is_promoted_into_a_cancelled_evening():
    """A seat freed or added after the cancellation must not email 'you have a seat'."""
    event = EventFactory(capacity=1)
    (seat,) = _fill(event, 1)
    (waiting,) = _fill(event, 1)
    event_cancel(event=event)
    mail.outbox = []

    assert rsvp_cancel(rsvp=seat) == []
    assert event_set_capacity(event=event, capacity=10) == []

    waiting.refresh_from_db()
    assert waiting.status == RSVP.Status.WAITLISTED
    assert mail.outbox == []


def test_leaving_the_waiting_list_moves_the_others_up():
    event = EventFactory(capacity=1)
    _fill(event, 1)
    first, second = _fill(event, 2)

    assert rsvp_cancel(rsvp=first) == []

    assert second.waitlist_position() == 1
    assert event.seats_confirmed == 1


def test_rsvp_cancel_twice_is_harmless(event, member):
    rsvp = rsvp_create(event=event, member=member).rsvp
    rsvp_cancel(rsvp=rsvp)

    assert rsvp_cancel(rsvp=rsvp) == []
    assert rsvp.status == RSVP.Status.CANCELLED


def test_rsvp_cancel_refused_once_the_event_has_started(member):
    event = EventFactory(starts_at=timezone.now() - timedelta(minutes=5))
    rsvp = RSVPFactory(event=event, member=member)

    with pytest.raises(RSVPError, match="L'événement a commencé"):
        rsvp_cancel(rsvp=rsvp)

    rsvp.refresh_from_db()
    assert rsvp.status == RSVP.Status.CONFIRMED


def test_raising_capacity_promotes_the_waiting_list_in_order():
    event = EventFactory(capacity=1)
    _fill(event, 1)
    waiting = _fill(event, 3)

    promoted = event_set_capacity(event=event, capacity=3)

    assert [r.pk for r in promoted] == [waiting[0].pk, waiting[1].pk]
    assert Event.objects.get(pk=event.pk).capacity == 3
    assert RSVP.objects.confirmed().count() == 3
    assert list(RSVP.objects.waitlisted()) == [waiting[2]]


def test_lowering_capacity_below_confirmed_seats_is_refused():
    event = EventFactory(capacity=5)
    _fill(event, 3)

    with pytest.raises(RSVPError, match="3 places sont déjà confirmées"):
        event_set_capacity(event=event, capacity=2)

    assert Event.objects.get(pk=event.pk).capacity == 5


def test_lowering_capacity_to_the_confirmed_count_is_allowed():
    event = EventFactory(capacity=5)
    _fill(event, 3)

    event_set_capacity(event=event, capacity=3)

    event = Event.objects.with_seat_counts().get(pk=event.pk)
    assert event.is_full
    assert rsvp_create(event=event, member=UserFactory()).rsvp.is_waitlisted


def test_organizer_can_add_someone_after_registration_closed_but_not_beyond_capacity():
    event = EventFactory(capacity=1, registration_closes_at=timezone.now() - timedelta(hours=1))
    _first = rsvp_create(event=event, member=UserFactory(), by_organizer=True).rsvp
    second = rsvp_create(event=event, member=UserFactory(verified=False), by_organizer=True).rsvp

    assert _first.is_confirmed
    assert second.is_waitlisted


def test_check_in_only_confirmed_and_only_once(event, member, outsider):
    seat = RSVPFactory(event=event, member=member)
    waiting = RSVPFactory(event=event, member=outsider, status=RSVP.Status.WAITLISTED)

    assert rsvp_check_in(rsvp=seat) is True
    assert rsvp_check_in(rsvp=seat) is False
    with pytest.raises(RSVPError, match="en liste d.attente"):
        rsvp_check_in(rsvp=waiting)


def test_no_email_is_sent_when_the_transaction_rolls_back(event, member):
    with pytest.raises(RuntimeError), transaction.atomic():
        rsvp_create(event=event, member=member)
        raise RuntimeError("the surrounding work failed")

    assert RSVP.objects.count() == 0
    assert mail.outbox == []
