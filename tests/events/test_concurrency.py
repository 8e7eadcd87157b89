"""Registration day: many people click in the same second.

These tests use real transactions and real threads, each with its own database
connection, on whichever database the suite runs on (PostgreSQL in CI, and the
SQLite file database). All threads wait at a barrier and are released together.
A database server only accepts so many connections (PostgreSQL's default is
100), so at most MAX_CONNECTIONS threads talk to it at the same moment, as the
worker pool of a web server would; the others queue for a connection.

Every query that counts RSVPs is slowed down a little (an execute wrapper that
sleeps after it), which widens the window between "count the seats" and "take
one": the lock has to hold for the test to pass, and the negative control shows
the same harness catches over-allocation when the lock is skipped.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import pytest
from django.core import mail
from django.db import connection

from events import services
from events.models import RSVP, Event
from events.services import rsvp_cancel, rsvp_create
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

MAX_CONNECTIONS = 40
SLOW_COUNT_SECONDS = 0.02


def _slow_counts(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if "COUNT(" in sql.upper() and "events_rsvp" in sql:
        time.sleep(SLOW_COUNT_SECONDS)
    return result


@dataclass
class Outcome:
    errors: list[BaseException] = field(default_factory=list)


def _run_together(jobs, *, deferred_sqlite: bool = False) -> Outcome:
    """Run each job in its own thread, all released at once by a barrier."""
    outcome = Outcome()
    barrier = threading.Barrier(len(jobs))
    connections_left = threading.BoundedSemaphore(MAX_CONNECTIONS)
    lock = threading.Lock()

    # With no more jobs than connections, each thread connects before the barrier,
    # so that all of them really start their transaction in the same instant.
    connect_first = len(jobs) <= MAX_CONNECTIONS

    def worker(job):
        if connect_first:
            connection.ensure_connection()
        barrier.wait()
        with connections_left:
            try:
                if deferred_sqlite and connection.vendor == "sqlite":
                    # Without IMMEDIATE, SQLite only takes its write lock at the
                    # first write: that is "skipping the lock" on SQLite.
                    connection.ensure_connection()
                    connection.transaction_mode = None
                with connection.execute_wrapper(_slow_counts):
                    job()
            except BaseException as error:  # noqa: BLE001 - reported by the test
                with lock:
                    outcome.errors.append(error)
            finally:
                connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return outcome


def _rsvp_job(event: Event, member):
    return lambda: rsvp_create(event=event, member=member)


def test_200_simultaneous_rsvps_for_50_seats():
    event = EventFactory(capacity=50)
    members = UserFactory.create_batch(200)

    outcome = _run_together([_rsvp_job(event, m) for m in members])

    assert outcome.errors == []
    rsvps = list(RSVP.objects.filter(event=event).order_by("id"))
    assert len(rsvps) == 200
    assert len({r.member_id for r in rsvps}) == 200  # no duplicates
    statuses = [r.status for r in rsvps]
    # Arrival order is the order in which each request got the event lock, which
    # is the order of the ids: the first 50 hold the seats, the next 150 wait.
    assert statuses == [RSVP.Status.CONFIRMED] * 50 + [RSVP.Status.WAITLISTED] * 150
    waiting = [r for r in rsvps if r.status == RSVP.Status.WAITLISTED]
    assert [r.waitlist_position() for r in waiting[:3]] == [1, 2, 3]
    assert waiting[-1].waitlist_position() == 150
    created = [r.created_at for r in rsvps]
    assert created == sorted(created)
    assert len(mail.outbox) == 200


def test_the_same_member_clicking_many_times_gets_one_rsvp():
    event = EventFactory(capacity=50)
    member = UserFactory()

    outcome = _run_together([_rsvp_job(event, member) for _ in range(20)])

    assert outcome.errors == []
    assert RSVP.objects.filter(event=event, member=member).count() == 1
    assert len(mail.outbox) == 1


def test_cancellations_racing_with_new_rsvps_never_over_allocate():
    event = EventFactory(capacity=50)
    seated = [RSVPFactory(event=event) for _ in range(50)]
    waiting = [RSVPFactory(event=event, status=RSVP.Status.WAITLISTED) for _ in range(30)]
    leaving, staying = seated[:25], seated[25:]
    newcomers = UserFactory.create_batch(75)

    jobs = [lambda r=r: rsvp_cancel(rsvp=r) for r in leaving]
    jobs += [_rsvp_job(event, m) for m in newcomers]
    outcome = _run_together(jobs)

    assert outcome.errors == []
    event = Event.objects.with_seat_counts().get(pk=event.pk)
    # Every freed seat went to the waiting list, never beyond capacity.
    assert event.confirmed_count == 50
    assert event.waitlist_count == 30 - 25 + 75
    # Nobody lost a seat they had.
    assert set(RSVP.objects.confirmed().filter(pk__in=[r.pk for r in staying])) == set(staying)
    # The 25 promoted are the first 25 who were waiting, in order.
    promoted = RSVP.objects.filter(event=event, promoted_at__isnull=False)
    assert sorted(promoted.values_list("pk", flat=True)) == [r.pk for r in waiting[:25]]
    # Newcomers all queue behind the 5 who were already waiting.
    assert all(
        r.status == RSVP.Status.WAITLISTED for r in RSVP.objects.filter(member__in=newcomers)
    )


def test_negative_control_without_the_lock_seats_are_over_allocated(monkeypatch):
    """The same harness, with the lock skipped, must see the race.

    40 people for 10 seats, all connected and released at once."""
    monkeypatch.setattr(services, "_lock_event", lambda event: Event.objects.get(pk=event.pk))
    event = EventFactory(capacity=10)
    members = UserFactory.create_batch(MAX_CONNECTIONS)

    outcome = _run_together([_rsvp_job(event, m) for m in members], deferred_sqlite=True)

    confirmed = RSVP.objects.filter(event=event).confirmed().count()
    if connection.vendor == "sqlite":
        # SQLite never lets two writers interleave: without IMMEDIATE, the losers of
        # the race fail with "database is locked" instead, and their RSVPs are lost.
        assert outcome.errors, "expected lost RSVPs without the lock"
        assert "locked" in str(outcome.errors[0])
        assert confirmed + RSVP.objects.waitlisted().count() < MAX_CONNECTIONS
    else:
        assert outcome.errors == []
        assert confirmed > 10, "expected over-allocation without the lock"
