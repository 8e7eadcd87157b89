"""The short code printed under a ticket's QR code, typed at the door when the camera
cannot read it: 8 characters of Crockford's base32 (digits and letters without I, L, O
and U), shown in two groups ("K7M2-9QXD"), unique per event.

Crockford's decoding forgives what people mistype: any case, with or without the dash
or spaces, O read as 0, I and L read as 1. 40 random bits: two codes of one evening
meet once in a few billion draws, and the services draw again when they do.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
# What a person may type for each symbol (Crockford's decoding rules).
_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", "- \t")


def new_short_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_short_code(typed: str) -> str | None:
    """The stored form of a typed code ("k7m2-9qxd", "K7M2 9QXD", "k7m29oxd"...), or None
    when it cannot be one (wrong length, a U, a symbol)."""
    code = (typed or "").upper().translate(_IGNORED).translate(_CONFUSIONS)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def display_short_code(code: str) -> str:
    """Two groups of four, easier to read aloud and to type: "K7M2-9QXD"."""
    return f"{code[:4]}-{code[4:]}" if len(code) == LENGTH else code
