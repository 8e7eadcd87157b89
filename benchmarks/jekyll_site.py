"""A synthetic Jekyll archive like the Clermont'ech site: N API Hours with their talks.

Used by the import benchmark (benchmarks/run.py) and by the query-count tests of the
pages with imported data. Every event post has its date, venue and programme in
prose, every talk its speakers (some co-speakers), video and slides.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
VENUES = [
    ("SUPINFO", "37 Rue Gonod 63000 Clermont-Ferrand"),
    ("Turing 22", "22 Allée Alan Turing, 63000 Clermont-Ferrand"),
    ("Centre Jean Richepin", "21 Rue J. Richepin, 63000 Clermont-Ferrand"),
]


def write_site(
    site: Path, *, events: int, talks_per_event: int = 3, first: int = 1, start=date(2013, 4, 3)
) -> int:
    """Write SITE/_posts with `events` API Hours numbered from `first`; returns the post count."""
    posts = site / "_posts"
    posts.mkdir(parents=True, exist_ok=True)
    count = 0
    for number in range(first, first + events):
        day = start + timedelta(days=45 * (number - 1))
        venue, address = VENUES[number % len(VENUES)]
        programme = []
        for i in range(1, talks_per_event + 1):
            stem = f"{day.isoformat()}-{i}-talk-{number}-{i}"
            speakers = f"Intervenant {number}-{i}"
            if i == 2:
                speakers += f" &amp; Co {number % 40}"  # co-speakers, some shared across years
            title = f"Talk {number}.{i}"
            (posts / f"{stem}.md").write_text(
                f"---\nlayout: talk\ncategories: [talks, api-hour-{number}]\ntitle: {title}\n"
                f"author: {speakers}\nauthor_url: https://example.org/{number}/{i}\n"
                f"slides_url: https://slides.example.org/{number}/{i}\n"
                f"video: abcdefghi{i:02d}\nvideo_start: {i * 10}\n---\n\n"
                f"Le résumé du talk {number}.{i}, sur [le site](https://example.org).\n",
                encoding="utf-8",
            )
            programme.append(
                f"### {title} • {speakers} • 15 min\n\nRésumé.\n\n"
                f"[Voir la vidéo]({{% post_url {stem} %}})\n"
            )
            count += 1
        announce = day - timedelta(days=10)
        (posts / f"{announce.isoformat()}-api-hour-{number}.md").write_text(
            f"---\nlayout: post\ncategory: api-hours\ntitle: Clermont'ech API Hour &#35;{number}\n"
            f"flickr_set_id: {72157633945134494 + number}\n---\n\n"
            "## Informations pratiques\n\n"
            f"Cet événement aura lieu le **{day.day} {MONTHS[day.month - 1]} {day.year}** à "
            f"**19h** à l'adresse exacte : **{venue}** - {address}.\n\n"
            "## Inscription\n\nCet événement est limité à **50 personnes**.\n\n"
            "## Programme\n\n" + "\n".join(programme),
            encoding="utf-8",
        )
        count += 1
    return count
