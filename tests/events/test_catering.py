"""Catering: confirmed and expected counts per diet, CSV, printable page."""

from datetime import timedelta
from fractions import Fraction

import pytest
from django.urls import reverse
from django.utils import timezone

from events.models import DEFAULT_SHOW_RATE, RSVP, Diet, Event
from tests.conftest import text
from tests.events.spreadsheet import read_csv
from tests.factories import EventFactory, RSVPFactory

pytestmark = pytest.mark.django_db


def _past_event(days_ago: int, present: int, absent: int, walk_ins: int = 0) -> Event:
    starts = timezone.now() - timedelta(days=days_ago)
    event = EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
    for _ in range(present):
        RSVPFactory(event=event, checked_in_at=starts)
    for _ in range(absent):
        RSVPFactory(event=event)
    for _ in range(walk_ins):
        RSVPFactory(event=event, checked_in_at=starts, walk_in=True)
    return event


def _upcoming(vegetarian: int, none: int) -> Event:
    event = EventFactory(title="La prochaine")
    RSVPFactory.create_batch(vegetarian, event=event, diet=Diet.VEGETARIAN)
    RSVPFactory.create_batch(none, event=event, diet=Diet.NONE)
    RSVPFactory(event=event, diet=Diet.VEGAN, status=RSVP.Status.WAITLISTED)  # not counted
    return event


def _rows(response) -> dict:
    return {label: (n, expected) for label, n, expected in response.context["summary"]["rows"]}


def _catering(client, event):
    return client.get(reverse("admin:events_event_catering", args=[event.pk]))


def test_expected_counts_use_the_recent_show_rate_rounded_up(organizer_client):
    _past_event(days_ago=30, present=3, absent=1, walk_ins=4)  # 3/4: walk-ins excluded
    event = _upcoming(vegetarian=3, none=5)

    response = _catering(organizer_client, event)
    page = text(response)

    rows = _rows(response)
    assert rows["Végétarien"] == (3, 3)  # 3 x 0.75 = 2.25 -> 3
    assert rows["Pas de régime particulier"] == (5, 4)  # 3.75 -> 4
    assert rows["Végétalien (vegan)"] == (0, 0)
    assert "<th>8</th><th>7</th>" in page
    assert "Taux de présence retenu : 75 %" in page
    assert "Taux de présence de la dernière soirée pointée à l'entrée (API Hour" in page


def test_expected_counts_with_the_default_rate_without_history(organizer_client):
    _past_event(days_ago=30, present=0, absent=6)  # nobody checked in: no history
    event = _upcoming(vegetarian=3, none=10)

    response = _catering(organizer_client, event)

    assert response.context["summary"]["estimate"].rate == DEFAULT_SHOW_RATE == Fraction(4, 5)
    assert _rows(response)["Végétarien"] == (3, 3)  # 2.4 -> 3
    assert _rows(response)["Pas de régime particulier"] == (10, 8)  # exactly 8, no float error
    assert "Taux de présence retenu : 80 % (par défaut)" in text(response)
    assert "aucune soirée précédente n'a été pointée" in text(response)


def test_show_rate_pools_the_five_most_recent_tracked_events():
    _past_event(days_ago=400, present=0, absent=10)  # untracked: ignored
    _past_event(days_ago=300, present=1, absent=9)  # sixth most recent: ignored
    for days in (50, 40, 30, 20, 10):
        _past_event(days_ago=days, present=3, absent=1)

    estimate = Event.objects.show_rate_estimate()

    assert len(estimate.events) == 5
    assert estimate.rate == 0.75
    assert estimate.expected(10) == 8


def test_catering_estimate_ignores_the_event_itself_and_later_ones(organizer_client):
    _past_event(days_ago=30, present=1, absent=1)
    event = _past_event(days_ago=20, present=0, absent=4)
    RSVPFactory(event=event, checked_in_at=timezone.now())  # event itself is tracked
    _past_event(days_ago=10, present=1, absent=9)

    response = _catering(organizer_client, event)

    assert response.context["summary"]["estimate"].rate == 0.5


def test_catering_csv(organizer_client):
    _past_event(days_ago=30, present=3, absent=1)
    event = _upcoming(vegetarian=3, none=5)
    RSVPFactory(event=event, diet=Diet.OTHER, diet_notes="=arachides", member__display_name="Léa")
    RSVPFactory(
        event=event,
        diet=Diet.OTHER,
        diet_notes=" @SUM(A1);-1",
        member__display_name="Mallory;=2+5",
    )

    response = organizer_client.get(reverse("admin:events_event_catering_csv", args=[event.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="' + event.slug + '-traiteur.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Régime", "Confirmés", "Attendus"]
    assert rows[1:7] == [
        ["Pas de régime particulier", "5", "4"],
        ["Végétarien", "3", "3"],
        ["Végétalien (vegan)", "0", "0"],
        ["Sans porc", "0", "0"],
        ["Autre (allergies, précisez)", "2", "2"],
        ["Total", "10", "9"],
    ]  # counts as plain numbers: the spreadsheet can add them up
    assert ["Taux de présence", "75 %"] in rows
    assert ["Précisions", "Léa", "'=arachides"] in rows  # no spreadsheet formula
    assert ["Précisions", "Mallory;=2+5", "' @SUM(A1);-1"] in rows  # one cell each


def test_catering_print_page_is_plain_and_printable(organizer_client):
    event = _upcoming(vegetarian=2, none=0)

    response = organizer_client.get(reverse("admin:events_event_catering_print", args=[event.pk]))
    page = text(response)

    assert response.status_code == 200
    assert "Traiteur : La prochaine" in page
    assert "/static/css/catering.css" in page
    assert '<script src="/static/js/print.js" defer></script>' in page
    assert "<script>" not in page and "onclick" not in page  # the CSP forbids inline JS
    assert "data-print hidden>Imprimer</button>" in page
    assert 'id="header"' not in page  # no admin chrome on paper


def test_catering_page_links_to_csv_and_print(organizer_client, event):
    page = text(_catering(organizer_client, event))

    assert reverse("admin:events_event_catering_csv", args=[event.pk]) in page
    assert reverse("admin:events_event_catering_print", args=[event.pk]) in page


def test_catering_pages_are_for_staff_only(member_client, event):
    for name in ["catering", "catering_csv", "catering_print"]:
        response = member_client.get(reverse(f"admin:events_event_{name}", args=[event.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
