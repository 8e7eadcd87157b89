from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from events.models import Event
from members.models import User
from sponsors.models import Sponsor
from talks.models import Talk

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_seed_demo_loads_what_a_newcomer_needs_and_is_idempotent(mailoutbox):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=StringIO())

    assert _counts() == first
    upcoming = Event.objects.published().upcoming().with_seat_counts().first()
    assert upcoming.capacity == 50
    assert upcoming.registration_is_open
    assert upcoming.confirmed_count == 50
    assert upcoming.waitlist_count == 9  # full, as real API Hours are
    assert Event.objects.published().past().count() >= 3
    organizer = User.objects.get(email="orga@example.org")
    assert organizer.is_staff and organizer.has_verified_email()
    assert User.objects.filter(is_staff=False).count() >= 5
    assert "orga@example.org / apihour-demo" in out.getvalue()
    assert mailoutbox == []  # the demo attendees are fictitious
    assert upcoming.sponsorships.count() == 3
    assert all(s.logo for s in Sponsor.objects.all())
    assert Talk.objects.given().exists()
    assert Talk.objects.public().filter(event=upcoming).exists()
