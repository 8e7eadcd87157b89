"""Two runs of the scheduled command at the same moment (issue 13): the held seats are
released once (one promotion per seat, one email each), the opening alerts leave once.
Real threads and transactions, on whichever database the suite runs on (PostgreSQL in
CI); the harness of test_concurrency.py (a barrier, slowed-down counts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from core.models import OutboxMessage
from events import services
from events.emails import RSVP_PROMOTED
from events.models import RSVP, Event, OpeningAlert
from events.opening import OPENING_ALERT, opening_alerts_queue
from events.services import held_seats_release
from tests.events.test_concurrency import _run_together
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def _event_past_its_deadline(*, waiting: int) -> tuple[Event, list[RSVP]]:
    """6 seats: 2 taken, 4 held for first-timers until a second ago; `waiting` people wait."""
    event = EventFactory(capacity=6, held_seats=4, held_until=timezone.now() + timedelta(days=1))
    for _ in range(2):
        RSVPFactory(event=event)
    queue = [RSVPFactory(event=event, status=RSVP.Status.WAITLISTED) for _ in range(waiting)]
    Event.objects.filter(pk=event.pk).update(held_until=timezone.now() - timedelta(seconds=1))
    return event, queue


def test_two_releases_at_once_promote_one_person_per_seat_in_order():
    event, queue = _event_past_its_deadline(waiting=6)

    outcome = _run_together([lambda: held_seats_release(event=event) for _ in range(2)])

    assert outcome.errors == []
    promoted = RSVP.objects.filter(event=event, promoted_at__isnull=False).order_by("id")
    assert list(promoted) == queue[:4]  # the first four who were waiting, in order
    assert RSVP.objects.filter(event=event).confirmed().count() == 6
    assert OutboxMessage.objects.filter(kind=RSVP_PROMOTED).count() == 4
    assert len(mail.outbox) == 4
    event.refresh_from_db()
    assert event.held_released_at is not None


def test_negative_control_without_the_lock_two_releases_promote_twice(monkeypatch):
    """The same harness, the event lock skipped: the race shows."""
    monkeypatch.setattr(services, "_lock_event", lambda event: Event.objects.get(pk=event.pk))
    event, _queue = _event_past_its_deadline(waiting=6)

    outcome = _run_together(
        [lambda: held_seats_release(event=event) for _ in range(2)], deferred_sqlite=True
    )

    emails = OutboxMessage.objects.filter(kind=RSVP_PROMOTED).count()
    if connection.vendor == "sqlite":
        # Without IMMEDIATE, SQLite makes the loser fail ("database is locked").
        assert outcome.errors, "expected a failed run without the lock"
        assert "locked" in str(outcome.errors[0])
    else:
        assert outcome.errors == []
        assert emails > 4, "expected promotions written twice without the lock"


def test_two_runs_at_the_opening_send_each_alert_once():
    event = EventFactory(registration_opens_at=timezone.now() + timedelta(days=1))
    members = UserFactory.create_batch(30)
    OpeningAlert.objects.bulk_create(OpeningAlert(event=event, member=m) for m in members)
    Event.objects.filter(pk=event.pk).update(registration_opens_at=timezone.now())

    outcome = _run_together([opening_alerts_queue for _ in range(3)])

    assert outcome.errors == []
    assert OutboxMessage.objects.filter(kind=OPENING_ALERT).count() == 30
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    assert not OpeningAlert.objects.filter(sent_at__isnull=True).exists()


def test_the_rush_at_the_opening_keeps_the_held_seats_for_first_timers():
    """60 people in the same second for 20 seats, 5 held: 55 regulars, 5 first-timers.
    Every first-timer gets a seat, the regulars exactly 15. (First come, first served,
    all 5 first-timers would be among the first 20 about three times in a thousand
    rushes.) Kept small: on a loaded machine, 200 threads queueing behind the held-seat
    checks outlast SQLite's 20 s busy timeout."""
    start = timezone.now() - timedelta(days=60)
    past = EventFactory(starts_at=start, ends_at=start + timedelta(hours=3))
    regulars = UserFactory.create_batch(55)
    RSVP.objects.bulk_create(
        RSVP(event=past, member=m, status=RSVP.Status.CONFIRMED, checked_in_at=start)
        for m in regulars
    )
    newcomers = UserFactory.create_batch(5)
    event = EventFactory(capacity=20, held_seats=5, registration_opens_at=timezone.now())

    jobs = [lambda m=m: services.rsvp_create(event=event, member=m) for m in regulars]
    jobs += [lambda m=m: services.rsvp_create(event=event, member=m) for m in newcomers]
    outcome = _run_together(jobs)

    assert outcome.errors == []
    seated = RSVP.objects.filter(event=event).confirmed()
    assert seated.filter(member__in=newcomers).count() == 5
    assert seated.filter(member__in=regulars).count() == 15
    assert RSVP.objects.filter(event=event).waitlisted().count() == 40
