"""The programme of an event: a slot that the talks app fills.

Events sit below talks: their calendar files and reminder emails show the programme,
but events never import talks. The talks app registers the one function that gives the
public programme of some events (talks/apps.py); until it does (an events-only test,
a talks app left out), events have no programme.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .models import Event

# events -> {event id: [talk, ...] in programme order}; each talk has `title`,
# `speaker_names` and `duration_minutes` (what calendars and emails print).
ProgrammeProvider = Callable[[Sequence[Event]], dict[int, list]]

_provider: ProgrammeProvider | None = None


def register_programme_provider(provider: ProgrammeProvider) -> None:
    global _provider
    _provider = provider


def programmes(events: Sequence[Event]) -> dict[int, list]:
    """The public programme of each event (a constant number of queries)."""
    if _provider is None or not events:
        return {}
    return _provider(events)


def programme(event: Event) -> list:
    return programmes([event]).get(event.pk, [])
