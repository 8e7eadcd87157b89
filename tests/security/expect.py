"""Expected answers, and the helpers that write a row of the URL table in one line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlparse

from django.urls import reverse

from .world import PERSONAS, World


@dataclass(frozen=True)
class Expect:
    """A status code, and for redirects where they lead.

    `to` is a URL path (or a function of the world giving one), or LOGIN / ADMIN_LOGIN
    (the login page with ?next=<this URL>).
    """

    status: int
    to: str | Callable[[World], str] | None = None

    def __str__(self) -> str:
        if self.to is None:
            return str(self.status)
        return f"{self.status} → {'(computed)' if callable(self.to) else self.to}"

    def mismatch(self, response, path: str, world: World) -> str | None:
        """Why the response is not this answer, or None when it is."""
        if response.status_code != self.status:
            return f"expected {self}, got {response.status_code}{_where(response)}"
        if self.to is None:
            return None
        location = response.headers.get("Location", "")
        to = self.to(world) if callable(self.to) else self.to
        if to in (_LOGIN, _ADMIN_LOGIN):
            login = reverse("account_login") if to == _LOGIN else reverse("admin:login")
            parsed = urlparse(location)
            if parsed.path != login or parse_qs(parsed.query).get("next") != [path]:
                return f"expected a redirect to {login}?next={path}, got one to {location}"
            return None
        if urlparse(location).path != to:
            return f"expected a redirect to {to}, got one to {location}"
        return None


def _where(response) -> str:
    location = response.headers.get("Location")
    return f" → {location}" if location else ""


_LOGIN, _ADMIN_LOGIN = "<login>", "<admin login>"
OK = Expect(200)
LOGIN = Expect(302, _LOGIN)  # the site's login page, then back here
ADMIN_LOGIN = Expect(302, _ADMIN_LOGIN)
FORBIDDEN = Expect(403)
NOT_FOUND = Expect(404)
NOT_ALLOWED = Expect(405)  # GET on a POST-only view
BAD_REQUEST = Expect(400)


def redirect(to: str | Callable[[World], str], status: int = 302) -> Expect:
    return Expect(status, to)


def everyone(answer: Expect = OK, **personas: Expect) -> dict[str, Expect]:
    """The same answer for every persona, except those named."""
    unknown = set(personas) - set(PERSONAS)
    assert not unknown, f"unknown personas: {unknown}"
    return {persona: personas.get(persona, answer) for persona in PERSONAS}


def members_only(answer: Expect = OK, **personas: Expect) -> dict[str, Expect]:
    """@login_required: anonymous visitors go to the login page."""
    return everyone(answer, **{"anonymous": LOGIN, **personas})


def organizers_only(answer: Expect = OK, **personas: Expect) -> dict[str, Expect]:
    """The door and other organizer pages: login, then 403 unless an organizer."""
    refused = dict.fromkeys(("member", "other_member", "banned", "staff"), FORBIDDEN)
    return everyone(answer, **{"anonymous": LOGIN, **refused, **personas})


def owner_only(**personas: Expect) -> dict[str, Expect]:
    """The member's own things (login required): everyone else gets a 404."""
    return everyone(NOT_FOUND, **{"anonymous": LOGIN, "member": OK, **personas})


def post_only(**personas: Expect) -> dict[str, Expect]:
    return everyone(NOT_ALLOWED, **personas)


Kwargs = Callable[[World], dict]


@dataclass
class Case:
    """One way to call a URL: its arguments from the world, the expected answers.

    `known` marks the personas whose answer is wrong today and fixed on another
    branch: {"member": "issue 10 #1: ... (trust-talks)"}. Those cases run as
    xfail(strict=True), so they turn red the day the fix lands here.
    """

    label: str
    kwargs: Kwargs
    get: dict[str, Expect]
    known: dict[str, str] = field(default_factory=dict)
    # Pages only a logged-in person can see must not be kept by any cache.
    private: bool = False


def case(
    get: dict[str, Expect],
    kwargs: Kwargs | None = None,
    *,
    label: str = "",
    known: dict[str, str] | None = None,
    private: bool = False,
) -> Case:
    return Case(
        label=label,
        kwargs=kwargs or (lambda w: {}),
        get=get,
        known=known or {},
        private=private,
    )
