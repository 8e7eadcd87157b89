"""Text primitives shared by the readers of the old Jekyll site (talks.jekyll and friends):
the words of French dates and times, Markdown and HTML patterns, plain text, sections."""

from __future__ import annotations

import html
import re

MONTHS = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}  # fmt: skip
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]

NUMBER_IN_TITLE = re.compile(r"API[\s-]*Hours?\s*(?:n°|no\.?|#)?\s*(?P<n>\d+)", re.I)
# The word before the day may be a weekday, exact ("lundi") or misspelled ("lundu"): see
# read_weekday.
TEXT_DATE = re.compile(
    r"(?:\b(?P<word>[^\W\d_]{4,9})\s+)?"
    r"\b(?P<day>\d{1,2})(?:er|e)?\s+(?P<month>" + "|".join(MONTHS) + r")\b"
    r"(?:\s+(?P<year>\d{4}))?",
    re.I,
)
NUMERIC_DATE = re.compile(r"\b(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}|\d{2})\b")
TIME = re.compile(r"\b(?P<h>[01]?\d|2[0-3])\s*(?:h|:)\s*(?P<m>[0-5]\d)?(?!\d)", re.I)
IMAGE_LINK = re.compile(r"\[\s*!\[[^\]]*\]\([^)]*\)\s*\]\([^)]*\)")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
IFRAME = re.compile(r"<(iframe|script|style)\b.*?(?:</\1\s*>|/>)", re.S | re.I)
HTML_TAG = re.compile(r"<[^>]+>")


def plain_text(markdown: str) -> str:
    """The words a reader sees: no emphasis, no link targets, no HTML, spaces collapsed."""
    text = IFRAME.sub(" ", markdown)
    text = IMAGE_LINK.sub(" ", text)
    text = IMAGE.sub(" ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = HTML_TAG.sub(" ", text)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return " ".join(html.unescape(text).split())


def section_span(markdown: str, *titles: str) -> tuple[int, int, int] | None:
    """(heading start, body start, end) of the first "## Title" section whose title starts
    with one of titles; the section ends at the next "#" or "##" heading."""
    pattern = re.compile(
        r"^#{1,3}[ \t]*(?:"
        + "|".join(re.escape(t) for t in titles)
        + r")[^\n]*$(?P<body>.*?)(?=^##?\s|\Z)",
        re.I | re.M | re.S,
    )
    match = pattern.search(markdown)
    return (match.start(), match.start("body"), match.end()) if match else None


def section(markdown: str, *titles: str) -> str:
    """The text under the first "## Title" heading whose title starts with one of titles."""
    span = section_span(markdown, *titles)
    return markdown[span[1] : span[2]] if span else ""


def is_date_or_time(value: str) -> bool:
    return bool(
        TEXT_DATE.search(value) or NUMERIC_DATE.search(value) or TIME.fullmatch(value.strip())
    )
