"""The old site's prose made ready for our pages (pure functions, no database).

An API Hour post repeats what our event page shows by itself (the date, the venue box,
the list of talks, the registration box) and carries what is dead on our site (the
Eventbrite or Mobilizon instructions, embedded maps and their "Afficher une carte plus
grande" links). The functions below remove exactly that, and nothing else: every
sentence that says something more (a host's thanks, a sponsor, a programme item that
is not a talk, "une salle prêtée par Supinfo") stays, and each one returns what it
removed so that the import report can say it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.search import unaccent

from .jekyll import LIQUID_OUTPUT, LIQUID_RAW, LIQUID_TAG, MD_LINK_TO, OLD_SITE
from .jekyll_text import (
    IFRAME,
    IMAGE,
    IMAGE_LINK,
    MONTHS,
    NUMERIC_DATE,
    TEXT_DATE,
    TIME,
    WEEKDAYS,
    plain_text,
    section_span,
)
from .jekyll_venues import VENUE_SECTIONS

REGISTRATION_SECTIONS = ("Inscription", "S'inscrire", "S’inscrire", "Billetterie")
REGISTRATION = re.compile(
    r"inscri|eventbrite|mobilizon|meetup\.com|weezevent|helloasso|billet|\bplaces?\b"
    r"|limitée?|ouverture|complet|liste d'attente|réserv",
    re.I,
)
TICKETING = re.compile(r"eventbrite|mobilizon|meetup\.com|weezevent|helloasso", re.I)
TICKETING_NAMES = {
    "eventbrite": "Eventbrite", "mobilizon": "Mobilizon", "meetup.com": "Meetup",
    "weezevent": "Weezevent", "helloasso": "HelloAsso",
}  # fmt: skip
# What a programme says besides its talks: a host, a sponsor, the buffet…
THANKS = re.compile(
    r"héberg|accueil|remerci|merci|sponsor|partenaire|offert|soutien|mécène|grâce à|buffet"
    r"|apéro|\bpot\b",
    re.I,
)
MAP_LINK_TEXT = (
    r"(?:Afficher|Voir)\s+(?:une\s+)?(?:la\s+)?carte\s+plus\s+grande|View\s+Larger\s+Map"
    r"|Agrandir\s+(?:le\s+plan|la\s+carte)"
)
MAP_LINK = re.compile(
    rf"(?:<small>\s*)?(?:<a\b[^>]*>\s*(?P<a>{MAP_LINK_TEXT})\s*</a>"
    rf"|\[\s*(?P<md>{MAP_LINK_TEXT})\s*\]\([^)]*\))(?:\s*</small>)?",
    re.I,
)
HTML_IMAGE = re.compile(
    r"<figure\b.*?</figure\s*>|<img\b[^>]*>", re.S | re.I
)  # a whole <figure> goes, its <figcaption> with it
CAPTION = re.compile(  # used with .match(text, pos): no "\A"
    r"[ \t]*(?:<br\s*/?>)?[ \t]*\n?[ \t]*(?:<br\s*/?>)?[ \t]*"
    r"(?P<caption>\*(?!\*)[^*\n]+\*|_(?!_)[^_\n]+_|<small>[^<]*</small>|<em>[^<]*</em>"
    r"|<figcaption>[^<]*</figcaption>|<p class=\"?caption\"?>[^<]*</p>)[ \t]*(?=\n|\Z)",
    re.I,
)
RELATIVE_LINK = re.compile(r"(?P<before>\]\(\s*|\bhref=[\"'])(?P<url>/(?!/)[^)\s\"']*)")
SITE_URL_IN_LINK = re.compile(
    r"(?P<before>\]\(\s*|\bhref=[\"'])\s*{{-?\s*site\.(?:url|baseurl|base_url)\s*-?}}"
)


class Converted(NamedTuple):
    text: str
    warnings: list[str]
    removed: list[str]  # what was taken out, one French label each (for the report)


def _iframe_label(tag: str) -> str:
    source = (re.search(r"\bsrc=[\"']?([^\"'\s>]+)", tag, re.I) or [None, ""])[1].lower()
    if re.search(r"openstreetmap|maps\.google|google\.[a-z.]+/maps|umap|mapbox", source):
        return _("carte intégrée")
    if TICKETING.search(source):
        return _("formulaire d'inscription intégré")
    if re.search(r"youtube|vimeo|dailymotion", source):
        return _("vidéo intégrée")
    return _("cadre intégré (%(tag)s)") % {"tag": tag[1 : tag.find(" ")] or "iframe"}


def _old_hosts(old_site: str) -> set[str]:
    host = (urlsplit(old_site).hostname or "").lower().removeprefix("www.")
    return {host, f"www.{host}"} if host else set()


def convert_prose(
    markdown: str,
    *,
    resolve: Callable[[str], str | None],
    old_page: Callable[[str], str | None] = lambda path: None,
    old_site: str = OLD_SITE,
) -> Converted:
    """Markdown from the old site made ready for ours.

    - {% post_url X %} becomes the address of the imported page; a link to a post that
      is not imported is dropped with its text (reported);
    - {% raw %}, {% highlight %} and the like are unwrapped, other tags and {{ … }}
      are dropped (reported), so that no Liquid ever shows on a page;
    - embedded frames (maps, ticket widgets) and images are removed, with the caption
      under an image and the "Afficher une carte plus grande" link under a map: our
      pages embed neither (each removal is listed in `removed`);
    - links to the old site's pages (a path, or an address on the old domain with or
      without "www.") point to our page when there is one (old_page: an event, a talk,
      the code of conduct…); other paths are completed with old_site.
    """
    warnings: list[str] = []
    removed: list[str] = []
    hosts = _old_hosts(old_site)

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
        return match["before"] + (old_page(url) or old_site + url)

    def absolute(match: re.Match) -> str:
        parts = urlsplit(match["url"])
        if (parts.hostname or "").lower() not in hosts:
            return match[0]
        ours = old_page(parts.path or "/")
        return match["before"] + ours if ours else match[0]

    # Links to the old site's own pages first (the addresses put in below are ours).
    text = SITE_URL_IN_LINK.sub(lambda m: m["before"], markdown)
    text = RELATIVE_LINK.sub(relative, text)
    text = re.sub(
        r"(?P<before>\]\(\s*|\bhref=[\"'])(?P<url>(?:https?:)?//[^)\s\"']+)", absolute, text
    )
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

    def frame(match: re.Match) -> str:
        removed.append(_iframe_label(match[0]))
        return ""

    text = IFRAME.sub(frame, text)
    text = _remove_images(text, removed)

    def map_link(match: re.Match) -> str:
        removed.append(
            _("lien « %(text)s » d'une carte retirée")
            % {"text": " ".join((match["a"] or match["md"]).split())}
        )
        return ""

    text = MAP_LINK.sub(map_link, text)
    text = re.sub(r"\x00RAW(\d+)\x00", lambda m: raws[int(m[1])], text)
    return Converted(tidy(text), warnings, removed)


def _remove_images(text: str, removed: list[str]) -> str:
    """Images go (our pages show none), each with the caption written just under it."""
    pattern = re.compile(f"{IMAGE_LINK.pattern}|{IMAGE.pattern}|{HTML_IMAGE.pattern}", re.S | re.I)
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(text[position : match.start()])
        alt = re.search(r"!\[([^\]]*)\]|\balt=[\"']([^\"']*)", match[0])
        alt = " ".join((alt[1] or alt[2] or "").split()) if alt else ""
        if re.search(r"maps\.google|staticmap|openstreetmap", match[0], re.I):
            removed.append(_("carte (image)"))
        else:
            removed.append(_("image « %(alt)s »") % {"alt": alt} if alt else _("image"))
        caption = CAPTION.match(text, match.end())
        position = match.end()
        figcaption = re.search(r"<figcaption>(.*?)</figcaption>", match[0], re.S | re.I)
        words = plain_text(caption["caption"]) if caption else ""
        if figcaption:
            words = plain_text(figcaption[1])
        if caption:
            position = caption.end()
        if words:
            removed.append(_("sa légende « %(text)s »") % {"text": words})
    out.append(text[position:])
    return "".join(out)


def tidy(text: str) -> str:
    """Line breaks of the old HTML as new lines, no trailing spaces, no empty sections,
    at most one blank line in a row."""
    text = re.sub(r"(<br\s*/?>\s*)+", "\n", text, flags=re.I)
    text = re.sub(r"[ \t]+$", "", text, flags=re.M)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    # A "## Heading" with nothing left under it (before the next "#"/"##" heading).
    text = re.sub(r"^#{1,2}[ \t]+[^\n]*\n(?:[ \t]*\n)*(?=#{1,2}[ \t]|\Z)", "", text, flags=re.M)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return re.sub(r"\n*^#{1,2}[ \t]+[^\n]*\Z", "", text, flags=re.M).strip()


def _paragraphs(body: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", body) if p.strip()]


def _splice(markdown: str, start: int, end: int, blocks: list[str]) -> str:
    """markdown with [start:end] replaced by blocks (paragraphs), blank lines between."""
    pieces = [markdown[:start].rstrip("\n"), *blocks, markdown[end:].lstrip("\n")]
    return "\n\n".join(p for p in pieces if p.strip()) + ("\n" if markdown.endswith("\n") else "")


# The programme --------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", unaccent(plain_text(text)).lower()) if len(w) > 3}


def _similar(paragraph: str, abstract: str) -> bool:
    words = _words(paragraph)
    return bool(words) and len(words & _words(abstract)) >= 0.6 * len(words)


class ProgrammeCut(NamedTuple):
    text: str
    talks: int  # how many talk entries were removed
    intro: list[str]  # sentences introducing the list, removed with it


def without_programme_talks(markdown: str, talks: dict[int, str]) -> ProgrammeCut:
    """The description without the talks of its "## Programme" section (the site shows
    them from the talks), and with everything else the section says.

    `talks` maps the index of a "### …" entry (as counted by jekyll.programme) that is
    one of the imported talks to that talk's abstract. Such an entry goes with its text
    and its "[Voir la vidéo]({% post_url %})" line; what follows that line, or what
    thanks a host or a sponsor after the talk's text, stays. Entries that are not a talk
    stay under the "## Programme" heading; the heading goes when only loose sentences
    remain (they join the section above).
    """
    span = section_span(markdown, "Programme")
    if span is None or not talks:
        return ProgrammeCut(markdown, 0, [])
    start, body_start, end = span
    blocks = re.split(r"^(?=###\s)", markdown[body_start:end], flags=re.M)
    intro, items = blocks[0], blocks[1:]
    kept_items, extras, removed = [], [], 0
    for index, block in enumerate(items):
        if index not in talks:
            kept_items.append(block.strip())
            extras.append(("item", block.strip()))
            continue
        removed += 1
        _heading, _sep, body = block.partition("\n")
        paragraphs = _paragraphs(body)
        links = [i for i, p in enumerate(paragraphs) if re.search(r"{%-?\s*post_url", p)]
        if links:
            after = paragraphs[links[-1] + 1 :]
        else:
            after = []
            while paragraphs and not _similar(paragraphs[-1], talks[index]):
                if not THANKS.search(plain_text(paragraphs[-1])):
                    break
                after.insert(0, paragraphs.pop())
        extras += [("text", p.strip()) for p in after]
    removed_intro: list[str] = []
    intro_paragraphs = []
    for paragraph in _paragraphs(intro):
        words = plain_text(paragraph)
        if not kept_items and words.endswith(":") and len(words) <= 80:
            removed_intro.append(words)  # "Au programme ce soir :" introduced the talks
        else:
            intro_paragraphs.append(paragraph.strip())
    kept = intro_paragraphs + [value for _kind, value in extras]
    heading = [markdown[start:body_start].strip()] if kept_items else []
    return ProgrammeCut(_splice(markdown, start, end, heading + kept), removed, removed_intro)


# Registration -------------------------------------------------------------------


class RegistrationCut(NamedTuple):
    text: str
    paragraphs: int
    services: list[str]  # "Eventbrite", "Mobilizon"… named by what was removed


def without_registration(markdown: str) -> RegistrationCut:
    """The description without its registration instructions (the site takes the
    registrations now): the paragraphs of the "## Inscription" section about signing
    up, the seats or a ticketing site, and any other paragraph asking to register on a
    ticketing site. Other paragraphs of that section stay, under their heading."""
    removed: list[str] = []
    span = section_span(markdown, *REGISTRATION_SECTIONS)
    if span is not None:
        start, body_start, end = span
        kept = []
        for paragraph in _paragraphs(markdown[body_start:end]):
            words = plain_text(paragraph) or paragraph
            if REGISTRATION.search(words) or TICKETING.search(paragraph):
                removed.append(paragraph)
            else:
                kept.append(paragraph.strip())
        heading = markdown[start:body_start].strip()
        markdown = _splice(markdown, start, end, [heading, *kept] if kept else [])
    out = []
    for paragraph in re.split(r"(\n[ \t]*\n)", markdown):
        if TICKETING.search(paragraph) and re.search(r"inscri", plain_text(paragraph), re.I):
            removed.append(paragraph)
            continue
        out.append(paragraph)
    services = sorted(
        {name for key, name in TICKETING_NAMES.items() if any(key in p.lower() for p in removed)}
    )
    return RegistrationCut("".join(out), len(removed), services)


# The venue and the date, already shown by the page -----------------------------------

# Words that only frame the date and the venue ("Cet événement aura lieu le … à … au …").
FRAME_WORDS = {
    "cet", "cette", "evenement", "soiree", "api", "hour", "hours", "aura", "auront", "lieu",
    "le", "la", "les", "l", "a", "au", "aux", "de", "du", "des", "d", "en", "chez", "dans",
    "sur", "locaux", "adresse", "exacte", "est", "sera", "se", "tiendra", "deroulera",
    "rendez", "vous", "nous", "retrouver", "retrouvons", "attend", "attendons", "heure",
    "heures", "h", "et", "salle", "amphi", "amphitheatre", "ou", "c", "ce", "soir", "partir",
    "rdv", "on", "notre", "nos", "prochaine", "prochain", "habituel", "habituelle", "comme",
    "habitude", "precise", "precises", "voici", "suivante",
    *(unaccent(w) for w in WEEKDAYS), *(unaccent(m) for m in MONTHS),
}  # fmt: skip
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, never cut inside a link, bold text or an initial ("J.")."""
    out, start, depth = [], 0, 0
    for index, char in enumerate(paragraph):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth = max(0, depth - 1)
        elif char in ".!?" and depth == 0 and paragraph.count("**", 0, index) % 2 == 0:
            rest = paragraph[index + 1 :]
            word = re.search(r"(\S+)$", paragraph[start:index])
            initial = word and re.fullmatch(r"[A-ZÀ-Ý]|[A-Za-z]{1,2}|St|Ste|av|bd", word[1])
            if re.match(r"\s", rest or " ") and not initial:
                out.append(paragraph[start : index + 1])
                start = index + 1
    out.append(paragraph[start:])
    return [s for s in out if s.strip()]


def _leftover(sentence: str, known: list[str]) -> set[str]:
    """The words of a sentence that say more than the date, the time and the venue."""
    text = plain_text(sentence)
    for pattern in (TEXT_DATE, NUMERIC_DATE, TIME):
        text = pattern.sub(" ", text)
    folded = " " + " ".join(re.findall(r"[a-z0-9]+", unaccent(text).lower())) + " "
    for value in sorted(known, key=len, reverse=True):
        words = " ".join(re.findall(r"[a-z0-9]+", unaccent(value).lower()))
        if words:
            folded = folded.replace(f" {words} ", " ")
    return {w for w in folded.split() if w not in FRAME_WORDS and not w.isdigit()}


def without_venue_repeat(markdown: str, *, name: str, address: str, room: str) -> tuple[str, int]:
    """The "Informations pratiques" without the sentences that only give the date, the
    time and the venue, which the event page shows above the text; a sentence that also
    says something else ("dans une salle prêtée par Supinfo") stays whole."""
    span = section_span(markdown, *VENUE_SECTIONS)
    if span is None or not (name or address):
        return markdown, 0
    known = [name, room, *address.splitlines()]
    known += [part for line in address.splitlines() for part in line.split(",")]
    start, body_start, end = span
    removed, kept = 0, []
    for paragraph in _paragraphs(markdown[body_start:end]):
        sentences = _sentences(paragraph)
        remaining = [s for s in sentences if _leftover(s, known)]
        removed += len(sentences) - len(remaining)
        if remaining:
            kept.append(" ".join(s.strip() for s in remaining))
    if not removed:
        return markdown, 0
    heading = markdown[start:body_start].strip()
    return _splice(markdown, start, end, [heading, *kept] if kept else []), removed


# An API Hour's description ----------------------------------------------------------


def event_description(
    markdown: str,
    *,
    programme_talks: dict[int, str],
    venue_name: str,
    venue_address: str,
    room: str,
    resolve: Callable[[str], str | None],
    old_page: Callable[[str], str | None],
    old_site: str = OLD_SITE,
) -> Converted:
    """An API Hour post's text without what the event page shows by itself (the imported
    talks, the date and venue sentences, the registration box) nor what is dead (ticket
    sites, maps); `removed` says what was taken out, for the report. programme_talks: see
    without_programme_talks (empty: the "Programme" stays whole, no talk was imported)."""
    removed: list[str] = []
    body = markdown
    if programme_talks:
        cut = without_programme_talks(body, programme_talks)
        body = cut.text
        if cut.talks:
            removed.append(
                ngettext(
                    "la liste des talks du « Programme » (%(n)d talk, montré par le site)",
                    "la liste des talks du « Programme » (%(n)d talks, montrés par le site)",
                    cut.talks,
                )
                % {"n": cut.talks}
            )
        removed += [_("son introduction « %(text)s »") % {"text": t} for t in cut.intro]
    registration = without_registration(body)
    body = registration.text
    if registration.paragraphs and registration.services:
        removed.append(
            ngettext(
                "%(n)d paragraphe d'inscription par %(sites)s, périmé : le site prend les "
                "inscriptions",
                "%(n)d paragraphes d'inscription par %(sites)s, périmés : le site prend les "
                "inscriptions",
                registration.paragraphs,
            )
            % {"n": registration.paragraphs, "sites": ", ".join(registration.services)}
        )
    elif registration.paragraphs:
        removed.append(
            ngettext(
                "%(n)d paragraphe d'inscription, périmé : le site prend les inscriptions",
                "%(n)d paragraphes d'inscription, périmés : le site prend les inscriptions",
                registration.paragraphs,
            )
            % {"n": registration.paragraphs}
        )
    converted = convert_prose(body, resolve=resolve, old_page=old_page, old_site=old_site)
    removed += converted.removed
    text, sentences = without_venue_repeat(
        converted.text, name=venue_name, address=venue_address, room=room
    )
    if sentences:
        removed.append(
            ngettext(
                "%(n)d phrase sur la date et le lieu (affichés en haut de la page)",
                "%(n)d phrases sur la date et le lieu (affichés en haut de la page)",
                sentences,
            )
            % {"n": sentences}
        )
    return Converted(tidy(text), converted.warnings, removed)
