from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from events.models import RSVP, is_first_timer, members_first_timers
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


def _past_event():
    start = timezone.now() - timedelta(days=30)
    return EventFactory(starts_at=start, ends_at=start + timedelta(hours=3))


def test_newcomers_are_the_members_who_never_came():
    tracked, untracked, upcoming = _past_event(), _past_event(), EventFactory()
    RSVPFactory(event=tracked, checked_in_at=timezone.now() - timedelta(days=30))  # tracks it
    came = RSVPFactory(event=tracked, checked_in_at=timezone.now() - timedelta(days=30)).member
    no_show = RSVPFactory(event=tracked).member
    seat_untracked = RSVPFactory(event=untracked).member
    waited = RSVPFactory(event=tracked, status=RSVP.Status.WAITLISTED).member
    cancelled = RSVPFactory(event=untracked, status=RSVP.Status.CANCELLED).member
    only_upcoming = RSVPFactory(event=upcoming).member
    never = UserFactory()

    first_timers = set(members_first_timers(get_user_model().objects.all()))

    assert {no_show, waited, cancelled, only_upcoming, never} <= first_timers
    assert came not in first_timers
    assert seat_untracked not in first_timers  # untracked: the seat counts as a visit
    assert is_first_timer(never) and not is_first_timer(came)
