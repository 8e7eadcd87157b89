"""Two runs of the scheduled command start at the same moment: the draw runs once.

Real transactions and threads, each with its own connection, released together by a
barrier; the query that looks for an existing draw is slowed down, which widens the
window between "not drawn yet?" and "write the draw". On PostgreSQL the event's row lock
(SELECT ... FOR UPDATE) makes the second run wait and then find the draw; on SQLite the
IMMEDIATE transactions do the same. The negative control removes the row lock on
PostgreSQL: both runs then pass the check, and only the draw's one-to-one key stops the
second (an IntegrityError, its whole transaction rolled back).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection

from events import draw as draw_module
from events.draw import draw_request_create, draw_run
from events.models import RSVP, Draw, Event
from tests.factories import EventFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]

SLOW_SECONDS = 0.3


def _slow_draw_check(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if "events_draw" in sql and sql.lstrip().upper().startswith("SELECT"):
        time.sleep(SLOW_SECONDS)
    return result


def _two_runs_at_once(event: Event) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)
    now = event.draw_window_closes + timedelta(minutes=1)

    def run():
        connection.ensure_connection()
        barrier.wait()
        try:
            with connection.execute_wrapper(_slow_draw_check):
                draw_run(event=event, now=now)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return errors


def _event_with_requests(n: int) -> Event:
    members = UserFactory.create_batch(n)
    event = EventFactory(draw=True, capacity=10)
    for member in members:
        draw_request_create(event=event, member=member)
    return event


def test_two_simultaneous_runs_draw_exactly_once():
    event = _event_with_requests(30)

    errors = _two_runs_at_once(event)

    assert errors == []
    assert Draw.objects.count() == 1
    assert RSVP.objects.filter(event=event).count() == 30
    assert RSVP.objects.filter(event=event).confirmed().count() == 10
    assert len(mail.outbox) == 30


def test_negative_control_without_the_row_lock_both_runs_pass_the_check(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's IMMEDIATE transactions serialise the runs even without it")
    event = _event_with_requests(10)
    monkeypatch.setattr(draw_module, "_lock_event", lambda e: Event.objects.get(pk=e.pk))

    errors = _two_runs_at_once(event)

    assert [type(e) for e in errors] == [IntegrityError]
    assert Draw.objects.count() == 1  # the one-to-one key was the last guard
    assert RSVP.objects.filter(event=event).count() == 10
