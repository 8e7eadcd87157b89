"""An event without a seat limit (capacity empty: an evening online) confirms everyone."""

import pytest
from django.urls import reverse

from events.models import RSVP
from events.services import RSVPError, event_set_capacity, rsvp_create, rsvp_walk_in
from tests.conftest import text
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_without_a_limit_every_rsvp_is_confirmed():
    event = EventFactory(capacity=None)

    statuses = {rsvp_create(event=event, member=UserFactory()).rsvp.status for _ in range(60)}

    assert statuses == {RSVP.Status.CONFIRMED}
    assert event.seats_left is None
    assert event.is_full is False


def test_removing_the_limit_gives_a_seat_to_everyone_waiting():
    event = EventFactory(capacity=1)
    rsvps = [rsvp_create(event=event, member=UserFactory()).rsvp for _ in range(4)]

    promoted = event_set_capacity(event=event, capacity=None)

    assert sorted(r.pk for r in promoted) == [r.pk for r in rsvps[1:]]
    assert set(RSVP.objects.filter(event=event).values_list("status", flat=True)) == {
        RSVP.Status.CONFIRMED
    }
    event.refresh_from_db()
    assert event.capacity is None


def test_a_limit_below_the_confirmed_seats_is_still_refused():
    event = EventFactory(capacity=None)
    RSVPFactory.create_batch(3, event=event)

    with pytest.raises(RSVPError, match="Impossible de passer à 2 places : 3 places"):
        event_set_capacity(event=event, capacity=2)


def test_walk_in_without_a_limit_is_never_full():
    event = EventFactory(capacity=None)
    RSVPFactory.create_batch(5, event=event)

    result = rsvp_walk_in(event=event, name="Paul")

    assert result.rsvp.status == RSVP.Status.CONFIRMED


def test_pages_say_there_is_no_limit(client, organizer_client):
    event = EventFactory(capacity=None, title="API Hour en ligne")
    RSVPFactory.create_batch(2, event=event)

    detail = text(client.get(event.get_absolute_url()))
    listing = text(client.get(reverse("events:list")))
    door = text(organizer_client.get(reverse("events:checkin", args=[event.slug])))
    admin = text(organizer_client.get(reverse("admin:events_event_changelist")))
    catering = text(organizer_client.get(reverse("admin:events_event_catering", args=[event.pk])))

    assert "Sans limite de places" in detail and "places restantes" not in detail
    assert "Sans limite de places" in listing
    assert "Sans limite de places. La personne est pointée tout de suite." in door
    assert "2 / sans limite" in admin
    assert "2 places confirmées, sans limite de places." in catering
