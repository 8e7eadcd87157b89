"""Attendance after the event: present / no-show, show rate, who never comes."""

from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Event, members_never_come, members_with_attendance
from members.models import User
from tests.conftest import count_queries, text
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _past_event(**kwargs) -> Event:
    return EventFactory(past=True, **kwargs)


def _attended(event, member=None, **kwargs) -> RSVP:
    extra = {"member": member} if member else {}
    return RSVPFactory(event=event, checked_in_at=NOW(), **extra, **kwargs)


def _missed(event, member=None) -> RSVP:
    return RSVPFactory(event=event, **({"member": member} if member else {}))


def test_rsvp_attendance_present_no_show_or_unknown():
    tracked = _past_event()
    came, missed = _attended(tracked), _missed(tracked)
    waiting = RSVPFactory(event=tracked, status=RSVP.Status.WAITLISTED)
    untracked = _missed(_past_event())
    upcoming = _missed(EventFactory())

    assert came.attendance == RSVP.Attendance.PRESENT
    assert missed.attendance == RSVP.Attendance.NO_SHOW
    assert missed.get_attendance_display() == "absent·e"
    assert waiting.attendance is None
    assert untracked.attendance is None  # nobody was checked in: unknown, not absent
    assert upcoming.attendance is None


def test_rsvp_queryset_present_and_no_show():
    tracked = _past_event()
    came, missed = _attended(tracked), _missed(tracked)
    _missed(_past_event())  # untracked
    _missed(EventFactory())  # not over

    assert list(RSVP.objects.present()) == [came]
    assert list(RSVP.objects.no_show()) == [missed]


def test_show_rate_is_present_over_confirmed():
    event = _past_event()
    for _ in range(3):
        _attended(event)
    _missed(event)
    RSVPFactory(event=event, status=RSVP.Status.CANCELLED)

    assert event.show_rate == Fraction(3, 4)
    assert Event.objects.with_attendance().get(pk=event.pk).show_rate == Fraction(3, 4)


def test_walk_ins_do_not_count_in_the_show_rate():
    event = _past_event()
    _attended(event)
    _missed(event)
    for _ in range(5):
        _attended(event, walk_in=True)

    annotated = Event.objects.with_attendance().get(pk=event.pk)
    assert annotated.checked_in_count == 6
    assert (annotated.rsvp_present_count, annotated.rsvp_confirmed_count) == (1, 2)
    assert annotated.show_rate == Fraction(1, 2)


def test_event_without_check_in_has_no_show_rate():
    event = _past_event()
    _missed(event)
    _missed(event)

    assert event.attendance_tracked is False
    assert event.show_rate is None
    assert list(Event.objects.tracked()) == []


def test_admin_event_list_shows_the_show_rate(organizer_client):
    tracked = _past_event(title="Pointée")
    _attended(tracked)
    _attended(tracked)
    _missed(tracked)
    _attended(tracked, walk_in=True)
    untracked = _past_event(title="Archive")
    _missed(untracked)

    response = organizer_client.get(reverse("admin:events_event_changelist"))
    rows = {e.title: e for e in response.context["cl"].result_list}

    assert "67 % (2 / 3)" in text(response)
    assert rows["Archive"].show_rate is None
    assert '<td class="field-show_rate">—</td>' in text(response)


def test_admin_event_list_query_count_does_not_grow(organizer_client):
    for _ in range(2):
        _attended(_past_event())
    one = count_queries(organizer_client, reverse("admin:events_event_changelist"))
    for _ in range(8):
        event = _past_event()
        _attended(event)
        _missed(event)
        EventFactory()

    assert count_queries(organizer_client, reverse("admin:events_event_changelist")) == one


# --- Members: history and "never comes" ---------------------------------------------------


def test_never_come_needs_two_no_shows_at_tracked_events_and_no_check_in():
    first, second = _past_event(), _past_event()
    for event in (first, second):
        _attended(event)  # someone was checked in: both events tracked
    ghost = UserFactory(display_name="Fantôme")
    _missed(first, ghost)
    _missed(second, ghost)
    once = UserFactory(display_name="Une fois")
    _missed(first, once)
    came_once = UserFactory(display_name="Venu une fois")
    _missed(first, came_once)
    _attended(second, came_once)
    archive_only = UserFactory(display_name="Archives")
    for _ in range(3):
        _missed(_past_event(), archive_only)  # untracked events: unknown, not absent
    upcoming = UserFactory(display_name="Bientôt")
    _missed(first, upcoming)
    _missed(EventFactory(), upcoming)  # not over yet

    assert list(members_never_come(User.objects.all())) == [ghost]
    annotated = members_with_attendance(User.objects.all()).get(pk=came_once.pk)
    assert (annotated.attended_count, annotated.no_show_count) == (1, 1)


def test_member_admin_never_come_filter(organizer_client):
    first, second = _past_event(), _past_event()
    regular = UserFactory(display_name="Régulière")
    _attended(first, regular)
    _attended(second, regular)
    ghost = UserFactory(display_name="Fantôme")
    _missed(first, ghost)
    _missed(second, ghost)

    response = organizer_client.get(
        reverse("admin:members_user_changelist"), {"attendance": "never"}
    )

    assert [u.display_name for u in response.context["cl"].result_list] == ["Fantôme"]
    assert '<td class="field-attendance">0 / 2</td>' in text(response)
    came = organizer_client.get(reverse("admin:members_user_changelist"), {"attendance": "came"})
    assert [u.display_name for u in came.context["cl"].result_list] == ["Régulière"]


def test_member_admin_shows_the_attendance_history(organizer_client, member):
    tracked = _past_event(title="API Hour pointée")
    _attended(tracked, member)
    missed = _past_event(title="API Hour manquée")
    _attended(missed)
    _missed(missed, member)
    _missed(_past_event(title="API Hour archive"), member)

    page = text(organizer_client.get(reverse("admin:members_user_change", args=[member.pk])))

    assert "Présence aux événements" in page
    assert "API Hour pointée</a></td><td>" in page
    assert page.count("présent·e") == 1
    assert page.count("absent·e</td>") == 1
    assert "Présences : 1 ; absences : 1." in page


def test_member_admin_list_query_count_does_not_grow(organizer_client):
    event = _past_event()
    _attended(event)
    one = count_queries(organizer_client, reverse("admin:members_user_changelist"))
    for _ in range(10):
        _missed(event, UserFactory())

    assert count_queries(organizer_client, reverse("admin:members_user_changelist")) == one
