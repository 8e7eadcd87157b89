"""The authorization matrix: every URL the resolver knows x every persona, one GET each.

Each case says what the persona must get (routes.py, admin_policy.py). A GET must
never write to the database, and a 500 is an answer like any other: it fails the case
with the URL, the persona and the status in the message.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .admin_policy import ADMIN_MODELS, registered_labels
from .expect import OK
from .table import RESOLVED, TABLE, matrix_cases, request_path, writes
from .world import LOGGED_IN

# The Cache-Control header each GET of the matrix got, so that the cache test below
# does not ask again (it does when run alone).
CACHE_CONTROL: dict[tuple, str | None] = {}


def test_every_url_has_a_row():
    missing = sorted(
        f"  {route.key!r}  ({route.route}, view {route.view})"
        for route in RESOLVED.values()
        if route.key not in TABLE
    )
    assert not missing, (
        "These URLs have no row in the authorization matrix. Add one per URL to ROUTES in "
        "tests/security/routes.py (or, for a model registered in the admin, a line in "
        "ADMIN_MODELS in tests/security/admin_policy.py), saying what each persona "
        "must get:\n" + "\n".join(missing)
    )


def test_every_row_is_a_url():
    stale = sorted(key for key in TABLE if key not in RESOLVED)
    assert not stale, f"Rows for URLs that no longer exist (remove them): {stale}"


def test_every_admin_model_has_a_policy():
    assert registered_labels() == sorted(ADMIN_MODELS), (
        "Every model registered in the admin needs its line in ADMIN_MODELS "
        "(tests/security/admin_policy.py): what organizers may do with it."
    )


@pytest.mark.parametrize(("key", "case", "persona"), list(matrix_cases(TABLE)))
def test_get_answers_as_expected_and_writes_nothing(key, case, persona, world, client_as):
    path = request_path(key, case, world)

    with CaptureQueriesContext(connection) as queries:
        response = client_as(persona).get(path)

    CACHE_CONTROL[(path, persona)] = response.get("Cache-Control")
    problem = case.get[persona].mismatch(response, path, world)
    assert problem is None, (
        f"GET {path} ({key}) as {persona}: {problem}. If the new answer is the right one, "
        "change the row in tests/security/routes.py."
    )
    written = writes(queries.captured_queries)
    assert not written, f"GET {path} ({key}) as {persona} wrote to the database: {written}"


def _private_page(key, case, persona) -> bool:
    """The pages a logged-in persona gets that are theirs alone: rows marked private,
    and the admin (but its JavaScript catalogue, the same for everyone)."""
    if case.get[persona] != OK:
        return False
    return case.private or (RESOLVED[key].is_admin and key != "admin:jsi18n")


@pytest.mark.parametrize(
    ("key", "case", "persona"),
    list(matrix_cases(TABLE, LOGGED_IN, only=_private_page)),
)
def test_private_pages_are_not_kept_by_caches(key, case, persona, world, client_as):
    """A page only a logged-in person can see (their ticket, their proposals, the door)
    must not be stored by a shared cache nor by the browser's back/forward cache."""
    path = request_path(key, case, world)
    if (path, persona) not in CACHE_CONTROL:
        CACHE_CONTROL[(path, persona)] = client_as(persona).get(path).get("Cache-Control")

    header = CACHE_CONTROL[(path, persona)]
    directives = {part.strip() for part in (header or "").split(",")}
    assert {"private", "no-store"} <= directives, (
        f"GET {path} ({key}) as {persona}: Cache-Control is {header!r}, "
        "expected 'private, no-store'"
    )


def test_banned_member_cannot_change_their_speaker_profile(world, client_as):
    from talks.models import Speaker

    speaker = Speaker.objects.get(user=world.users["banned"])

    client_as("banned").post(reverse("talks:speaker-profile"), {"name": "Autre", "bio": "Changé"})

    speaker.refresh_from_db()
    assert (speaker.name, speaker.bio) == ("Banni", "")
