"""'Mes inscriptions': coming evenings first (soonest on top), then past ones; the
waiting-list position; a cancel button that goes through the seat service."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from events.models import RSVP
from tests.conftest import count_queries, text
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

MINE = reverse("events:mine")


def _in_days(days: int, title: str):
    return EventFactory(title=title, starts_at=timezone.now() + timedelta(days=days))


def test_mine_lists_upcoming_soonest_first_then_past_latest_first(member_client, member):
    for event in [
        _in_days(60, "Dans deux mois"),
        _in_days(-400, "L'an dernier"),
        _in_days(3, "Dans trois jours"),
        _in_days(-30, "Le mois dernier"),
        _in_days(20, "Dans vingt jours"),
    ]:
        RSVPFactory(event=event, member=member)

    page = text(member_client.get(MINE))

    titles = ["Dans trois jours", "Dans vingt jours", "Dans deux mois"]
    titles += ["Le mois dernier", "L'an dernier"]
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    assert page.index("À venir") < positions[0] < page.index("Passés") < positions[3]


def test_mine_shows_the_waiting_list_position(member_client, member):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    for _ in range(2):
        RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)
    RSVPFactory(event=event, member=member, status=RSVP.Status.WAITLISTED)

    page = text(member_client.get(MINE))

    assert "Liste d'attente : position 3" in page
    assert "Quitter la liste d'attente" in page


def test_cancel_from_mine_frees_the_seat_promotes_and_comes_back(member_client, member):
    event = EventFactory(capacity=1, title="Soirée pleine")
    seat = RSVPFactory(event=event, member=member)
    waiting = RSVPFactory(
        event=event,
        status=RSVP.Status.WAITLISTED,
        member=UserFactory(email="next@example.org"),
    )
    page = text(member_client.get(MINE))
    assert 'data-confirm="Annuler votre inscription à « Soirée pleine » ?"' in page

    response = member_client.post(
        reverse("events:rsvp-cancel", kwargs={"slug": event.slug}), {"from": "mine"}, follow=True
    )

    assert response.redirect_chain == [(MINE, 302)]
    assert "Votre inscription est annulée. Merci d'avoir libéré la place !" in text(response)
    seat.refresh_from_db()
    waiting.refresh_from_db()
    assert (seat.status, waiting.status) == (RSVP.Status.CANCELLED, RSVP.Status.CONFIRMED)
    # The promoted person is told, through the outbox like every seat change.
    assert OutboxMessage.objects.filter(to="next@example.org").exists()
    assert "Soirée pleine" not in text(response).split("Mes inscriptions", 2)[-1]


def test_mine_has_no_cancel_button_for_past_or_started_events(member_client, member):
    RSVPFactory(event=_in_days(-30, "Passée"), member=member)
    started = EventFactory(
        title="En cours", starts_at=timezone.now() - timedelta(minutes=30)
    )  # ends in two hours
    RSVPFactory(event=started, member=member)

    page = text(member_client.get(MINE))

    assert "En cours" in page and "Passée" in page
    assert "Annuler mon inscription" not in page


def test_mine_query_count_does_not_grow(member_client, member):
    RSVPFactory(event=EventFactory(capacity=1), member=member)
    one = count_queries(member_client, MINE)
    for days in (5, 10, -10):
        event = EventFactory(capacity=1, starts_at=timezone.now() + timedelta(days=days))
        RSVPFactory(event=event)
        RSVPFactory(event=event, member=member, status=RSVP.Status.WAITLISTED)

    assert count_queries(member_client, MINE) == one
