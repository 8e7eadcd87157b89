"""French elision: "de" before a name, or "d'" when it starts with a vowel or a mute h
("les données d'Alice", "le profil de Bob", "le compte d'Hélène").

The preposition belongs to the French sentence only: the translated string holds
%(de_name)s where French writes "de Bob"; in another language the value is the bare
name ("Delete the data of %(de_name)s" -> "Delete the data of Bob").
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import get_language

# A mute h elides like a vowel ("d'Hugo", "d'Hélène"); names with an aspirated h are rare
# enough among first names to keep the rule simple.
_ELIDING = set("aeiouyh")


def _first_letter(name: str) -> str:
    for char in name.strip():
        if char.isalpha():
            # "É" -> "e", "Œ" -> "oe": the base letter decides.
            base = unicodedata.normalize("NFKD", char)[0].lower()
            return "o" if base == "œ" else base
    return ""


def de(name: object) -> str:
    """'de Bob' or "d'Alice" in French; the name alone in any other language."""
    text = str(name)
    if not (get_language() or "fr").startswith("fr"):
        return text
    return f"d'{text}" if _first_letter(text) in _ELIDING else f"de {text}"
