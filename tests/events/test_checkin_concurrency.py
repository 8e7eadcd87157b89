"""Walk-ins racing for the last seats, with real threads and transactions."""

from __future__ import annotations

import pytest

from events.models import RSVP
from events.services import RSVPError, rsvp_walk_in
from members.models import User
from tests.events.test_concurrency import _run_together
from tests.factories import EventFactory, RSVPFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.concurrency]


def test_walk_ins_at_several_phones_never_exceed_the_capacity():
    event = EventFactory(capacity=10)
    RSVPFactory.create_batch(7, event=event)
    users_before = User.objects.count()

    outcome = _run_together(
        [lambda i=i: rsvp_walk_in(event=event, name=f"Sur place {i}") for i in range(20)]
    )

    assert len(outcome.errors) == 17
    assert all(isinstance(e, RSVPError) and "Complet" in str(e) for e in outcome.errors)
    assert RSVP.objects.filter(event=event).confirmed().count() == 10
    assert RSVP.objects.filter(event=event, walk_in=True).count() == 3
    assert User.objects.count() == users_before + 3  # refused walk-ins left no account
