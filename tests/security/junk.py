"""Junk: the values that broke the first release, and hypothesis strategies around them.

Values are bytes, sent percent-encoded as they are, so that what no Python str can hold
(a lone surrogate, invalid UTF-8) reaches the server as a browser or a script could send it.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

UNICODE_DIGITS = ["²", "٣", "Ⅻ", "𝟡", "१२", "½", "³⁴", "๓"]  # str.isdigit() says yes to some
MALFORMED_DATES = ["2024-13-45", "31/02/2024", "0000-00-00", "9999-12-31T25:61", "2024-02-30"]
MALFORMED_EMAILS = ["@", "a@", "@b", "a@b", "a b@c.d", "é@ü.fr", "a" * 250 + "@example.org"]
HUGE = "x" * 10_000

# Tried in every field of every form, and in every query parameter, on every run.
SHARP = [
    b"",
    b"a\x00b",  # PostgreSQL refuses NUL in text
    b"\xed\xa0\x80",  # a lone surrogate, UTF-8 encoded (invalid UTF-8)
    "²".encode(),  # "²".isdigit() is True, int("²") raises
    b"99999999999999999999999",  # past 64-bit integers
    HUGE.encode(),
]


def _utf8(value: str) -> bytes:
    return value.encode()


JUNK = st.one_of(
    st.sampled_from(SHARP),
    st.sampled_from(UNICODE_DIGITS + MALFORMED_DATES + MALFORMED_EMAILS).map(_utf8),
    st.integers(min_value=-(10**30), max_value=10**30).map(str).map(_utf8),
    st.sampled_from(["0", "-0", "1e309", "NaN", "2147483648", "9223372036854775808"]).map(_utf8),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=8).map(_utf8),
    st.text(st.characters(codec="utf-8"), max_size=40).map(_utf8),
    st.binary(max_size=12),
)


def encode_pairs(pairs: list[tuple[str, bytes]]) -> str:
    """application/x-www-form-urlencoded, bytes kept as they are."""
    return "&".join(
        f"{quote_from_bytes(name.encode(), safe='')}={quote_from_bytes(value, safe='')}"
        for name, value in pairs
    )


def segment(value: bytes) -> str:
    """A path segment holding these bytes (a slash included, as %2F)."""
    return quote_from_bytes(value, safe="") or "%20"
