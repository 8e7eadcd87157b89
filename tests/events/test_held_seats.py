"""Seats held for first-timers (issue 13): until the deadline, a member who has already
come gets a seat only while seats not held remain; a first-timer can take any seat. At
the deadline, `send_event_mail` releases the seats not taken to the waiting list, in
order, each person promoted emailed, once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Event
from events.services import (
    event_set_capacity,
    event_set_held_seats,
    held_seats_release,
    rsvp_cancel,
    rsvp_create,
)
from tests.conftest import text
from tests.events.test_admin import _event_form_data
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


def regular(**kwargs):
    """A member who came to an evening before (checked in at a past event)."""
    start = timezone.now() - timedelta(days=60)
    past = EventFactory(starts_at=start, ends_at=start + timedelta(hours=3))
    return RSVPFactory(event=past, member=UserFactory(**kwargs), checked_in_at=start).member


def held_event(**kwargs) -> Event:
    """10 seats, 3 of them held for first-timers until tomorrow."""
    defaults = {
        "capacity": 10,
        "held_seats": 3,
        "held_until": timezone.now() + timedelta(days=1),
    }
    return EventFactory(**{**defaults, **kwargs})


def fill(event: Event, n: int, *, first_timers: bool = False) -> list[RSVP]:
    return [
        RSVPFactory(event=event, member=UserFactory() if first_timers else regular())
        for _ in range(n)
    ]


def statuses(rsvps) -> list[str]:
    return [RSVP.objects.get(pk=r.pk).status for r in rsvps]


def run_command() -> str:
    out = io.StringIO()
    call_command("send_event_mail", stdout=out)
    return out.getvalue()


# --- The rule (Event.seats_open_to) ------------------------------------------------


def test_seats_open_to_keeps_the_held_seats_not_taken_by_first_timers():
    event = held_event()

    # 7 regulars seated: the 3 seats left are held.
    assert event.seats_open_to(first_timer=False, confirmed=7) == 0
    assert event.seats_open_to(first_timer=True, confirmed=7) == 3
    # 2 of the 7 are first-timers: only 1 seat still held.
    assert event.seats_open_to(first_timer=False, confirmed=7, confirmed_first_timers=2) == 2
    # After the deadline nothing is held.
    later = event.held_deadline + timedelta(seconds=1)
    assert event.seats_open_to(first_timer=False, confirmed=7, now=later) == 3


def test_the_default_deadline_is_the_day_before_and_never_after_the_start():
    event = held_event(held_until=None)
    assert event.held_deadline == event.starts_at - timedelta(hours=24)
    event.held_until = event.starts_at + timedelta(hours=1)
    assert event.held_deadline == event.starts_at


# --- The member experience -----------------------------------------------------------


def test_a_regular_is_waitlisted_while_held_seats_remain_and_told_why(client):
    event = held_event()
    fill(event, 7)
    me = regular()
    client.force_login(me)

    page = text(client.get(event.get_absolute_url()))
    assert "3 places restantes" in page
    assert f"dont 3 places réservées aux nouveaux venus jusqu'au {event.held_deadline_words}" in (
        page
    )
    assert "vous rejoindrez la liste d'attente" in page
    assert "Rejoindre la liste d'attente" in page

    response = client.post(reverse("events:rsvp", args=[event.slug]), {"diet": "none"}, follow=True)

    rsvp = RSVP.objects.get(event=event, member=me)
    assert rsvp.status == RSVP.Status.WAITLISTED
    assert (
        "3 places sont réservées aux nouveaux venus jusqu'au "
        f"{event.held_deadline_words} : vous êtes sur la liste d'attente, en position 1."
    ) in text(response)


def test_a_first_timer_takes_a_held_seat(client):
    event = held_event()
    fill(event, 7)
    newcomer = UserFactory()
    client.force_login(newcomer)

    page = text(client.get(event.get_absolute_url()))
    assert "Je m'inscris" in page
    assert "vous rejoindrez la liste d'attente" not in page

    response = client.post(reverse("events:rsvp", args=[event.slug]), {"diet": "none"}, follow=True)

    assert "C'est noté : votre place est confirmée !" in text(response)
    assert RSVP.objects.get(event=event, member=newcomer).status == RSVP.Status.CONFIRMED
    assert "dont 2 places réservées aux nouveaux venus" in text(response)


def test_first_timers_who_came_early_fill_the_held_seats():
    event = held_event()
    fill(event, 3, first_timers=True)  # early newcomers: the held seats are taken
    fill(event, 6)

    last = rsvp_create(event=event, member=regular())

    assert last.rsvp.status == RSVP.Status.CONFIRMED  # the 10th seat, open to everyone
    assert not last.held_back


def test_when_all_is_taken_everyone_waits_with_the_usual_message(client):
    event = held_event(capacity=3, held_seats=1)
    fill(event, 2)
    fill(event, 1, first_timers=True)
    client.force_login(UserFactory())

    response = client.post(reverse("events:rsvp", args=[event.slug]), {"diet": "none"}, follow=True)

    assert "L'événement est complet : vous êtes sur la liste d'attente, en position 1." in text(
        response
    )


@pytest.mark.parametrize(
    ("held_seats", "taken", "checks"),
    [
        (0, 1, 0),  # no seat held: first come, first served, no check at all
        (1, 0, 1),  # more free seats than held: only "is this a first-timer?", before the lock
        (1, 1, 2),  # the last free seat is held: who holds the seats taken, too
    ],
)
def test_the_first_timer_checks_cost_queries_only_where_seats_are_held(held_seats, taken, checks):
    event = held_event(capacity=2, held_seats=held_seats)
    fill(event, taken)
    member = regular()

    with CaptureQueriesContext(connection) as queries:
        result = rsvp_create(event=event, member=member)

    # The first-timer checks (members_first_timers) are the only EXISTS subqueries.
    first_timer_checks = [q for q in queries.captured_queries if "EXISTS" in q["sql"].upper()]
    assert len(first_timer_checks) == checks
    expected = RSVP.Status.WAITLISTED if held_seats and taken else RSVP.Status.CONFIRMED
    assert result.rsvp.status == expected


# --- Cancellations and capacity keep the held seats before the deadline ---------------


def test_a_cancellation_promotes_the_next_regular_into_a_seat_not_held_only():
    event = held_event()
    seated = fill(event, 7)
    waiting = [rsvp_create(event=event, member=regular()).rsvp for _ in range(2)]

    rsvp_cancel(rsvp=seated[0])

    assert statuses(waiting) == [RSVP.Status.CONFIRMED, RSVP.Status.WAITLISTED]
    assert event.seats_left == 3  # still the held ones


def test_a_first_timer_further_down_the_list_takes_a_held_seat_before_the_regulars():
    event = held_event(capacity=4, held_seats=2)
    fill(event, 2)  # the seats not held
    first_timers = fill(event, 2, first_timers=True)  # the held ones
    waiting_regular = rsvp_create(event=event, member=regular()).rsvp
    waiting_newcomer = rsvp_create(event=event, member=UserFactory()).rsvp
    assert statuses([waiting_regular, waiting_newcomer]) == [RSVP.Status.WAITLISTED] * 2

    rsvp_cancel(rsvp=first_timers[0])  # a held seat is free again

    assert statuses([waiting_regular, waiting_newcomer]) == [
        RSVP.Status.WAITLISTED,
        RSVP.Status.CONFIRMED,
    ]


def test_more_seats_go_to_the_waiting_list_but_not_into_the_held_ones():
    event = held_event(capacity=5, held_seats=3)
    fill(event, 2)
    waiting = [rsvp_create(event=event, member=regular()).rsvp for _ in range(3)]

    promoted = event_set_capacity(event=event, capacity=7)

    assert promoted == waiting[:2]
    assert statuses(waiting) == [RSVP.Status.CONFIRMED] * 2 + [RSVP.Status.WAITLISTED]


# --- The release at the deadline -------------------------------------------------------


def _past_deadline(event: Event) -> None:
    Event.objects.filter(pk=event.pk).update(held_until=timezone.now() - timedelta(seconds=1))


def test_held_seats_are_released_on_time_promoting_the_waiting_list_in_order():
    event = held_event(capacity=5, held_seats=3)
    fill(event, 2)
    waiting = [
        rsvp_create(event=event, member=regular(email=f"w{i}@example.org")).rsvp for i in range(4)
    ]

    assert "libérées" not in run_command()  # before the deadline: nothing moves
    assert statuses(waiting) == [RSVP.Status.WAITLISTED] * 4
    mail.outbox = []  # the waiting-list emails, sent by that run

    _past_deadline(event)
    out = run_command()

    assert "places réservées aux nouveaux venus libérées : 3 personnes" in out
    assert statuses(waiting) == [RSVP.Status.CONFIRMED] * 3 + [RSVP.Status.WAITLISTED]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "w0@example.org",
        "w1@example.org",
        "w2@example.org",
    ]
    assert all(m.subject.startswith("[Clermont'ech] Une place s'est libérée") for m in mail.outbox)
    event.refresh_from_db()
    assert event.held_released_at is not None

    mail.outbox = []
    assert "libérées" not in run_command()  # once: the next run has nothing to release
    assert mail.outbox == []


def test_the_default_deadline_releases_24_hours_before_the_start():
    event = held_event(
        capacity=1, held_seats=1, held_until=None, starts_at=timezone.now() + timedelta(hours=23)
    )
    waiting = rsvp_create(event=event, member=regular()).rsvp

    run_command()

    assert statuses([waiting]) == [RSVP.Status.CONFIRMED]


def test_past_the_deadline_a_new_rsvp_does_not_jump_the_waiting_list():
    event = held_event(capacity=3, held_seats=2)
    fill(event, 1)
    waiting = [rsvp_create(event=event, member=regular()).rsvp for _ in range(2)]
    _past_deadline(event)  # the scheduled command has not run yet

    late = rsvp_create(event=event, member=UserFactory()).rsvp

    assert statuses(waiting) == [RSVP.Status.CONFIRMED] * 2
    assert late.status == RSVP.Status.WAITLISTED
    assert held_seats_release(event=event) == []  # already released, by that RSVP


def test_a_release_promotes_nobody_into_a_cancelled_event():
    event = held_event(capacity=2, held_seats=2)
    waiting = rsvp_create(event=event, member=regular()).rsvp
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    _past_deadline(event)

    assert held_seats_release(event=event) == []
    assert statuses([waiting]) == [RSVP.Status.WAITLISTED]


def test_holding_fewer_seats_promotes_the_waiting_list_at_once():
    event = held_event(capacity=4, held_seats=3)
    fill(event, 1)
    waiting = [rsvp_create(event=event, member=regular()).rsvp for _ in range(3)]

    promoted = event_set_held_seats(event=event, held_seats=1, held_until=event.held_until)

    assert promoted == waiting[:2]
    assert statuses(waiting) == [RSVP.Status.CONFIRMED] * 2 + [RSVP.Status.WAITLISTED]


# --- The admin ------------------------------------------------------------------------


def test_admin_lists_the_held_seats_and_the_first_timers(organizer_client):
    event = held_event(title="API Hour #88")
    fill(event, 1, first_timers=True)
    fill(event, 2)

    events = text(organizer_client.get(reverse("admin:events_event_changelist")))
    rsvps = organizer_client.get(
        reverse("admin:events_rsvp_changelist") + f"?event__id__exact={event.pk}"
    ).content.decode()

    deadline = timezone.localtime(event.held_deadline).strftime("%d/%m %H:%M")
    held = f"3 réservées (2 libres) jusqu'au {deadline}"
    assert f'<small class="field-held">{held}</small>' in events
    assert rsvps.count('<td class="field-first_timer"><img src="/static/admin/img/icon-yes') == 1
    assert rsvps.count('<td class="field-first_timer"><img src="/static/admin/img/icon-no') == 2


def test_admin_holding_fewer_seats_goes_through_the_seat_service(organizer_client):
    event = held_event(capacity=3, held_seats=2)
    fill(event, 1)
    waiting = [rsvp_create(event=event, member=regular()).rsvp for _ in range(2)]
    url = reverse("admin:events_event_change", args=[event.pk])

    response = organizer_client.post(
        url,
        _event_form_data(event, organizer_client, url, held_seats=1)
        | {
            "held_until_0": timezone.localtime(event.held_until).strftime("%d/%m/%Y"),
            "held_until_1": timezone.localtime(event.held_until).strftime("%H:%M:%S"),
        },
        follow=True,
    )

    assert "1 personne de la liste d'attente a obtenu une place." in text(response)
    assert statuses(waiting) == [RSVP.Status.CONFIRMED, RSVP.Status.WAITLISTED]
    event.refresh_from_db()
    assert event.held_seats == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_seats": 60}, "Pas plus de places réservées que de places (50)."),
        ({"held_seats": 5, "capacity": ""}, "Sans limite de places, il n'y a pas de place"),
        ({"held_until_0": "01/01/2099", "held_until_1": "10:00:00"}, "libérées avant le début"),
    ],
)
def test_admin_refuses_held_seats_that_make_no_sense(organizer_client, changes, message):
    event = EventFactory()
    url = reverse("admin:events_event_change", args=[event.pk])

    response = organizer_client.post(url, _event_form_data(event, organizer_client, url, **changes))

    assert response.status_code == 200
    assert message in text(response)
    event.refresh_from_db()
    assert (event.held_seats, event.held_until) == (0, None)
