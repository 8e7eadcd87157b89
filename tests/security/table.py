"""The matrix as pytest parameters: the URL table joined with what the resolver knows."""

from __future__ import annotations

import pytest

from .admin_policy import admin_model_routes
from .resolver import all_routes
from .routes import ROUTES, path_for
from .world import PERSONAS

TABLE = {**ROUTES, **admin_model_routes()}
RESOLVED = {route.key: route for route in all_routes()}
# Rows that only Django itself writes on a GET: the session (a login page, the door
# remembering its event) and the database cache.
BOOKKEEPING_TABLES = ("django_session", "django_cache")


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
