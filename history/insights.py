"""The organizers' insights (admin, /admin/insights/): figures to decide from.

Each figure is a Table (columns and rows): the admin page shows it beside its chart and
offers it as CSV, from the same rows. Read-only, a fixed number of queries per table.

The rules used come from their homes: seats and waiting list from Event and RSVP,
the show rate estimate from EventQuerySet.show_rate_estimate (as the catering page),
first-timers from events.models.members_first_timers, the wishlist ranking from
TopicQuerySet.ranked, public talks from TalkQuerySet.given.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from events.models import RSVP, Diet, Event, members_first_timers
from members.models import User
from talks.models import Speaker, Talk, Topic

# Across evenings: the most recent evenings held, oldest first in the charts.
RECENT_EVENINGS = 20
# A speaker whose last public talk is older than this is "not heard for a while".
QUIET_AFTER = timedelta(days=365)
QUIET_SPEAKERS = 20
TOP_TOPICS = 10


@dataclass
class Table:
    """One figure: its columns and rows (what the page's table and the CSV show)."""

    slug: str  # its CSV address: /admin/insights/<slug>.csv
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def shown_rows(self) -> list[list[str]]:
        """For the page: dates as 31/12/2026, nothing known as "—"."""
        return [[_shown(cell) for cell in row] for row in self.rows]

    def csv_rows(self) -> list[list]:
        """For the CSV: dates as 2026-12-31, nothing known as an empty cell, numbers as
        numbers (events.admin.csv_cell keeps them so)."""
        return [[_csv(cell) for cell in row] for row in self.rows]


def _shown(cell) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, date):
        return date_format(cell, "d/m/Y")
    if isinstance(cell, float):
        return number_format(cell, 1)  # 48,0 in French
    return str(cell)


def _csv(cell):
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float):
        return str(cell).replace(".", ",")  # a French spreadsheet's decimal comma
    return cell


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def next_evening() -> Event | None:
    """The upcoming evening the page is about: the next published one."""
    return Event.objects.published().upcoming().with_seat_counts().select_related("venue").first()


def rsvps_over_time(event: Event) -> Table:
    """Registrations day by day since the opening (walk-ins excluded): new ones that day
    and the running total, cancelled ones included (how fast the seats went)."""
    table = Table(
        "rsvps",
        _("Inscriptions jour après jour"),
        [_("Jour"), _("Nouvelles inscriptions"), _("Total")],
    )
    days = Counter(
        timezone.localtime(created).date()
        for created in RSVP.objects.filter(event=event, walk_in=False).values_list(
            "created_at", flat=True
        )
    )
    if not days:
        return table
    opening = event.registration_opens_at
    first = timezone.localtime(opening).date() if opening else min(days)
    first = min(first, min(days))
    last = max(days)
    total = 0
    day = first
    while day <= last:
        total += days.get(day, 0)
        table.rows.append([day, days.get(day, 0), total])
        day += timedelta(days=1)
    return table


def diets(event: Event) -> Table:
    """Confirmed seats per diet."""
    counts = Counter(RSVP.objects.confirmed().filter(event=event).values_list("diet", flat=True))
    table = Table("diets", _("Régimes des places confirmées"), [_("Régime"), _("Places")])
    table.rows = [[str(label), counts.get(value, 0)] for value, label in Diet.choices]
    return table


@dataclass
class EveningSummary:
    event: Event
    confirmed: int
    waitlist: int
    capacity: int | None
    first_timers: int
    first_timer_percent: int | None
    show_rate_percent: int
    show_rate_is_default: bool
    expected: int


def evening_summary(event: Event) -> EveningSummary:
    confirmed = event.seats_confirmed
    holders = User.objects.filter(
        Exists(RSVP.objects.confirmed().filter(event=event, member=OuterRef("pk")))
    )
    first_timers = members_first_timers(holders).count()
    estimate = Event.objects.exclude(pk=event.pk).show_rate_estimate()
    return EveningSummary(
        event=event,
        confirmed=confirmed,
        waitlist=event.waitlist_length,
        capacity=event.capacity,
        first_timers=first_timers,
        first_timer_percent=percent(first_timers, confirmed),
        show_rate_percent=estimate.percent,
        show_rate_is_default=estimate.is_default,
        expected=estimate.expected(confirmed),
    )


def evenings_held() -> list[Event]:
    """The RECENT_EVENINGS most recent evenings held, oldest first, with their counts."""
    events = (
        Event.objects.published()
        .past()
        .with_attendance()
        .with_seat_counts()
        .select_related("venue")[:RECENT_EVENINGS]
    )
    return list(reversed(events))


def _first_visits() -> dict[int, object]:
    """Each member's first evening attended (its start), by the rule of
    members_first_timers: checked in at the door, or a confirmed seat at a past evening
    that tracked nobody's attendance. One query."""
    untracked_past = (
        Event.objects.filter(ends_at__lt=timezone.now())
        .exclude(pk__in=Event.objects.tracked().values("pk"))
        .values("pk")
    )
    came = RSVP.objects.confirmed().filter(
        Q(checked_in_at__isnull=False) | Q(event__in=untracked_past)
    )
    first: dict[int, object] = {}
    for member_id, start in came.values_list("member_id", "event__starts_at"):
        if member_id not in first or start < first[member_id]:
            first[member_id] = start
    return first


def across_evenings(events: list[Event]) -> Table:
    """Per evening held: seats, who came, no-shows, show rate, waiting list, first-timers."""
    table = Table(
        "evenings",
        _("Soirée après soirée"),
        [
            _("Soirée"),
            _("Date"),
            _("Places confirmées"),
            _("Présent·es inscrit·es"),
            _("Absent·es"),
            _("Taux de présence (%)"),
            _("Liste d'attente"),
            _("Premières venues"),
            _("Premières venues (%)"),
        ],
        note=_(
            "Taux de présence : présent·es / places confirmées parmi les inscrit·es (sur "
            "place exclus), seulement quand les arrivées ont été pointées. Liste "
            "d'attente : personnes encore en attente à la fin. Premières venues : les "
            "places confirmées de membres qui n'étaient jamais venus avant."
        ),
    )
    first_counts = _first_timers_at(events)
    for event in events:
        tracked = event.checked_in_count > 0
        confirmed = event.rsvp_confirmed_count
        present = event.rsvp_present_count if tracked else None
        first = first_counts.get(event.pk, 0)
        table.rows.append(
            [
                event.title,
                timezone.localtime(event.starts_at).date(),
                confirmed,
                present,
                confirmed - present if tracked else None,
                percent(present, confirmed) if tracked else None,
                event.waitlist_count,
                first,
                percent(first, event.confirmed_count),
            ]
        )
    return table


def _first_timers_at(events: list[Event]) -> dict[int, int]:
    """Per evening: confirmed seats of members who had attended no evening before it
    (members_first_timers as it stood on that evening). Two queries."""
    first = _first_visits()
    counts: Counter[int] = Counter()
    seats = RSVP.objects.confirmed().filter(event__in=events)
    for event_id, member_id, start in seats.values_list(
        "event_id", "member_id", "event__starts_at"
    ):
        if member_id not in first or first[member_id] >= start:
            counts[event_id] += 1
    return counts


def trend(values: list[float]) -> str:
    """The direction of a series (least squares slope), in words; '' under 3 values."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 3:
        return ""
    slope = statistics.linear_regression([p[0] for p in points], [p[1] for p in points]).slope
    if slope > 0.5:
        return _("en hausse")
    if slope < -0.5:
        return _("en baisse")
    return _("stable")


def fill_speed(events: list[Event]) -> Table:
    """How fast each full evening filled: hours from the opening of registration (or the
    first RSVP) to the RSVP that took the last seat; by weekday and venue."""
    table = Table(
        "fill",
        _("Les soirées qui se remplissent le plus vite"),
        [
            _("Jour"),
            _("Lieu"),
            _("Soirées complètes"),
            _("Soirées"),
            _("Heures pour remplir (médiane)"),
        ],
        note=_("Une soirée est complète quand le nombre d'inscriptions a atteint sa capacité."),
    )
    created = defaultdict(list)
    rsvps = RSVP.objects.filter(event__in=events, walk_in=False).order_by("created_at")
    for event_id, moment in rsvps.values_list("event_id", "created_at"):
        created[event_id].append(moment)
    groups: dict[tuple[int, str], list] = defaultdict(list)
    for event in events:
        weekday = timezone.localtime(event.starts_at).isoweekday()
        venue = event.venue.name if event.venue_id else "—"
        moments = created.get(event.pk, [])
        hours = None
        if event.capacity and len(moments) >= event.capacity:
            opened = event.registration_opens_at or moments[0]
            hours = max((moments[event.capacity - 1] - opened).total_seconds() / 3600, 0)
        groups[(weekday, venue)].append(hours)
    for (weekday, venue), values in sorted(groups.items()):
        filled = [h for h in values if h is not None]
        median = round(statistics.median(filled), 1) if filled else None
        day = date_format(date(2024, 1, weekday), "l")  # 2024-01-01 is a Monday
        table.rows.append([day, venue, len(filled), len(values), median])
    table.rows.sort(key=lambda r: (r[4] is None, r[4] or 0))
    return table


def quiet_speakers() -> Table:
    """Speakers of public talks whose last one is more than QUIET_AFTER ago: whom to
    invite again. Banned members left out."""
    table = Table(
        "speakers",
        _("Intervenant·es à réinviter"),
        [_("Nom"), _("Dernier talk"), _("Talks")],
        note=_("Leur dernier talk public date de plus d'un an ; le plus ancien en premier."),
    )
    given = Talk.objects.given()
    speakers = (
        Speaker.objects.filter(talks__in=given.values("pk"))
        .exclude(user__banned_at__isnull=False)
        .annotate(last_talk=Max("talks__event__starts_at", filter=Q(talks__in=given.values("pk"))))
        .with_public_talk_count()
        .filter(last_talk__lt=timezone.now() - QUIET_AFTER)
        .order_by("last_talk", "name")[:QUIET_SPEAKERS]
    )
    for speaker in speakers:
        table.rows.append(
            [speaker.name, timezone.localtime(speaker.last_talk).date(), speaker.public_talk_count]
        )
    return table


def wished_topics() -> Table:
    table = Table(
        "topics",
        _("Sujets les plus demandés (wishlist)"),
        [_("Sujet"), _("Votes"), _("Talks proposés")],
    )
    for topic in Topic.objects.visible().ranked()[:TOP_TOPICS]:
        table.rows.append([topic.title, topic.vote_count, topic.taker_count])
    return table
