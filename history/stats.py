"""The community's history in figures: what /histoire/ shows.

Everything is read from the site's public querysets (the evenings held:
Event.objects.published().past(); the talks given: Talk.objects.given()) in a fixed
number of queries, then counted in Python (a few hundred rows for thirteen years).
The result is cached (HISTORY_CACHE_KEY) and forgotten whenever an event, a venue, a
talk, a speaker or an RSVP is saved or deleted (history/apps.py), and after a day.
Years are Paris years (an evening on 31 December at 19:00 belongs to that year).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from events.models import Event
from talks.models import Talk

HISTORY_CACHE_KEY = "history:figures:v1"
HISTORY_CACHE_SECONDS = 24 * 3600
TOP_TOPICS = 15
TOP_SPEAKERS = 5

# Words of a title that say nothing about its topic (French and English).
_STOPWORDS_TEXT = """
    a à au aux avec ce ces cet cette comme comment dans de des du en entre est et être
    faire fait il ils la le les leur leurs ma mais mes mon ne nos notre nous on ou où par
    pas plus pour pourquoi quand que quel quelle quels qui quoi sa sans se ses son sous
    sur ta tes ton tous tout toute toutes très un une vers vos votre vous y ça ni car
    donc chez avoir peu bien mieux trop retour retours partie part
    the an of and or to in on for with from by is are be how why what when your you our
    we my it its at as into not no vs about using use new can do does don t s
    talk talks
"""
STOPWORDS = set(_STOPWORDS_TEXT.split())
WORD = re.compile(r"[\w][\w+#.-]*[\w+#]|[\w]", re.UNICODE)


@dataclass
class EveningRef:
    title: str
    number: int | None
    date: date
    url: str
    venue: str


@dataclass
class VenueSpan:
    name: str
    first_year: int
    last_year: int
    evenings: int
    first_date: date
    last_date: date

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1


@dataclass
class AttendanceRow:
    title: str
    number: int | None
    date: date
    present: int  # checked in, walk-ins included
    confirmed: int  # who RSVPed and held a seat
    rsvp_present: int  # of those, who came

    @property
    def show_rate_percent(self) -> int | None:
        return round(100 * self.rsvp_present / self.confirmed) if self.confirmed else None


@dataclass
class SpeakerCount:
    name: str
    url: str
    talks: int


@dataclass
class HistoryFigures:
    evenings: int = 0
    talks: int = 0
    speakers: int = 0
    evenings_per_year: list[tuple[int, int]] = field(default_factory=list)
    talks_per_year: list[tuple[int, int]] = field(default_factory=list)
    first_time_speakers_per_year: list[tuple[int, int]] = field(default_factory=list)
    venues: list[VenueSpan] = field(default_factory=list)
    topics: list[tuple[str, int]] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    first_evening: EveningRef | None = None
    fiftieth_evening: EveningRef | None = None
    top_speakers: list[SpeakerCount] = field(default_factory=list)
    longest_venue: VenueSpan | None = None


def _year(moment) -> int:
    return timezone.localtime(moment).year


def _ref(event: Event) -> EveningRef:
    return EveningRef(
        title=event.title,
        number=event.number,
        date=timezone.localtime(event.starts_at).date(),
        url=event.get_absolute_url(),
        venue=event.venue.name if event.venue_id else "",
    )


def _per_year(years: list[int]) -> list[tuple[int, int]]:
    """Every year from the first to the last, zeros included (a gap shows as a gap)."""
    if not years:
        return []
    counts = Counter(years)
    return [(y, counts.get(y, 0)) for y in range(min(years), max(years) + 1)]


def _fold(word: str) -> str:
    """The key of a word: lower case, accents off ("Sécurité" and "securite" are one)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def title_topics(titles: list[str], limit: int = TOP_TOPICS) -> list[tuple[str, int]]:
    """The words that came back in most titles (each title counts a word once), shown
    in their most frequent spelling; stop words, numbers and one-letter words left out.
    Ties: alphabetical."""
    talks_per_word: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for title in titles:
        seen = set()
        for word in WORD.findall(title):
            key = _fold(word)
            if len(key) < 2 or not any(c.isalpha() for c in key) or key in STOPWORDS:
                continue
            spellings[key][word] += 1
            seen.add(key)
        talks_per_word.update(seen)
    ranked = sorted(
        ((key, n) for key, n in talks_per_word.items() if n >= 2),
        key=lambda item: (-item[1], item[0]),
    )
    return [(spellings[key].most_common(1)[0][0], n) for key, n in ranked[:limit]]


def compute_history() -> HistoryFigures:
    """Every figure of the page, in four queries whatever the size of the archive."""
    held = list(
        Event.objects.published()
        .past()
        .with_attendance()
        .select_related("venue")
        .order_by("starts_at", "pk")
    )
    talks = list(
        Talk.objects.given()
        .select_related("event")
        .with_speakers()
        .prefetch_related("speaker_links__speaker__user")
        .order_by("event__starts_at", "position", "pk")
    )
    figures = HistoryFigures(evenings=len(held), talks=len(talks))
    figures.evenings_per_year = _per_year([_year(e.starts_at) for e in held])
    figures.talks_per_year = _per_year([_year(t.event.starts_at) for t in talks])

    first_year_of: dict[int, int] = {}
    talk_count: Counter[int] = Counter()
    speakers = {}
    for talk in talks:  # in date order: the first talk of a speaker comes first
        for speaker in talk.speaker_list:
            first_year_of.setdefault(speaker.pk, _year(talk.event.starts_at))
            talk_count[speaker.pk] += 1
            speakers[speaker.pk] = speaker
    figures.speakers = len(speakers)
    years = [y for y, _ in figures.talks_per_year]
    newcomers = Counter(first_year_of.values())
    figures.first_time_speakers_per_year = [(y, newcomers.get(y, 0)) for y in years]
    # A banned member is not put forward on the page (their talks stay in the archive).
    named = [pk for pk in talk_count if not (speakers[pk].user_id and speakers[pk].user.banned_at)]
    ranked = sorted(named, key=lambda pk: (-talk_count[pk], speakers[pk].name))
    figures.top_speakers = [
        SpeakerCount(speakers[pk].name, speakers[pk].get_absolute_url(), talk_count[pk])
        for pk in ranked[:TOP_SPEAKERS]
        if talk_count[pk] >= 2
    ]

    spans: dict[int, VenueSpan] = {}
    for event in held:
        if not event.venue_id:
            continue
        day = timezone.localtime(event.starts_at).date()
        span = spans.get(event.venue_id)
        if span is None:
            spans[event.venue_id] = VenueSpan(event.venue.name, day.year, day.year, 1, day, day)
        else:
            span.last_year, span.last_date = day.year, day
            span.evenings += 1
    figures.venues = sorted(spans.values(), key=lambda s: (s.first_date, s.name))
    if spans:
        figures.longest_venue = max(
            spans.values(),
            # Longest from first to last evening, then most evenings, then the older one.
            key=lambda s: (s.last_date - s.first_date, s.evenings, -s.first_date.toordinal()),
        )

    figures.topics = title_topics([t.title for t in talks])
    figures.attendance = [
        AttendanceRow(
            title=e.title,
            number=e.number,
            date=timezone.localtime(e.starts_at).date(),
            present=e.checked_in_count,
            confirmed=e.rsvp_confirmed_count,
            rsvp_present=e.rsvp_present_count,
        )
        for e in held
        if e.attendance_tracked
    ]
    if held:
        figures.first_evening = _ref(held[0])
        numbered = [e for e in held if e.number == 50]
        if numbered:
            figures.fiftieth_evening = _ref(numbered[0])
        elif len(held) >= 50:
            figures.fiftieth_evening = _ref(held[49])
    return figures


def history_figures() -> HistoryFigures:
    """The figures, from the cache when they are there."""
    return cache.get_or_set(HISTORY_CACHE_KEY, compute_history, HISTORY_CACHE_SECONDS)


def history_forget(**kwargs) -> None:
    """Signal receiver: something the page shows changed; the next visit recomputes.
    Dropped now, and again once the change commits: a visit between the two, which read
    the database before the change was visible, cannot leave stale figures behind."""
    cache.delete(HISTORY_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(HISTORY_CACHE_KEY))
