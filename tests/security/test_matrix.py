"""The authorization matrix: every URL the resolver knows x every persona, one GET each.

Each case says what the persona must get (routes.py, admin_policy.py). A GET must
never write to the database, and a 500 is an answer like any other: it fails the case
with the URL, the persona and the status in the message.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .admin_policy import ADMIN_MODELS, admin_model_routes, registered_labels
from .expect import OK
from .resolver import all_routes
from .routes import ROUTES, path_for
from .world import LOGGED_IN, PERSONAS

TABLE = {**ROUTES, **admin_model_routes()}
RESOLVED = {route.key: route for route in all_routes()}
# Rows that only Django itself writes on a GET: the session (a login page, the door
# remembering its event) and the database cache.
BOOKKEEPING_TABLES = ("django_session", "django_cache")

NO_CACHE_HEADER = (
    "issue 10: private pages lack `Cache-Control: private, no-store`; fixed on branch main"
)


def matrix_cases(table: dict, personas=PERSONAS, only=None, known=None):
    """pytest params (key, case, persona); `only(key, case, persona)` filters them and
    `known(key, case, persona)` names a known defect (an xfail) beside the row's own."""
    for key, cases in table.items():
        if key not in RESOLVED:
            continue  # reported by test_every_row_is_a_url
        for case in cases:
            for persona in personas:
                if only is not None and not only(key, case, persona):
                    continue
                reasons = [case.known.get(persona), known and known(key, case, persona)]
                reason = " AND ".join(r for r in reasons if r)
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                label = f"{key}[{case.label}]" if case.label else key
                yield pytest.param(key, case, persona, id=f"{label}-{persona}", marks=marks)


def request_path(key: str, case, world) -> str:
    return path_for(key, RESOLVED[key].route, case.kwargs(world))


def writes(queries) -> list[str]:
    """The INSERT/UPDATE/DELETE statements of a request, bookkeeping tables left out."""
    found = []
    for query in queries:
        sql = query["sql"].lstrip().upper()
        if sql.startswith(("INSERT", "UPDATE", "DELETE", "REPLACE")) and not any(
            table.upper() in sql for table in BOOKKEEPING_TABLES
        ):
            found.append(query["sql"][:200])
    return found


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


# Django's admin says `never_cache` on its pages but for its password change pages,
# which it marks cacheable; the site's own pages say nothing yet.
CACHEABLE_ADMIN_PAGES = ("admin:password_change", "admin:password_change_done")


def _cache_header_missing(key, case, persona) -> str | None:
    if RESOLVED[key].is_admin and key not in CACHEABLE_ADMIN_PAGES:
        return None
    return NO_CACHE_HEADER


@pytest.mark.parametrize(
    ("key", "case", "persona"),
    list(matrix_cases(TABLE, LOGGED_IN, only=_private_page, known=_cache_header_missing)),
)
def test_private_pages_are_not_kept_by_caches(key, case, persona, world, client_as):
    """A page only a logged-in person can see (their ticket, their proposals, the door)
    must not be stored by a shared cache nor by the browser's back/forward cache."""
    path = request_path(key, case, world)

    response = client_as(persona).get(path)

    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= cache_control, (
        f"GET {path} ({key}) as {persona}: Cache-Control is "
        f"{response.get('Cache-Control')!r}, expected 'private, no-store'"
    )
