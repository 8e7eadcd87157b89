"""/histoire/ on an imported archive (the synthetic Jekyll site of the benchmarks): the
expected figures follow from the generator's own rules, computed here."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from benchmarks.jekyll_site import VENUES, write_site
from tests.history.test_history_page import table

pytestmark = pytest.mark.django_db
EVENTS, TALKS_PER_EVENT, START = 60, 3, date(2013, 4, 3)


def generated():
    """(number, day, venue, [speaker names per talk]) as write_site writes them."""
    for number in range(1, EVENTS + 1):
        day = START + timedelta(days=45 * (number - 1))
        talks = []
        for i in range(1, TALKS_PER_EVENT + 1):
            names = [f"Intervenant {number}-{i}"]
            if i == 2:
                names.append(f"Co {number % 40}")
            talks.append(names)
        yield number, day, VENUES[number % len(VENUES)][0], talks


def test_history_of_an_imported_archive(client, tmp_path):
    write_site(tmp_path, events=EVENTS, talks_per_event=TALKS_PER_EVENT, start=START)
    call_command("import_jekyll", str(tmp_path), stdout=StringIO())
    cache.clear()
    page = client.get("/histoire/").content.decode()

    evenings = list(generated())
    years = Counter(day.year for _, day, _, _ in evenings)
    span = range(min(years), max(years) + 1)
    assert table(page, "evenings-table") == [[str(y), str(years[y])] for y in span]
    assert table(page, "talks-table") == [[str(y), str(years[y] * TALKS_PER_EVENT)] for y in span]

    seen, newcomers, talks_of = set(), Counter(), Counter()
    for _, day, _, talks in evenings:
        for names in talks:
            for name in names:
                talks_of[name] += 1
                if name not in seen:
                    seen.add(name)
                    newcomers[day.year] += 1
    assert table(page, "newcomers-table") == [[str(y), str(newcomers[y])] for y in span]

    text = html.unescape(page)
    assert re.search(r'data-testid="fiftieth-evening"><a href="/events/api-hour-50/">', text)
    most = max(talks_of.values())
    top = sorted(n for n in talks_of if talks_of[n] == most)[:5]
    shown = re.findall(r'<li><a href="/speakers/[^"]+/">([^<]+)</a> : (\d+) talks</li>', text)
    assert shown == [(name, str(most)) for name in top]

    venues: dict[str, list[date]] = {}
    for _, day, venue, _ in evenings:
        venues.setdefault(venue, []).append(day)
    longest = max(
        venues,
        key=lambda v: (venues[v][-1] - venues[v][0], len(venues[v]), -venues[v][0].toordinal()),
    )
    shown_venue = re.search(r'data-testid="longest-venue">([^:]+) : (\d+) soirées', text)
    # The importer may write the venue's name its own way ("Turing22"): compare without spaces.
    assert shown_venue[1].replace(" ", "") == longest.replace(" ", "")
    assert int(shown_venue[2]) == len(venues[longest])
    # "Talk 12.3": no word comes back but "talk" and numbers, which are left out.
    assert 'data-testid="topics-table"' not in page
