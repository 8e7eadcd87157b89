"""/histoire/: the figures of a small archive, computed here from the fixture's own
description (not by the code under test), the cache and its invalidation, no script."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP
from talks.models import Talk
from tests.factories import (
    EventFactory,
    RSVPFactory,
    SpeakerFactory,
    TalkFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
URL = "/histoire/"

# The archive: (number, Paris date, venue, [(title, [speakers])]).
EVENINGS = [
    (1, datetime(2015, 3, 10, 19), "Le Bivouac", [
        ("Rust et WebAssembly", ["Ada"]), ("Kubernetes en production", ["Bob"])]),
    (2, datetime(2015, 6, 10, 19), "Le Bivouac", [("Rust pour les débutants", ["Ada", "Chloé"])]),
    (3, datetime(2017, 5, 10, 19), "Turing22", [("Kubernetes sans douleur", ["Dan"])]),
    # New Year's Eve at 23:30 in Paris is already the next year in UTC: still 2017 here.
    (4, datetime(2017, 12, 31, 23, 30), "Le Bivouac", [("Rust embarqué", ["Ada"])]),
]  # fmt: skip


@pytest.fixture
def archive(db):
    cache.clear()
    venues = {name: VenueFactory(name=name) for name in {e[2] for e in EVENINGS}}
    speakers = {}
    events = {}
    for number, start, venue, talks in EVENINGS:
        starts_at = start.replace(tzinfo=PARIS)
        event = EventFactory(
            number=number,
            slug=f"api-hour-{number}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            venue=venues[venue],
        )
        events[number] = event
        for position, (title, names) in enumerate(talks):
            for name in names:
                if name not in speakers:
                    speakers[name] = SpeakerFactory(name=name)
            people = [speakers[n] for n in names]
            TalkFactory(
                title=title,
                status=Talk.Status.CONFIRMED,
                event=event,
                position=position,
                speakers=people,
            )
    # What must not count: a draft and a cancelled evening, one to come, a submitted talk.
    past = datetime(2016, 4, 4, 19, tzinfo=PARIS)
    EventFactory(draft=True, starts_at=past, ends_at=past + timedelta(hours=2))
    EventFactory(cancelled=True, starts_at=past, ends_at=past + timedelta(hours=2))
    EventFactory(starts_at=timezone.now() + timedelta(days=10))
    TalkFactory(title="Rust caché", event=events[3], speakers=[SpeakerFactory(name="Eve")])
    # Check-in at #4: three seats, two came, plus one walk-in.
    rsvps = [RSVPFactory(event=events[4]) for _ in range(3)]
    for rsvp in rsvps[:2]:
        rsvp.checked_in_at = events[4].starts_at
        rsvp.save()
    RSVPFactory(event=events[4], walk_in=True, checked_in_at=events[4].starts_at)
    return events


def table(page: str, testid: str) -> list[list[str]]:
    """The rows of the table `testid`, each as the text of its cells."""
    match = re.search(rf'<table[^>]*data-testid="{testid}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert match, f"no table {testid}"
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row] for row in cells]


def expected_per_year(years: list[int]) -> list[list[str]]:
    counts = Counter(years)
    return [[str(y), str(counts[y])] for y in range(min(years), max(years) + 1)]


def test_charts_tables_hold_the_archive_figures(client, archive):
    page = client.get(URL).content.decode()

    evening_years = [start.year for _, start, _, _ in EVENINGS]
    talk_years = [start.year for _, start, _, talks in EVENINGS for _ in talks]
    first_year: dict[str, int] = {}
    for _, start, _, talks in EVENINGS:
        for _, names in talks:
            for name in names:
                first_year.setdefault(name, start.year)
    newcomers = Counter(first_year.values())

    assert table(page, "evenings-table") == expected_per_year(evening_years)
    assert table(page, "talks-table") == expected_per_year(talk_years)
    assert table(page, "newcomers-table") == [
        [str(y), str(newcomers[y])] for y in range(min(talk_years), max(talk_years) + 1)
    ]
    assert table(page, "venues-table") == [
        ["Le Bivouac", "03/2015", "12/2017", "3"],
        ["Turing22", "05/2017", "05/2017", "1"],
    ]
    words = Counter(
        word
        for _, _, _, talks in EVENINGS
        for title, _ in talks
        for word in {"Rust", "Kubernetes"} & set(title.split())
    )
    assert table(page, "topics-table") == [["Rust", str(words["Rust"])], ["Kubernetes", "2"]]
    assert table(page, "attendance-table") == [["API Hour #4 31/12/2017", "3", "2 / 3 (67 %)"]]


def test_milestones(client, archive):
    page = html.unescape(client.get(URL).content.decode())
    totals = re.sub(r"\s+", " ", re.search(r'data-testid="totals">(.*?)</p>', page, re.S)[1])
    assert totals.strip() == "4 soirées, 5 talks, 4 intervenant·es."
    assert re.search(
        r'data-testid="first-evening"><a href="/events/api-hour-1/">API Hour #1</a>, '
        r"10 mars 2015 — Le Bivouac",
        page,
    )
    assert "Ada</a> : 3 talks" in page
    assert "Bob</a>" not in page  # one talk is not a record
    assert "Le Bivouac : 3 soirées, de mars 2015 à décembre 2017" in page
    assert 'data-testid="fiftieth-evening"' not in page

    EventFactory(number=50, slug="api-hour-50", starts_at=datetime(2019, 1, 1, 19, tzinfo=PARIS))
    page = html.unescape(client.get(URL).content.decode())
    assert re.search(
        r'data-testid="fiftieth-evening"><a href="/events/api-hour-50/">API Hour #50</a>', page
    )


def test_a_banned_speaker_is_not_put_forward(client, archive):
    ada = archive[1].talks.get(title="Rust et WebAssembly").speakers.get()
    ada.user = UserFactory(banned_at=timezone.now())
    ada.save()
    page = client.get(URL).content.decode()
    assert 'data-testid="top-speakers"' not in page
    assert table(page, "talks-table")[0] == ["2015", "3"]  # the archive keeps the talks


def test_figures_are_cached_and_forgotten_when_an_event_changes(client, archive):
    client.get(URL)
    with CaptureQueriesContext(connection) as cached:
        client.get(URL)
    assert len(cached) <= 2  # the cache read (and the session-free page)

    evening = archive[3]
    evening.starts_at = evening.starts_at.replace(year=2016)
    evening.ends_at = evening.starts_at + timedelta(hours=2)
    evening.save()
    assert table(client.get(URL).content.decode(), "evenings-table")[1] == ["2016", "1"]

    rsvp = RSVP.objects.filter(event=archive[4], checked_in_at__isnull=True).get()
    rsvp.checked_in_at = archive[4].starts_at
    rsvp.save()
    rows = table(client.get(URL).content.decode(), "attendance-table")
    assert rows == [["API Hour #4 31/12/2017", "4", "3 / 3 (100 %)"]]


def test_queries_do_not_grow_with_the_archive(client, archive):
    def uncached() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    few = uncached()
    for n in range(5):
        start = datetime(2019, 2, 1 + n, 19, tzinfo=PARIS)
        event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2))
        TalkFactory(status=Talk.Status.CONFIRMED, event=event, speakers=[SpeakerFactory()])
        RSVPFactory(event=event, checked_in_at=start)
    assert uncached() == few


def test_page_without_any_evening(client):
    cache.clear()
    response = client.get(URL)
    assert "Aucune soirée n'a encore eu lieu" in response.content.decode()


def test_no_script_and_no_inline_style_the_csp_holds(client, archive):
    response = client.get(URL)
    page = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert " style=" not in page and "<style" not in page
    assert "style-src 'self'" in response["Content-Security-Policy"]
    assert page.count("<svg") == 6 and page.count('role="img"') == 6


def test_linked_from_the_menu_and_in_english(client, archive):
    home = client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' in home
    client.post(reverse("set_language"), {"language": "en"})
    page = client.get(URL).content.decode()
    assert "<h1>Our history</h1>" in page
    assert "Evenings per year" in page
