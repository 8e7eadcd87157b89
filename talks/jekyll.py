"""Reading the old Clermont'ech site (Jekyll): pure functions, no database.

A post is a Markdown file `_posts/YYYY-MM-DD-name.md` with a YAML front matter.
Two kinds matter here:

- an API Hour (`category: api-hours`): the number is in the title, the date, the
  time, the venue and the number of seats are written in French prose
  ("Cet événement aura lieu le **lundi 03 juin 2024** à **19h** au …");
- a talk (`layout: talk`, `categories: [talks, api-hour-N]`): title, `author`
  (co-speakers joined by "&", "et", "+"…), `author_url`, `author_image`, `video`
  (a YouTube id) and `video_start`, `slides_url`, and the abstract as the body.

Everything here turns text into plain values and French messages about what could
not be understood; `talks.jekyll_import` writes them to the database.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .jekyll_text import (
    HTML_TAG,
    MONTHS,
    NUMBER_IN_TITLE,
    NUMERIC_DATE,
    TEXT_DATE,
    TIME,
    WEEKDAYS,
    plain_text,
    section,
)
from .jekyll_venues import find_venue
from .video import VIDEO_ID, parse_start, parse_youtube

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_START = time(19, 0)
DURATION = timedelta(hours=2, minutes=30)
OLD_SITE = "https://clermontech.org"  # settings.OLD_SITE_URL, passed by the importer
# How the old site named its pages (`permalink` in its _config.yml): "/api-hours/api-hour-1.html"
# for the post _posts/2013-03-25-api-hour-1.md (category api-hours), and
# "/talks/api-hour-1/1-julien-maupetit-hello-clermontech.html" for a talk.
PERMALINK = "/:categories/:title.html"
FLICKR_USER = "96523012@N07"  # flickr_id in the old site's _config.yml

# Layouts of the old site that are not an API Hour nor a talk (blog posts, workshops…):
# such posts are listed as ignored. Any other layout is reported as unknown.
OTHER_LAYOUTS = {
    "post", "blog-post", "blog", "default", "page", "layout", "home", "category",
    "code-and-coffee", "devcamp", "workshops", "groups", "talks", "api-hours",
}  # fmt: skip

FILENAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)\.(?:md|markdown|html)$")
FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<yaml>.*?)^---[ \t]*\r?$\n?(?P<body>.*)\Z", re.S | re.M
)
NUMBER_IN_CATEGORY = re.compile(r"api-hours?-(?P<n>\d+)", re.I)

# An evening is announced days or weeks before it takes place: a date further from its
# post than this is a typo (a year written wrong) or something to check.
ANNOUNCED_BEFORE = timedelta(days=183)
ANNOUNCED_AFTER = timedelta(days=31)  # a post written (or dated) a little after the evening
# What introduces the evening's own date ("Cet événement aura lieu le …").
DATE_INTRO = re.compile(
    r"(aura\s+lieu|se\s+tiendra|se\s+déroulera|rendez-vous|nous\s+retrouver|vous\s+attend)",
    re.I,
)
# What introduces the time of something else than the evening.
REGISTRATION_TIME = re.compile(r"(inscri|billet|places|clôture|jusqu)", re.I)
# What introduces another date (registration opening, a deadline…).
OTHER_DATE_INTRO = re.compile(r"(ouverture|inscription|ouvriront|clôture|jusqu)", re.I)
CAPACITY = re.compile(
    r"limitée?s?\s+à\s+(?P<n>\d+)\s*(?:personnes|places|participant)|(?P<m>\d+)\s+places\b", re.I
)
NO_CAPACITY = re.compile(
    r"sans\s+limite\s+de\s+(?:places|participants|personnes)|places?\s+illimitées?"
    r"|nombre\s+de\s+places\s+illimité|pas\s+de\s+limite\s+de\s+places",
    re.I,
)
ONLINE = re.compile(r"\ben\s+ligne\b|\bonline\b|\bvisio|\bà\s+distance\b|jitsi|twitch", re.I)
SPEAKER_SEPARATORS = re.compile(r"\s*(?:&|\+|,|\bet\b|\band\b)\s*", re.I)
MINUTES = re.compile(r"(?P<n>\d+)\s*min", re.I)

LIQUID_TAG = re.compile(r"{%-?\s*(?P<name>\w+)(?P<args>.*?)-?%}", re.S)
LIQUID_RAW = re.compile(r"{%-?\s*raw\s*-?%}(?P<raw>.*?){%-?\s*endraw\s*-?%}", re.S)
LIQUID_OUTPUT = re.compile(r"{{-?(?P<expr>.*?)-?}}", re.S)
MD_LINK_TO = r"\[(?P<text>[^\]]*)\]\(\s*{target}\s*\)"


class JekyllError(Exception):
    """A post that cannot be imported at all; the message says why, in French."""


@dataclass
class Post:
    name: str  # file name inside _posts, the post's identity
    date: date
    meta: dict
    body: str

    @property
    def stem(self) -> str:
        """How Liquid's {% post_url %} names the post: its file name without extension."""
        return str(PurePosixPath(self.name).with_suffix(""))

    @property
    def layout(self) -> str:
        return text_value(self.meta.get("layout")).strip()

    @property
    def categories(self) -> list[str]:
        found: list[str] = []
        for key in ("category", "categories"):
            value = self.meta.get(key)
            if isinstance(value, list | tuple):
                found += [text_value(v).strip() for v in value]
            elif value is not None:
                found += text_value(value).split()
        return [c for c in found if c]

    @property
    def title(self) -> str:
        return clean_inline(text_value(self.meta.get("title")))

    @property
    def old_path(self) -> str:
        """The post's address on the old site, as Jekyll made it from PERMALINK (a
        `permalink:` in the front matter wins): "/:categories" are the `category` (else
        `categories`) in lower case, ":title" the file name without its date."""
        template = text_value(self.meta.get("permalink")).strip() or PERMALINK
        found = FILENAME.match(PurePosixPath(self.name).name)
        title = text_value(self.meta.get("slug")).strip() or (
            found["slug"] if found else PurePosixPath(self.name).stem
        )
        title = re.sub(r"[^\w.~!$&'()+,;=@-]+", "-", title).strip("-")
        value = self.meta.get("category") or self.meta.get("categories") or []
        if isinstance(value, list | tuple):
            words = [text_value(v).strip() for v in value]
        else:
            words = text_value(value).split()
        categories: list[str] = []
        for word in words:
            if word and word.lower() not in categories:
                categories.append(word.lower())
        path = (
            template.replace(":categories", "/".join(categories))
            .replace(":title", title)
            .replace(":year", f"{self.date:%Y}")
            .replace(":month", f"{self.date:%m}")
            .replace(":day", f"{self.date:%d}")
        )
        return re.sub(r"/{2,}", "/", "/" + path)


@dataclass
class EventData:
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str = ""
    venue_address: str = ""
    room: str = ""
    capacity: int | None = None  # None: not written (the seats stay as they are)
    unlimited: bool = False  # "sans limite de places": no limit at all
    photos_url: str = ""
    description: str = ""
    warnings: list[str] = field(default_factory=list)
    date_notes: list[str] = field(default_factory=list)  # a date corrected or to check
    venue_unreadable: bool = False  # the venue's name was not readable (see warnings)


@dataclass
class TalkData:
    title: str
    event_number: int | None
    abstract: str
    speakers: list[str]
    author_url: str = ""
    author_image: str = ""
    video_url: str = ""
    slides_url: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class ProgrammeItem:
    """One "### …" entry of an event's programme: which talk it is and how long."""

    heading: str
    stems: list[str]
    minutes: int | None
    body: str = ""  # the text under the heading, as written


# Reading a file -------------------------------------------------------------------


def text_value(value) -> str:
    """YAML turns "2048", "yes" or a date into other types: the text it was written as."""
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def clean_inline(value: str) -> str:
    """A title or a name: HTML entities decoded, tags removed, spaces collapsed."""
    value = html.unescape(html.unescape(value or ""))  # "&amp;#35;" is seen too
    return " ".join(HTML_TAG.sub("", value).split())


def read_post(name: str, content: str) -> Post:
    """Split a post into its front matter and body; JekyllError when it cannot be read."""
    match = FILENAME.match(PurePosixPath(name).name)
    content = content.removeprefix("\ufeff")
    front = FRONT_MATTER.match(content)
    if not front:
        raise JekyllError(_("pas d'en-tête YAML (les lignes entre deux « --- » au début)"))
    try:
        meta = yaml.safe_load(front["yaml"]) or {}
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (ligne {where.line + 2})" if where is not None else ""
        raise JekyllError(_("en-tête YAML illisible%(line)s") % {"line": line}) from None
    if not isinstance(meta, dict):
        raise JekyllError(_("l'en-tête YAML n'est pas une liste de champs « nom: valeur »"))
    post_date = None
    if match:
        try:
            post_date = date.fromisoformat(match["date"])
        except ValueError:
            post_date = None
    if post_date is None and isinstance(meta.get("date"), date | datetime):
        value = meta["date"]
        post_date = value.date() if isinstance(value, datetime) else value
    if post_date is None:
        raise JekyllError(_("pas de date dans le nom du fichier (AAAA-MM-JJ-nom.md)"))
    return Post(name=name, date=post_date, meta=meta, body=front["body"])


def post_kind(post: Post) -> str | None:
    """ "event", "talk", or None for another kind of post (blog…); JekyllError when the
    layout is unknown."""
    if post.layout == "talk":
        return "talk"
    if "api-hours" in [c.lower() for c in post.categories]:
        return "event"
    if not post.layout:
        raise JekyllError(_("pas de mise en page (layout) : ni API Hour ni talk"))
    if post.layout not in OTHER_LAYOUTS:
        raise JekyllError(_("mise en page inconnue « %(layout)s »") % {"layout": post.layout})
    return None


# Prose ------------------------------------------------------------------------------


def _year_for(day: int, month: int, post_date: date) -> date:
    """A date written without its year follows the post: the post's year, or the next one
    when that would put the evening well before the post was written."""
    candidate = date(post_date.year, month, day)
    if candidate < post_date - timedelta(days=30):
        candidate = date(post_date.year + 1, month, day)
    return candidate


def _typo_distance(a: str, b: str) -> int:
    """Letters to change, add, remove or swap to turn a into b (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(
                rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def read_weekday(word: str) -> tuple[int, bool] | None:
    """(0 for Monday…, exact?) of a weekday as written: "lundi" (exact), "lundu" or
    "mecredi" (a typo: one letter off, two for the long names); None for another word."""
    word = unicodedata.normalize("NFKD", (word or "").lower())
    word = "".join(c for c in word if not unicodedata.combining(c))
    if word in WEEKDAYS:
        return WEEKDAYS.index(word), True
    close = [
        index
        for index, name in enumerate(WEEKDAYS)
        if _typo_distance(word, name) <= (1 if len(name) <= 5 else 2) and word[:1] == name[:1]
    ]
    return (close[0], False) if len(close) == 1 else None


def announced_window(post_date: date) -> tuple[date, date]:
    """The dates an evening announced by a post of post_date may fall on."""
    return post_date - ANNOUNCED_AFTER, post_date + ANNOUNCED_BEFORE


def _french_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.strftime('%d/%m/%Y')}"


@dataclass
class FoundDate:
    """The evening's date and time as read from the prose, and what to say about it."""

    day: date
    start: time | None
    warnings: list[str] = field(default_factory=list)
    # Loud messages: a date corrected (a year that contradicts the post's date) or still
    # inconsistent. The report lists them apart, first.
    date_notes: list[str] = field(default_factory=list)


def _check_against_post(
    written: date, match: re.Match, post_date: date, weekday: tuple[int, bool] | None
) -> tuple[date, list[str], list[str]]:
    """(date kept, warnings, loud notes): a written year that puts the evening far from its
    post is read again with the post's year when that reading is consistent."""
    first, last = announced_window(post_date)
    text = " ".join(match[0].split())
    warnings: list[str] = []
    if weekday and not weekday[1]:
        warnings.append(
            _("jour « %(word)s » mal orthographié : lu « %(weekday)s »")
            % {"word": match["word"], "weekday": WEEKDAYS[weekday[0]]}
        )
    if first <= written <= last:
        return written, warnings, []
    readings = []
    for year in (post_date.year, post_date.year + 1, post_date.year - 1):
        try:
            candidate = date(year, written.month, written.day)
        except ValueError:
            continue
        if first <= candidate <= last:
            readings.append(candidate)
    if weekday:
        readings = [d for d in readings if d.weekday() == weekday[0]] or (
            [] if written.weekday() == weekday[0] else readings
        )
    readings.sort(key=lambda d: abs((d - post_date).days))
    if readings and written.year != readings[0].year:
        kept = readings[0]
        return (
            kept,
            warnings,
            [
                _(
                    "date corrigée : « %(text)s » tombe %(days)d jours après le billet du "
                    "%(post)s ; une soirée est annoncée quelques jours ou semaines avant : "
                    "lu le %(kept)s (année du billet)"
                )
                % {
                    "text": text,
                    "days": (written - post_date).days,
                    "post": post_date.strftime("%d/%m/%Y"),
                    "kept": _french_date(kept),
                }
            ],
        )
    return (
        written,
        warnings,
        [
            _(
                "date à vérifier : « %(text)s » (le %(date)s) est à %(days)d jours du billet "
                "du %(post)s, et aucune autre lecture n'est cohérente"
            )
            % {
                "text": text,
                "date": _french_date(written),
                "days": (written - post_date).days,
                "post": post_date.strftime("%d/%m/%Y"),
            }
        ],
    )


def _find_time(text: str, match: re.Match, dates: list[re.Match]) -> time | None:
    """The evening's time: right after its date or just before it ("à 19h, le…"), else the
    first time written after the date in the same section ("Rendez-vous le 12 mars…
    Accueil à **19h**"), skipping the time of another date (a registration opening)."""
    near = TIME.search(text, match.end(), match.end() + 40)
    if near is None:
        before = text[max(0, match.start() - 25) : match.start()]
        near = TIME.search(before)
    if near is None:
        section_end = re.compile(r"\s#{1,6}\s").search(text, match.end())
        end = min(section_end.start() if section_end else len(text), match.end() + 400)
        for clock in TIME.finditer(text, match.end(), end):
            if REGISTRATION_TIME.search(text[max(0, clock.start() - 50) : clock.start()]):
                continue  # "inscriptions … à 12h" ("ouverture des portes à 19h" is the evening)
            if any(0 <= clock.start() - other.end() <= 12 for other in dates if other != match):
                continue  # "le 18 février 2020 à 14h00": that date's time
            near = clock
            break
    return time(int(near["h"]), int(near["m"] or 0)) if near else None


def find_date(markdown: str, post_date: date) -> FoundDate | None:
    """The evening's date and time from the prose, or None when no date is written.

    Prefers the date introduced by "aura lieu", "se tiendra"…; else the first date that
    is not a registration opening. The date is checked against the post's own date (an
    evening is announced before it takes place, not a year later) and against its weekday
    when one is written, even misspelled.
    """
    text = plain_text(markdown)
    candidates = []
    for match in TEXT_DATE.finditer(text):
        candidates.append((match, int(match["day"]), MONTHS[match["month"].lower()]))
    for match in NUMERIC_DATE.finditer(text):
        candidates.append((match, int(match["day"]), int(match["month"])))
    candidates.sort(key=lambda c: c[0].start())

    def before(match, width):
        return text[max(0, match.start() - width) : match.start()]

    chosen = [c for c in candidates if DATE_INTRO.search(before(c[0], 60))]
    chosen += [c for c in candidates if not OTHER_DATE_INTRO.search(before(c[0], 40))]
    warnings: list[str] = []
    for match, day, month in chosen:
        year = match["year"]
        try:
            if year:
                found = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
            else:
                found = _year_for(day, month, post_date)
        except ValueError:
            warnings.append(_("date impossible « %(text)s »") % {"text": match[0]})
            continue
        weekday = read_weekday(match.groupdict().get("word") or "")
        notes: list[str] = []
        if year:
            found, more, notes = _check_against_post(found, match, post_date, weekday)
            warnings += more
        elif weekday and not weekday[1]:
            warnings.append(
                _("jour « %(word)s » mal orthographié : lu « %(weekday)s »")
                % {"word": match["word"], "weekday": WEEKDAYS[weekday[0]]}
            )
        if weekday and found.weekday() != weekday[0]:
            warnings.append(
                _("« %(text)s » : le %(date)s est un %(real)s")
                % {
                    "text": " ".join(match[0].split()),
                    "date": found.strftime("%d/%m/%Y"),
                    "real": WEEKDAYS[found.weekday()],
                }
            )
        start = _find_time(text, match, [c[0] for c in candidates])
        return FoundDate(day=found, start=start, warnings=warnings, date_notes=notes)
    return None


def find_unlimited(markdown: str) -> bool:
    """ "sans limite de places" (an evening online)."""
    return bool(NO_CAPACITY.search(plain_text(markdown)))


def find_capacity(markdown: str) -> int | None:
    match = CAPACITY.search(plain_text(markdown))
    if not match:
        return None
    return int(match["n"] or match["m"])


def programme(markdown: str) -> list[ProgrammeItem]:
    """The "### Title • Speaker" entries of the event's "## Programme" section."""
    body = section(markdown, "Programme")
    items = []
    for block in re.split(r"^###\s+", body, flags=re.M)[1:]:
        heading, _sep, rest = block.partition("\n")
        minutes = MINUTES.search(heading)
        items.append(
            ProgrammeItem(
                heading=clean_inline(heading),
                stems=[
                    m["args"].strip().strip("\"'")
                    for m in LIQUID_TAG.finditer(rest)
                    if m["name"] == "post_url"
                ],
                minutes=int(minutes["n"]) if minutes else None,
                body=rest,
            )
        )
    return items


# Events and talks ---------------------------------------------------------------------


def event_number(post: Post) -> int | None:
    match = NUMBER_IN_TITLE.search(post.title) or NUMBER_IN_CATEGORY.search(post.stem)
    return int(match["n"]) if match else None


def parse_event(
    post: Post, *, flickr_user: str = FLICKR_USER, old_site: str = OLD_SITE
) -> EventData:
    """The evening behind an API Hour post (without its description, see convert_prose).

    A venue whose name cannot be read but whose address can is left nameless here: the
    importer looks it up by its address first."""
    if not post.title:
        raise JekyllError(_("pas de titre"))
    number = event_number(post)
    if number is None:
        raise JekyllError(
            _("numéro d'API Hour introuvable dans le titre « %(title)s »") % {"title": post.title}
        )
    warnings: list[str] = []
    date_notes: list[str] = []
    found = find_date(post.body, post.date)
    if found is None:
        day, start = post.date, None
        date_notes.append(
            _("date de la soirée introuvable dans le texte : date du billet (%(date)s) retenue")
            % {"date": post.date.strftime("%d/%m/%Y")}
        )
    else:
        day, start = found.day, found.start
        warnings += found.warnings
        date_notes += found.date_notes
    if start is None:
        warnings.append(_("heure introuvable : 19h retenue"))
        start = DEFAULT_START
    starts_at = datetime.combine(day, start, tzinfo=PARIS)
    old_host = urlsplit(old_site).hostname or ""
    venue = find_venue(post.body, old_hosts=(old_host.removeprefix("www."),))
    name, address = venue.name, venue.address
    warnings += venue.warnings
    if not name and not address and not venue.warnings:
        if not ONLINE.search(plain_text(post.body)):  # an evening online has no venue
            warnings.append(_("lieu introuvable dans le texte"))
    elif not address and name:
        warnings.append(_("adresse du lieu « %(name)s » introuvable") % {"name": name})
    photos = text_value(post.meta.get("flickr_set_id")).strip()
    photos_url = ""
    if photos:
        if re.fullmatch(r"\d+", photos):
            photos_url = f"https://www.flickr.com/photos/{flickr_user}/albums/{photos}"
        else:
            warnings.append(_("album Flickr illisible « %(value)s »") % {"value": photos})
    return EventData(
        number=number,
        title=post.title,
        starts_at=starts_at,
        ends_at=starts_at + DURATION,
        venue_name=name[:120],
        venue_address=address,
        room=venue.room[:120],
        capacity=find_capacity(post.body),
        unlimited=find_unlimited(post.body),
        photos_url=photos_url,
        warnings=warnings,
        date_notes=date_notes,
        venue_unreadable=bool(venue.warnings),
    )


def check_numbering(events: list[EventData]) -> None:
    """API Hours are numbered in the order they take place: an evening whose date breaks
    that order gets a loud note in its date_notes (the one out of order with the most
    others, when two neighbours disagree). `events` in the order of their numbers."""
    days = [data.starts_at.date() for data in events]
    numbers = [data.number for data in events]

    def out_of_order(i: int, j: int) -> bool:
        return (numbers[i] < numbers[j]) != (days[i] < days[j])

    count = [sum(out_of_order(i, j) for j in range(len(events))) for i in range(len(events))]
    culprits = set()
    for i in range(len(events) - 1):
        if out_of_order(i, i + 1):
            most = max(count[i], count[i + 1])
            culprits |= {k for k in (i, i + 1) if count[k] == most}

    def when(k: int) -> dict:
        return {"n": numbers[k], "date": days[k].strftime("%d/%m/%Y")}

    for i in sorted(culprits):
        data = events[i]
        previous, following = i - 1 if i > 0 else None, i + 1 if i + 1 < len(events) else None
        if previous is not None and following is not None:
            where = _(
                "n'est pas entre la n°%(a)d (le %(a_date)s) et la n°%(b)d (le %(b_date)s)"
            ) % {
                "a": numbers[previous],
                "a_date": days[previous].strftime("%d/%m/%Y"),
                "b": numbers[following],
                "b_date": days[following].strftime("%d/%m/%Y"),
            }
        else:
            other = following if previous is None else previous
            where = _("est dans le désordre avec la n°%(n)d (le %(date)s)") % when(other)
        data.date_notes.append(
            _(
                "date à vérifier : l'API Hour n°%(n)d (le %(date)s) %(where)s ; les "
                "numéros suivent l'ordre des soirées"
            )
            % {**when(i), "where": where}
        )


def split_speakers(author) -> list[str]:
    """ "A & B", "A &amp; B", "A et B", "A + B", "A, B et C" or a YAML list → names."""
    values = author if isinstance(author, list | tuple) else [author]
    names: list[str] = []
    for value in values:
        for name in SPEAKER_SEPARATORS.split(clean_inline(text_value(value))):
            name = name.strip(" .;")
            if name and name not in names:
                names.append(name)
    return names


def check_url(value: str) -> str | None:
    """An http(s) address as typed in the archive ("//host", "www.host" completed), or None."""
    value = value.strip()
    if value.startswith("//"):
        value = "https:" + value
    elif value and "://" not in value and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", value):
        value = "https://" + value
    if len(value) > 200:  # our URL fields hold 200 characters
        return None
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        return None
    return value


def youtube_url(video: str, start: str) -> str | None:
    """The watch address of a YouTube id (or address) with its start time; None if not YouTube."""
    video = video.strip()
    seconds = parse_start(start)
    if seconds is None and re.fullmatch(r"(\d+:)?\d{1,2}:\d{2}", start.strip()):
        seconds = 0
        for part in start.strip().split(":"):
            seconds = seconds * 60 + int(part)
    if VIDEO_ID.match(video):
        video_id = video
    else:
        parsed = parse_youtube(video)
        if parsed is None:
            return None
        video_id, seconds = parsed.video_id, seconds or parsed.start
    url = f"https://www.youtube.com/watch?v={video_id}"
    return f"{url}&t={seconds}s" if seconds else url


SITE_URL_PREFIX = re.compile(r"^{{-?\s*site\.(?:url|baseurl|base_url)\s*-?}}")


def _url_value(value: str, *, old_site: str) -> tuple[str, str | None]:
    """(address, note) of a link of the front matter: an address of the old site written
    as a path ("/api-hours/slides/x.pdf", "{{ site.url }}/…") is completed with old_site,
    and the note says so; ("", None) when unreadable or too long (see _url_problem)."""
    relative = SITE_URL_PREFIX.sub("", value).strip()
    if relative.startswith("/") and not relative.startswith("//"):
        url = check_url(old_site + relative)
        if url:
            return url, _(
                "« %(value)s » est une adresse de l'ancien site : complétée en %(url)s "
                "(ce fichier doit y rester en ligne)"
            ) % {"value": value, "url": url}
        return "", None
    return check_url(value) or "", None


def parse_talk(post: Post, *, old_site: str = OLD_SITE) -> TalkData:
    """A talk post's values (its abstract still in the old site's Markdown)."""
    if not post.title:
        raise JekyllError(_("pas de titre"))
    warnings: list[str] = []
    number = None
    for category in post.categories:
        match = NUMBER_IN_CATEGORY.fullmatch(category)
        if match:
            number = int(match["n"])
    if number is None:
        match = NUMBER_IN_CATEGORY.search(text_value(post.meta.get("session_url")))
        number = int(match["n"]) if match else None
    if number is None:
        warnings.append(
            _("API Hour introuvable (categories: [talks, api-hour-N]) : talk sans événement")
        )
    speakers = split_speakers(post.meta.get("author") or post.meta.get("authors"))
    if not speakers:
        raise JekyllError(_("pas d'intervenant·e (author)"))
    for name in speakers:
        if not slugify(name):
            raise JekyllError(_("nom d'intervenant·e illisible « %(name)s »") % {"name": name})
    if len(post.title) > 200:
        warnings.append(_("titre de plus de 200 caractères : coupé"))
    data = TalkData(
        title=post.title[:200], event_number=number, abstract=post.body, speakers=speakers
    )
    author_url = text_value(post.meta.get("author_url")).strip()
    if author_url:
        data.author_url, note = _url_value(author_url, old_site=old_site)
        warnings += [note] if note else []
        if not data.author_url:
            warnings.append(
                (
                    _(
                        "lien de l'intervenant·e « %(url)s » trop long (plus de 200 caractères) : "
                        "non repris"
                    )
                    if len(author_url) > 200
                    else _("lien de l'intervenant·e « %(url)s » illisible : non repris")
                )
                % {"url": author_url}
            )
    data.author_image = text_value(post.meta.get("author_image")).strip()
    video = text_value(post.meta.get("video")).strip()
    if video:
        data.video_url = youtube_url(video, text_value(post.meta.get("video_start"))) or ""
        if not data.video_url:
            warnings.append(
                _("vidéo non reconnue (YouTube seulement) « %(video)s »") % {"video": video}
            )
    slides = text_value(post.meta.get("slides_url")).strip()
    if slides:
        data.slides_url, note = _url_value(slides, old_site=old_site)
        warnings += [note] if note else []
        if not data.slides_url:
            warnings.append(
                (
                    _(
                        "adresse des slides « %(url)s » trop longue (plus de 200 caractères) : "
                        "non reprise"
                    )
                    if len(slides) > 200
                    else _("adresse des slides « %(url)s » illisible : non reprise")
                )
                % {"url": slides}
            )
    data.warnings = warnings
    return data


def link_field(url: str) -> str:
    """Which Speaker link field an author_url belongs in."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host == "github.com":
        return "github_url"
    if host == "gitlab.com":
        return "gitlab_url"
    if host.endswith("linkedin.com"):
        return "linkedin_url"
    if host == "bsky.app":
        return "bluesky_url"
    if host in {"twitter.com", "x.com", "mobile.twitter.com"}:
        return "twitter_url"
    if parts.path.startswith("/@") and host not in {"twitter.com", "x.com", "medium.com"}:
        return "mastodon_url"
    return "website_url"
