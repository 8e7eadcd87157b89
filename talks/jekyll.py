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
from collections.abc import Callable
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

from .video import VIDEO_ID, parse_start, parse_youtube

PARIS = ZoneInfo("Europe/Paris")
DEFAULT_START = time(19, 0)
DURATION = timedelta(hours=2, minutes=30)
OLD_SITE = "https://clermontech.org"
FLICKR_USER = "96523012@N07"  # flickr_id in the old site's _config.yml

# Layouts of the old site that are not an API Hour nor a talk (blog posts, workshops…):
# such posts are listed as ignored. Any other layout is reported as unknown.
OTHER_LAYOUTS = {
    "post", "blog-post", "blog", "default", "page", "layout", "home", "category",
    "code-and-coffee", "devcamp", "workshops", "groups", "talks", "api-hours",
}  # fmt: skip

MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

FILENAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>.+)\.(?:md|markdown|html)$")
FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(?P<yaml>.*?)^---[ \t]*\r?$\n?(?P<body>.*)\Z", re.S | re.M
)
NUMBER_IN_TITLE = re.compile(r"API[\s-]*Hours?\s*(?:n°|no\.?|#)?\s*(?P<n>\d+)", re.I)
NUMBER_IN_CATEGORY = re.compile(r"api-hours?-(?P<n>\d+)", re.I)

TEXT_DATE = re.compile(
    r"(?:(?P<weekday>" + "|".join(WEEKDAYS) + r")\s+)?"
    r"\b(?P<day>\d{1,2})(?:er|e)?\s+(?P<month>" + "|".join(MONTHS) + r")\b"
    r"(?:\s+(?P<year>\d{4}))?",
    re.I,
)
NUMERIC_DATE = re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})\b")
TIME = re.compile(r"\b(?P<h>[01]?\d|2[0-3])\s*(?:h|:)\s*(?P<m>[0-5]\d)?(?!\d)", re.I)
# What introduces the evening's own date ("Cet événement aura lieu le …").
DATE_INTRO = re.compile(
    r"(aura\s+lieu|se\s+tiendra|se\s+déroulera|rendez-vous|nous\s+retrouver|vous\s+attend)",
    re.I,
)
# What introduces another date (registration opening, a deadline…).
OTHER_DATE_INTRO = re.compile(r"(ouverture|inscription|ouvriront|clôture|jusqu)", re.I)
CAPACITY = re.compile(
    r"limitée?s?\s+à\s+(?P<n>\d+)\s*(?:personnes|places|participant)|(?P<m>\d+)\s+places\b", re.I
)
# "63000 Clermont-Ferrand", "63170 Aubière", "63000 Clermont-Fd"…: the end of an address.
POSTCODE_CITY = re.compile(
    r"\b\d{5}\s+[A-ZÀ-Ý][\w'’.-]*"
    r"(?:[ -](?:[A-ZÀ-Ý][\w'’.-]*|sur|en|lès|les|le|la|de)(?=[\s.,;)]|$))*"
)
SPAN = re.compile(
    r"\[\s*(?:\*\*|__)?(?P<link>[^\]]+?)(?:\*\*|__)?\s*\]\([^)]*\)|\*\*(?P<bold>[^*]+?)\*\*", re.S
)
SPEAKER_SEPARATORS = re.compile(r"\s*(?:&|\+|,|\bet\b|\band\b)\s*", re.I)
MINUTES = re.compile(r"(?P<n>\d+)\s*min", re.I)

LIQUID_TAG = re.compile(r"{%-?\s*(?P<name>\w+)(?P<args>.*?)-?%}", re.S)
LIQUID_RAW = re.compile(r"{%-?\s*raw\s*-?%}(?P<raw>.*?){%-?\s*endraw\s*-?%}", re.S)
LIQUID_OUTPUT = re.compile(r"{{-?(?P<expr>.*?)-?}}", re.S)
MD_LINK_TO = r"\[(?P<text>[^\]]*)\]\(\s*{target}\s*\)"
IMAGE_LINK = re.compile(r"\[\s*!\[[^\]]*\]\([^)]*\)\s*\]\([^)]*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
IFRAME = re.compile(r"<(iframe|script|style)\b.*?(?:</\1\s*>|/>)", re.S | re.I)
HTML_TAG = re.compile(r"<[^>]+>")
OLD_EVENT_LINK = re.compile(r"^/api-hours/api-hour-(?P<n>\d+)(?:\.html)?/?$")
RELATIVE_LINK = re.compile(r"\]\((?P<url>/[^)\s]*)\)")


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


@dataclass
class EventData:
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str = ""
    venue_address: str = ""
    capacity: int | None = None
    photos_url: str = ""
    description: str = ""
    warnings: list[str] = field(default_factory=list)


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


def plain_text(markdown: str) -> str:
    """The words a reader sees: no emphasis, no link targets, no HTML, spaces collapsed."""
    text = IFRAME.sub(" ", markdown)
    text = IMAGE_LINK.sub(" ", text)
    text = IMAGE.sub(" ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = HTML_TAG.sub(" ", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return " ".join(html.unescape(text).split())


def section(markdown: str, *titles: str) -> str:
    """The text under the first "## Title" heading whose title starts with one of titles."""
    pattern = re.compile(
        r"^#{1,3}\s*(?:"
        + "|".join(re.escape(t) for t in titles)
        + r").*?$(?P<body>.*?)(?=^##?\s|\Z)",
        re.I | re.M | re.S,
    )
    match = pattern.search(markdown)
    return match["body"] if match else ""


def _year_for(day: int, month: int, post_date: date) -> date:
    """A date written without its year follows the post: the post's year, or the next one
    when that would put the evening well before the post was written."""
    candidate = date(post_date.year, month, day)
    if candidate < post_date - timedelta(days=30):
        candidate = date(post_date.year + 1, month, day)
    return candidate


def find_date(markdown: str, post_date: date) -> tuple[date, time | None, list[str]] | None:
    """The evening's date and time from the prose, or None when no date is written.

    Prefers the date introduced by "aura lieu", "se tiendra"…; else the first date that
    is not a registration opening. Returns (date, time or None, warnings).
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
        weekday = (match.groupdict().get("weekday") or "").lower()
        if weekday and WEEKDAYS[found.weekday()] != weekday:
            warnings.append(
                _("« %(text)s » : le %(date)s est un %(real)s")
                % {
                    "text": match[0],
                    "date": found.strftime("%d/%m/%Y"),
                    "real": WEEKDAYS[found.weekday()],
                }
            )
        after = text[match.end() : match.end() + 40]
        clock = TIME.search(after) or TIME.search(before(match, 25))
        start = time(int(clock["h"]), int(clock["m"] or 0)) if clock else None
        return found, start, warnings
    return None


def _is_date_or_time(value: str) -> bool:
    return bool(
        TEXT_DATE.search(value) or NUMERIC_DATE.search(value) or TIME.fullmatch(value.strip())
    )


def _tidy_name(name: str) -> str:
    name = " ".join(html.unescape(name).split()).strip(" .,:;-–—")
    name = re.sub(r"^l['’]", "", name, flags=re.I)  # "à l'Amphi A" (but "La Jetée" stays)
    return name[:1].upper() + name[1:]


def _tidy_address(address: str) -> str:
    """One line as written → the street, then "postcode city" on its own line."""
    address = " ".join(html.unescape(HTML_TAG.sub(" ", address)).replace("*", "").split())
    address = address.strip(" .,:;-–—")
    match = re.search(r"[\s,–—-]*\b(\d{5}\s+.*)$", address)
    if match and match.start() > 0:
        return address[: match.start()].strip(" ,-–—") + "\n" + match[1]
    return address


def find_venue(markdown: str) -> tuple[str, str]:
    """(name, address) of the venue from the "Informations pratiques" prose; "" if unknown.

    The name is the bold or linked text just before the address; the address ends with a
    postcode and a city, inside bold/link text or right after the name.
    """
    text = section(markdown, "Informations pratiques", "Infos pratiques", "Lieu", "Où") or markdown
    text = IFRAME.sub(" ", IMAGE_LINK.sub(" ", text))
    text = IMAGE.sub(" ", text)
    spans = [
        (m.start(), m.end(), " ".join((m["link"] or m["bold"]).replace("*", "").split()))
        for m in SPAN.finditer(text)
    ]
    spans = [s for s in spans if s[2] and not _is_date_or_time(s[2])]
    address_match = POSTCODE_CITY.search(text)
    if address_match is None:
        # A name alone ("à **La Jetée**"): the first span introduced by à / au / chez.
        for start, _end, value in spans:
            if re.search(
                r"\b(?:à|au|chez|locaux\s+de)\s*$", text[max(0, start - 20) : start], re.I
            ):
                return _tidy_name(value), ""
        return "", ""
    inside = [s for s in spans if s[0] <= address_match.start() < s[1]]
    if inside:
        address = inside[0][2]
        previous = [s for s in spans if s[1] <= inside[0][0]]
    else:
        previous = [s for s in spans if s[1] <= address_match.start()]
        begin = previous[-1][1] if previous else max(0, address_match.start() - 80)
        between = text[begin : address_match.end()]
        between = between.split(":")[-1]  # "L'adresse exacte est : …"
        between = re.sub(r"^[^\d\w]*", "", between)
        address = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", between)
    name = _tidy_name(previous[-1][2]) if previous else ""
    return name, _tidy_address(address)


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
                    m["args"].strip() for m in LIQUID_TAG.finditer(rest) if m["name"] == "post_url"
                ],
                minutes=int(minutes["n"]) if minutes else None,
            )
        )
    return items


def without_programme(markdown: str) -> str:
    """The description without its "## Programme" section (the talks show it instead)."""
    return re.sub(r"^##\s*Programme\b.*?(?=^##\s|\Z)", "", markdown, flags=re.M | re.S | re.I)


# Liquid and links -------------------------------------------------------------------


def convert_prose(
    markdown: str,
    *,
    resolve: Callable[[str], str | None],
    event_url: Callable[[int], str | None],
) -> tuple[str, list[str]]:
    """Markdown from the old site made ready for ours. Returns (markdown, warnings).

    - {% post_url X %} becomes the address of the imported page; a link to a post that
      is not imported is dropped with its text (reported);
    - {% raw %}, {% highlight %} and the like are unwrapped, other tags and {{ … }}
      are dropped (reported), so that no Liquid ever shows on a page;
    - embedded frames (maps, ticket widgets) and images are removed: our pages embed
      neither, and the sanitizer would only leave empty links behind;
    - links to the old site's pages point to ours (events) or to the old site.
    """
    warnings: list[str] = []

    def post_url(match: re.Match) -> str:
        stem = match["args"].strip().strip("\"'")
        url = resolve(stem)
        if url is None:
            warnings.append(
                _("lien vers un billet non importé « %(post)s » : retiré") % {"post": stem}
            )
            return "\x00DROP\x00"
        return url

    def tag(match: re.Match) -> str:
        name = match["name"].lower()
        if name == "post_url":
            return post_url(match)
        if name in {"endhighlight", "endcomment"}:
            return "```" if name == "endhighlight" else ""
        if name == "highlight":
            return "```" + match["args"].strip().split(" ")[0]
        if name == "comment":
            return "\x00COMMENT\x00"
        if name == "link":
            return match["args"].strip()
        warnings.append(_("balise Liquid « %(tag)s » retirée") % {"tag": match[0].strip()})
        return ""

    def relative(match: re.Match) -> str:
        url = match["url"]
        old_event = OLD_EVENT_LINK.match(url.split("#")[0])
        ours = event_url(int(old_event["n"])) if old_event else None
        return f"]({ours or OLD_SITE + url})"

    # Links to the old site's own pages first (the addresses put in below are ours).
    text = RELATIVE_LINK.sub(relative, markdown)
    # {% raw %}…{% endraw %} is shown as written (code about templates): set it aside.
    raws: list[str] = []

    def keep_raw(match: re.Match) -> str:
        raws.append(match["raw"])
        return f"\x00RAW{len(raws) - 1}\x00"

    text = LIQUID_RAW.sub(keep_raw, text)
    text = LIQUID_TAG.sub(tag, text)
    text = re.sub(r"\x00COMMENT\x00.*?(?:$|(?=\x00))", "", text, flags=re.S)

    def output(match: re.Match) -> str:
        expr = match["expr"].strip()
        if expr in {"site.url", "site.baseurl", "site.base_url"}:
            return ""
        warnings.append(_("expression Liquid « %(expr)s » retirée") % {"expr": match[0].strip()})
        return ""

    text = LIQUID_OUTPUT.sub(output, text)
    # A link whose target was dropped goes with its text ("[Voir la vidéo](…)").
    text = re.sub(MD_LINK_TO.format(target=r"\x00DROP\x00"), "", text)
    text = text.replace("\x00DROP\x00", "")
    text = IFRAME.sub("", text)
    text = IMAGE_LINK.sub("", text)
    text = IMAGE.sub("", text)

    text = re.sub(r"\x00RAW(\d+)\x00", lambda m: raws[int(m[1])], text)
    text = re.sub(r"(<br\s*/?>\s*)+", "\n", text, flags=re.I)
    text = re.sub(r"[ \t]+$", "", text, flags=re.M)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, warnings


# Events and talks ---------------------------------------------------------------------


def event_number(post: Post) -> int | None:
    match = NUMBER_IN_TITLE.search(post.title) or NUMBER_IN_CATEGORY.search(post.stem)
    return int(match["n"]) if match else None


def parse_event(post: Post, *, flickr_user: str = FLICKR_USER) -> EventData:
    """The evening behind an API Hour post (without its description, see convert_prose)."""
    if not post.title:
        raise JekyllError(_("pas de titre"))
    number = event_number(post)
    if number is None:
        raise JekyllError(
            _("numéro d'API Hour introuvable dans le titre « %(title)s »") % {"title": post.title}
        )
    warnings: list[str] = []
    found = find_date(post.body, post.date)
    if found is None:
        day, start = post.date, None
        warnings.append(
            _("date de la soirée introuvable dans le texte : date du billet (%(date)s) retenue")
            % {"date": post.date.strftime("%d/%m/%Y")}
        )
    else:
        day, start, date_warnings = found
        warnings += date_warnings
    if start is None:
        warnings.append(_("heure introuvable : 19h retenue"))
        start = DEFAULT_START
    starts_at = datetime.combine(day, start, tzinfo=PARIS)
    name, address = find_venue(post.body)
    if not name and not address:
        warnings.append(_("lieu introuvable dans le texte"))
    elif not address:
        warnings.append(_("adresse du lieu « %(name)s » introuvable") % {"name": name})
    elif not name:
        name = address.splitlines()[0]
        warnings.append(_("nom du lieu introuvable : son adresse sert de nom"))
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
        capacity=find_capacity(post.body),
        photos_url=photos_url,
        warnings=warnings,
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


def parse_talk(post: Post) -> TalkData:
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
        data.author_url = check_url(author_url) or ""
        if not data.author_url:
            warnings.append(
                _("lien de l'intervenant·e illisible ou trop long « %(url)s »")
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
        data.slides_url = check_url(slides) or ""
        if not data.slides_url:
            warnings.append(
                _("adresse des slides illisible ou trop longue « %(url)s »") % {"url": slides}
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
    if parts.path.startswith("/@") and host not in {"twitter.com", "x.com", "medium.com"}:
        return "mastodon_url"
    return "website_url"
