"""One place entered as several venues: an organizer merges them in the admin."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from events.models import Event, Venue
from events.services import VenueMergeError, venue_merge
from tests.conftest import text
from tests.factories import EventFactory, StaffFactory, VenueFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:events_venue_changelist")


def test_merge_moves_the_events_and_keeps_what_the_kept_venue_lacked():
    keep = VenueFactory(name="Turing 22", address="22 allée Alan Turing\n63000 Clermont-Ferrand")
    other = VenueFactory(
        name="Turing22",
        latitude=Decimal("45.759"),
        longitude=Decimal("3.129"),
        accessibility_notes="Ascenseur au fond du hall.",
        capacity=80,
    )
    events = [EventFactory(venue=other), EventFactory(venue=other), EventFactory(venue=keep)]

    moved = venue_merge(keep=keep, others=[other])

    assert moved == 2
    assert {e.venue_id for e in Event.objects.filter(pk__in=[e.pk for e in events])} == {keep.pk}
    assert list(Venue.objects.all()) == [keep]
    assert (keep.latitude, keep.longitude, keep.accessibility_notes, keep.capacity) == (
        Decimal("45.759000"),
        Decimal("3.129000"),
        "Ascenseur au fond du hall.",
        80,
    )
    assert keep.address == "22 allée Alan Turing\n63000 Clermont-Ferrand"  # its own stays


def test_merging_a_venue_with_itself_is_refused():
    venue = VenueFactory()

    with pytest.raises(VenueMergeError, match="au moins un autre lieu"):
        venue_merge(keep=venue, others=[venue])


def test_a_merge_that_fails_changes_nothing():
    keep, other = VenueFactory(), VenueFactory()
    event = EventFactory(venue=other)
    gone = VenueFactory()
    gone_pk = gone.pk
    gone.delete()
    gone.pk = gone_pk

    with pytest.raises(VenueMergeError, match="supprimé entre-temps"):
        venue_merge(keep=keep, others=[other, gone])

    event.refresh_from_db()
    assert event.venue == other
    assert Venue.objects.count() == 2


def _select(venues, **extra):
    return {"action": "merge_selected", ACTION_CHECKBOX_NAME: [v.pk for v in venues], **extra}


def test_admin_asks_which_venue_to_keep_then_merges(organizer_client):
    keep = VenueFactory(name="Centre Jean Richepin")
    other = VenueFactory(name="Centre Jean Richepin, salle 1")
    EventFactory(venue=other)

    page = organizer_client.post(CHANGELIST, _select([keep, other]))

    assert page.status_code == 200
    shown = text(page)
    assert "Choisissez celui à garder" in shown
    assert "Centre Jean Richepin, salle 1" in shown and "1 événement" in shown
    assert Venue.objects.count() == 2  # nothing done yet

    response = organizer_client.post(
        CHANGELIST, _select([keep, other], keep=keep.pk, confirm="1"), follow=True
    )

    assert list(Venue.objects.all()) == [keep]
    assert Event.objects.get().venue == keep
    assert "Lieux fusionnés dans « Centre Jean Richepin » : 1 événement déplacé." in text(response)


def test_admin_merge_needs_two_venues(organizer_client):
    venue = VenueFactory()

    response = organizer_client.post(CHANGELIST, _select([venue]), follow=True)

    assert "Choisissez au moins deux lieux à fusionner." in text(response)
    assert Venue.objects.count() == 1


def test_admin_merge_without_a_choice_asks_again(organizer_client):
    venues = [VenueFactory(), VenueFactory()]

    response = organizer_client.post(CHANGELIST, _select(venues, confirm="1"))

    assert "Choisissez le lieu à garder." in text(response)
    assert Venue.objects.count() == 2


def test_staff_without_permission_cannot_merge(client):
    client.force_login(StaffFactory())
    venues = [VenueFactory(), VenueFactory()]

    response = client.post(CHANGELIST, _select(venues, keep=venues[0].pk, confirm="1"))

    assert response.status_code == 403
    assert Venue.objects.count() == 2
