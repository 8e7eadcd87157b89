"""Slots of the member pages that higher apps fill: the members app sits below events
and talks, so it never asks them for a member's RSVPs or talks; they register a section
(a template and the function that gives its context) when they start (their apps.py).

The member's own page (/members/me/) shows the `own` sections; their public page the
`public` ones. A section's template reads its context as `section`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import User


@dataclass(frozen=True)
class ProfileSection:
    template: str
    context: Callable[[User], dict]
    order: int = 50


_sections: dict[str, list[ProfileSection]] = {"own": [], "public": []}


def register_profile_section(page: str, section: ProfileSection) -> None:
    """page: "own" (the member's own page) or "public" (their public page)."""
    if section.template not in {s.template for s in _sections[page]}:
        _sections[page].append(section)
        _sections[page].sort(key=lambda s: s.order)


def profile_sections(page: str, member: User) -> list[dict]:
    """[{"template": ..., "section": context}, ...] in order, for the page's loop."""
    return [{"template": s.template, "section": s.context(member)} for s in _sections[page]]
