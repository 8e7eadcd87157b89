"""The organizers' insights (/admin/insights/): figures of a small world worked out here
by hand, the CSV of each table, who may see them, constant queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from events.models import RSVP, Diet
from talks.models import Talk
from tests.factories import (
    EventFactory,
    RSVPFactory,
    SpeakerFactory,
    StaffFactory,
    TalkFactory,
    TopicFactory,
    TopicVoteFactory,
    UserFactory,
)
from tests.history.test_history_page import table

pytestmark = pytest.mark.django_db
URL = "/admin/insights/"


@pytest.fixture
def world(db):
    now = timezone.now()
    # A: 40 days ago, checked in: 4 seats, 3 came, 1 still waiting at the end.
    a = EventFactory(number=10, title="API Hour #10", starts_at=now - timedelta(days=40))
    regulars = [UserFactory(display_name=f"Habitué {n}") for n in range(4)]
    for n, member in enumerate(regulars):
        RSVPFactory(event=a, member=member, checked_in_at=a.starts_at if n < 3 else None)
    RSVPFactory(event=a, status=RSVP.Status.WAITLISTED)
    # B: 20 days ago, nobody checked in: 2 seats, one of a regular who came to A.
    b = EventFactory(number=11, title="API Hour #11", starts_at=now - timedelta(days=20))
    RSVPFactory(event=b, member=regulars[0])
    RSVPFactory(event=b)
    # The next evening: 4 seats, full, 2 waiting; registration opened 3 days ago.
    opened = now - timedelta(days=3)
    upcoming = EventFactory(
        number=12, title="API Hour #12", capacity=4, registration_opens_at=opened
    )
    seats = [
        (regulars[1], Diet.VEGETARIAN, opened + timedelta(hours=1)),  # came to A
        (UserFactory(), Diet.VEGETARIAN, opened + timedelta(hours=2)),
        (UserFactory(), Diet.VEGAN, opened + timedelta(days=1, hours=1)),
        (UserFactory(), Diet.NONE, opened + timedelta(days=2)),
    ]
    for member, diet, created in seats:
        RSVPFactory(event=upcoming, member=member, diet=diet, created_at=created)
    for _ in range(2):
        RSVPFactory(
            event=upcoming, status=RSVP.Status.WAITLISTED, created_at=opened + timedelta(days=2)
        )
    return {"a": a, "b": b, "upcoming": upcoming, "opened": opened}


def page_of(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_the_next_evening(organizer_client, world):
    page = page_of(organizer_client)
    figures = re.sub(
        r"<[^>]+>|\s+", " ", re.search(r'data-testid="next-evening">(.*?)</dl>', page, re.S)[1]
    )
    figures = re.sub(r"\s+", " ", figures).strip()
    # 4 / 4 seats, 2 waiting; 3 of the 4 never came (regular 1 came to A); the show rate
    # of the past evenings that tracked it: A only, 3 / 4 = 75 %, so ceil(4 × 0.75) = 3.
    assert figures == (
        "Places confirmées 4 / 4 Liste d'attente 2 Premières venues 3 (75 %) "
        "Présence attendue 3 (taux de présence récent : 75 %)"
    )
    opened = timezone.localtime(world["opened"]).date()
    day = [(opened + timedelta(days=n)).strftime("%d/%m/%Y") for n in range(3)]
    # Every RSVP counts (the waiting list too: how fast people came), day by day.
    assert table(page, "rsvps-table") == [
        [day[0], "2", "2"],
        [day[1], "1", "3"],
        [day[2], "3", "6"],
    ]
    assert table(page, "diets-table") == [
        ["Pas de régime particulier", "1"],
        ["Végétarien", "2"],
        ["Végétalien (vegan)", "1"],
        ["Sans porc", "0"],
        ["Autre (allergies, précisez)", "0"],
    ]


def test_evening_after_evening(organizer_client, world):
    rows = table(page_of(organizer_client), "evenings-table")
    a_day = timezone.localtime(world["a"].starts_at).strftime("%d/%m/%Y")
    b_day = timezone.localtime(world["b"].starts_at).strftime("%d/%m/%Y")
    assert rows == [
        # seats, present, absent, show rate, waiting, first-timers (all four were new)
        ["API Hour #10", a_day, "4", "3", "1", "75", "1", "4", "100"],
        # not checked in: no presence; regular 0 came to A, the other is new
        ["API Hour #11", b_day, "2", "—", "—", "—", "0", "1", "50"],
    ]


def test_fill_speed_and_whom_to_invite(organizer_client, world):
    old = EventFactory(number=3, starts_at=timezone.now() - timedelta(days=800))
    quiet = SpeakerFactory(name="Parole ancienne")
    TalkFactory(status=Talk.Status.CONFIRMED, event=old, speakers=[quiet])
    banned = SpeakerFactory(name="Banni", user=UserFactory(banned_at=timezone.now()))
    TalkFactory(status=Talk.Status.CONFIRMED, event=old, speakers=[banned])
    recent = SpeakerFactory(name="Parole récente")
    TalkFactory(status=Talk.Status.CONFIRMED, event=world["a"], speakers=[recent])
    wished = TopicFactory(title="Les bases de données")
    for _ in range(3):
        TopicVoteFactory(topic=wished)
    TopicVoteFactory(topic=TopicFactory(title="Le Rust"))
    TopicFactory(title="Masqué", is_hidden=True)

    page = page_of(organizer_client)
    old_day = timezone.localtime(old.starts_at).strftime("%d/%m/%Y")
    assert table(page, "speakers-table") == [["Parole ancienne", old_day, "1"]]
    assert table(page, "topics-table") == [
        ["Les bases de données", "3", "0"],
        ["Le Rust", "1", "0"],
    ]
    # The next evening (capacity 4) filled with its 4th RSVP, 2 days after the opening:
    # 48 hours. The others have 50 seats and were never full.
    upcoming = world["upcoming"]
    weekday = date_format(timezone.localtime(upcoming.starts_at), "l")
    fill = table(page, "fill-table")
    assert fill[0] == [weekday, upcoming.venue.name, "1", "1", "48,0"]  # the fastest first
    assert all(row[2] == "0" and row[4] == "—" for row in fill[1:])


def test_csv_holds_the_same_rows(organizer_client, world):
    response = organizer_client.get("/admin/insights/evenings.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    a_day = timezone.localtime(world["a"].starts_at).date().isoformat()
    assert rows[0][:3] == ["Soirée", "Date", "Places confirmées"]
    assert rows[1] == ["API Hour #10", a_day, "4", "3", "1", "75", "1", "4", "100"]
    assert rows[2][3:6] == ["", "", ""]  # unknown stays empty, not "—"
    assert organizer_client.get("/admin/insights/inconnu.csv").status_code == 404


def test_organizers_only(client, world, member_client):
    staff = StaffFactory()
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    assert client.get("/admin/insights/evenings.csv").status_code == 403
    assert member_client.get(URL)["Location"].startswith("/admin/login/")


def test_linked_from_the_admin_index(organizer_client, client):
    assert URL in organizer_client.get("/admin/").content.decode()
    client.force_login(StaffFactory())
    assert URL not in client.get("/admin/").content.decode()


def test_queries_do_not_grow_with_the_evenings(organizer_client, world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert organizer_client.get(URL).status_code == 200
        return len(captured)

    queries()
    few = queries()
    for n in range(5):
        event = EventFactory(starts_at=timezone.now() - timedelta(days=60 + n))
        RSVPFactory(event=event, checked_in_at=event.starts_at)
        RSVPFactory(event=event)
        TalkFactory(status=Talk.Status.CONFIRMED, event=event)
    assert queries() == few
