"""events 0007 gives every existing RSVP a short ticket code, unique within its event,
and migrating back removes the column without losing the RSVPs."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.factories import EventFactory, RSVPFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("events", "0006_delete_eventmail")]
AFTER = [("events", "0007_ticket_short_code")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_head():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _columns() -> set[str]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "events_rsvp")
    return {column.name for column in description}


def test_existing_rsvps_get_a_short_code_unique_per_event_and_back(back_to_head):
    one, two = EventFactory(), EventFactory()
    for event in (one, two):
        for _ in range(12):
            RSVPFactory(event=event)
    old_rsvp = _migrate(BEFORE).get_model("events", "RSVP")
    assert "short_code" not in _columns()
    assert old_rsvp.objects.count() == 24
    tickets = dict(old_rsvp.objects.values_list("pk", "ticket_code"))

    new_rsvp = _migrate(AFTER).get_model("events", "RSVP")

    rows = list(new_rsvp.objects.values_list("event_id", "short_code", "pk", "ticket_code"))
    assert len(rows) == 24
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", code) for _e, code, _p, _t in rows)
    for event in (one, two):
        codes = [code for event_id, code, _p, _t in rows if event_id == event.pk]
        assert len(codes) == len(set(codes)) == 12
    # The long codes (the QR codes already sent) are untouched.
    assert {pk: ticket for _e, _c, pk, ticket in rows} == tickets
    # Unique per event from now on, in the database itself.
    first, second = new_rsvp.objects.filter(event_id=one.pk).order_by("pk")[:2]
    with pytest.raises(IntegrityError), transaction.atomic():
        new_rsvp.objects.filter(pk=second.pk).update(short_code=first.short_code)

    _migrate(BEFORE)

    assert "short_code" not in _columns()
    assert _migrate(BEFORE).get_model("events", "RSVP").objects.count() == 24
