"""Search that ignores accents and case, on PostgreSQL and on SQLite.

`name__unaccent__icontains="loic"` finds "Loïc", and "Jérémy" finds "Jeremy": the
`unaccent` transform is applied to both sides of the comparison (bilateral) and
icontains ignores the case.

- PostgreSQL: the `unaccent` extension (created by core's migration 0002).
- SQLite: a Python function of the same name, registered on every new connection
  (CoreConfig.ready); SQLite's LIKE ignores the case of ASCII letters, which is all
  that is left once the accents are gone.

In the admin, list the search fields through `unaccented()`:
`search_fields = unaccented("name", "email")`.
"""

from __future__ import annotations

import unicodedata

from django.db.models import CharField, TextField, Transform

# Letters that are not a base letter plus accents: what PostgreSQL's unaccent.rules
# turns them into.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
     "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
     "’": "'", "‘": "'"}
)  # fmt: skip


def unaccent(value: str | None) -> str | None:
    """ "Jérémy Lœuf" -> "Jeremy Loeuf" (the case is kept)."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(value).translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Unaccent(Transform):
    """`field__unaccent`: the text without its accents, compared without them too."""

    bilateral = True
    lookup_name = "unaccent"
    function = "UNACCENT"


def register_lookups() -> None:
    # EmailField, SlugField, URLField… are CharFields: they inherit the lookup.
    for field in (CharField, TextField):
        field.register_lookup(Unaccent)


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """connection_created receiver: SQLite learns UNACCENT()."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("UNACCENT", 1, unaccent, deterministic=True)


def unaccented(*fields: str) -> list[str]:
    """Admin search fields that ignore accents and case: "name" -> "name__unaccent__icontains".

    Text fields only (a number field keeps its plain entry next to these)."""
    return [f"{field}__unaccent__icontains" for field in fields]
