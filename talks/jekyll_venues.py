"""Venues in the old site's prose (pure functions, no database).

- find_venue(): the venue of an API Hour post, its address and the room inside it, from
  the "Informations pratiques" prose;
- venue_address_key() and venue_name_key(): what two spellings of one place have in
  common ("SUPINFO, salle 1" and "Supinfo – Amphi A", "Turing 22" and "Turing22",
  "La salle X" and "X"), so that the importer finds the venue it already has.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.search import unaccent

from .jekyll_text import (
    HTML_TAG,
    IFRAME,
    IMAGE,
    IMAGE_LINK,
    NUMBER_IN_TITLE,
    is_date_or_time,
    section,
)

VENUE_SECTIONS = ("Informations pratiques", "Infos pratiques", "Lieu", "Où")

# "63000 Clermont-Ferrand", "63170 Aubière", "63000 Clermont-Fd"…: the end of an address.
POSTCODE_CITY = re.compile(
    r"\b\d{5}\s+[A-ZÀ-Ý][\w'’.-]*"
    r"(?:[ -](?:[A-ZÀ-Ý][\w'’.-]*|sur|en|lès|les|le|la|de)(?=[\s.,;)]|$))*"
)
SPAN = re.compile(
    r"\[\s*(?:\*\*|__)?(?P<link>[^\]]+?)(?:\*\*|__)?\s*\]\((?P<target>[^)]*)\)"
    r"|\*\*(?P<bold>[^*]+?)\*\*",
    re.S,
)
# A room inside a venue: "salle 4", "Amphi A", "amphithéâtre 2", "auditorium B".
_ROOM = r"(?:salle|amphi(?:th[ée]âtre)?|auditorium)\s+(?-i:\d+[a-z]?|[A-Z]\d*|[IVX]+)\b"
ROOM_AFTER_NAME = re.compile(  # used with .match(text, pos): no "^"
    rf"\s*(?:\(\s*(?P<a>{_ROOM})\s*\)|[,–—-]\s*(?P<b>{_ROOM}))", re.I
)  # "**Centre Jean Richepin** (salle 4)"
ROOM_SUFFIX = re.compile(rf"^(?P<place>.+?)\s*(?:,|\s[–—-]|\()\s*(?P<room>{_ROOM})\s*\)?$", re.I)
ROOM_PREFIX = re.compile(
    rf"^(?P<room>{_ROOM})\s+(?:de\s+l['’]\s*|du\s+|de\s+la\s+|des\s+|de\s+)(?P<place>.+)$", re.I
)  # "Amphi A de l'IUT Informatique"
STREET_ABBREVIATIONS = {
    "av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "bvd": "boulevard",
    "pl": "place", "imp": "impasse", "all": "allee", "chem": "chemin", "rte": "route",
    "st": "saint", "ste": "sainte",
}  # fmt: skip


@dataclass(frozen=True)
class VenueText:
    """A venue as written in a post: "" for what could not be read."""

    name: str = ""
    address: str = ""
    room: str = ""
    warnings: list[str] = field(default_factory=list)


def split_room(name: str) -> tuple[str, str]:
    """("Centre Jean Richepin", "salle 4") from "Centre Jean Richepin (salle 4)", "…, salle 4",
    "… – salle 4"; ("IUT Informatique", "Amphi A") from "Amphi A de l'IUT Informatique"."""
    name = " ".join(name.split())
    match = ROOM_SUFFIX.match(name) or ROOM_PREFIX.match(name)
    if match and match["place"].strip(" ,-–—("):
        return _tidy_name(match["place"]), " ".join(match["room"].split())
    return name, ""


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


def _not_a_venue(text: str, target: str | None, old_hosts: tuple[str, ...]) -> bool:
    """Link text that names a page, not a place: a link to another post ({% post_url %}),
    to a page of the old site, or "API Hour #4" whatever it links to."""
    if NUMBER_IN_TITLE.search(text):
        return True
    if target is None:
        return False
    target = target.strip()
    if "post_url" in target or "{{" in target or target.startswith("/"):
        return True
    host = re.match(r"^(?:https?:)?//(?:www\.)?([^/:]+)", target, re.I)
    return bool(host and host[1].lower() in old_hosts)


def find_venue(markdown: str, *, old_hosts: tuple[str, ...] = ("clermontech.org",)) -> VenueText:
    """The venue from the "Informations pratiques" prose.

    The name is the bold or linked text just before the address — never the text of a
    link to another post or page ("au même endroit que l'[API Hour #4](…)": flagged);
    the address ends with a postcode and a city, inside bold/link text or right after
    the name; a room written with the name ("(salle 4)", "Amphi A de l'IUT") is apart.
    """
    text = section(markdown, *VENUE_SECTIONS) or markdown
    text = IFRAME.sub(" ", IMAGE_LINK.sub(" ", text))
    text = IMAGE.sub(" ", text)
    spans, refused = [], []
    for m in SPAN.finditer(text):
        value = " ".join((m["link"] or m["bold"]).replace("*", "").split())
        if not value or is_date_or_time(value):
            continue
        span = (m.start(), m.end(), value)
        (refused if _not_a_venue(value, m["target"], old_hosts) else spans).append(span)
    warnings: list[str] = []

    def refuse(span) -> None:
        warnings.append(
            _("« %(text)s » est le texte d'un lien vers une autre page, pas un lieu : ignoré")
            % {"text": span[2]}
        )

    def with_room(span) -> VenueText:
        name, room = split_room(_tidy_name(span[2]))
        after = ROOM_AFTER_NAME.match(text, span[1])
        if after and not room:
            room = " ".join((after["a"] or after["b"]).split())
        return name, room

    address_match = POSTCODE_CITY.search(text)
    if address_match is None:
        # A name alone ("à **La Jetée**"): the first span introduced by à / au / chez.
        for span in sorted(spans + refused):
            start = span[0]
            if re.search(
                r"\b(?:à|au|chez|locaux\s+de)\s*$", text[max(0, start - 20) : start], re.I
            ):
                if span in refused:
                    refuse(span)
                    return VenueText(warnings=warnings)
                name, room = with_room(span)
                return VenueText(name=name, room=room, warnings=warnings)
        return VenueText(warnings=warnings)
    every = sorted(spans + refused)
    inside = [s for s in every if s[0] <= address_match.start() < s[1]]
    if inside:
        address = inside[0][2]
        before = [s for s in every if s[1] <= inside[0][0]]
    else:
        before = [s for s in every if s[1] <= address_match.start()]
        begin = before[-1][1] if before else max(0, address_match.start() - 80)
        between = text[begin : address_match.end()]
        between = between.split(":")[-1]  # "L'adresse exacte est : …"
        between = re.sub(r"^[^\d\w]*", "", between)
        address = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", between)
    name, room = "", ""
    if before:
        if before[-1] in refused:
            refuse(before[-1])
        else:
            name, room = with_room(before[-1])
    return VenueText(name=name, address=_tidy_address(address), room=room, warnings=warnings)


# Telling places apart -----------------------------------------------------------------


def _fold(value: str) -> str:
    """Lower case, no accents, words of letters and digits separated by one space."""
    value = unaccent(html.unescape(value or "")).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value).split())


def venue_name_key(name: str) -> str:
    """ "Turing 22", "Turing22", "Salle Turing 22", "La salle Turing 22 – Amphi A" -> "turing22"."""
    place, _room = split_room(name)
    key = _fold(place)
    key = re.sub(r"^(?:la |le )?salle ", "", key)
    return key.replace(" ", "")


def venue_address_key(address: str) -> str:
    """The street (its first part with a number) and the postcode: "37 Rue Gonod\\n63000
    Clermont-Ferrand" and "37, rue Gonod - 63000 Clermont-Fd" -> "37ruegonod|63000".
    "" when there is no postcode (too vague to tell two places apart)."""
    folded = unaccent(html.unescape(address or "")).lower()
    postcode = re.search(r"\b(\d{5})\b", folded)
    if postcode is None:
        return ""
    parts = [_fold(p) for p in re.split(r"[,\n]|\s[-–—]\s", folded[: postcode.start()])]
    parts = [p for p in parts if p]
    for i in range(len(parts) - 1):  # "37, rue Gonod": the number goes with its street
        if parts[i].isdigit():
            parts[i : i + 2] = [f"{parts[i]} {parts[i + 1]}", ""]
    parts = [p for p in parts if p]
    street = next(
        (p for p in parts if re.match(r"\d", p)),
        next((p for p in parts if re.search(r"\d", p)), parts[0] if parts else ""),
    )
    words = [STREET_ABBREVIATIONS.get(w, w) for w in _fold(street).split()]
    return "".join(words) + "|" + postcode[1]
