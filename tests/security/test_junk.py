"""Junk on every door: every form field, query parameter and path segment of every page,
as every kind of visitor, gets the values that broke the first release, then hypothesis'.

Never a 5xx. And when the answer is a 4xx, nothing was written (row counts of every
model compared before and after). Each attempt runs in a savepoint rolled back after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .expect import OK
from .forms import Form, read_page
from .junk import JUNK, SHARP, encode_pairs, segment
from .table import RESOLVED, TABLE, matrix_cases, request_path
from .world import PERSONAS

# Who knocks: on the site, one persona per kind of page (staff, other_member and superuser
# see the same forms as member and organizer); in the admin, the organizers.
SITE_PERSONAS = ("anonymous", "member", "banned", "organizer")
ADMIN_PERSONAS = ("organizer",)

# The query parameters each view reads (grep the views for request.GET) beyond those the
# page's own links use. Added `request.GET.get("x")` to a view? Add "x" to its line.
QUERY_PARAMS = {
    "events:list": ["page"],
    "events:checkin": ["q"],
    "talks:list": ["q", "year", "event", "page"],
    "talks:propose": ["topic"],
    "talks:wishlist": ["page"],
    "account_login": ["next"],
    "account_signup": ["next"],
    "admin:login": ["next"],
    "api-v1:event_list": ["page", "year", "when"],
    "api-v1:talk_list": ["page", "year", "event", "speaker"],
    "api-v1:speaker_list": ["page", "year", "event"],
    "api-v1:sponsor_list": ["page", "event"],
}
# Forms that appear only in some states of a page: these query strings show them too.
PAGE_STATES = {
    "events:checkin": ["?q=Dom"],  # a search that suggests a member for a walk-in
}
# Admin change lists read these besides their filters (search, page, ordering).
CHANGELIST_PARAMS = ["q", "p", "o", "all", "_to_field", "_popup"]
# Forms of the page layout, present on every page: tried on the home page only.
LAYOUT_ACTIONS = ("/i18n/setlang/",)
# Logging out would leave the rest of the test anonymous: never tried.
LOGOUT_ACTIONS = ("/accounts/logout/", "/admin/logout/")

IS_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
NUL_ON_POSTGRESQL = "NUL bytes reach PostgreSQL (ValueError, a 500)"
# Junk that breaks a page today and is being fixed elsewhere: (url key, persona) ->
# (reason, whether it breaks on this database). Those cases run as xfail(strict=True).
# Empty: every defect these tests found is fixed (see the closing note of issue 10).
KNOWN: dict[tuple[str, str], tuple[str, bool]] = {}

MAX_EXAMPLES = 5
# Query parameters are also tried one at a time with these: set all at once, the first
# one refused (an admin filter) can hide what the next one would break.
ONE_BY_ONE = ["²".encode(), b"a\x00b"]  # hypothesis' examples per page, after the SHARP values


def _junk_case(key, case, persona) -> bool:
    personas = ADMIN_PERSONAS if RESOLVED[key].is_admin else SITE_PERSONAS
    return persona in personas and case.get[persona] == OK


def _known(key, case, persona) -> str | None:
    reason, breaks_here = KNOWN.get((key, persona), (None, False))
    return reason if breaks_here else None


@dataclass
class Knock:
    method: str
    path: str
    body: str = ""

    def __str__(self) -> str:
        shown = self.body if len(self.body) < 300 else self.body[:300] + "…"
        return f"{self.method.upper()} {self.path[:300]}" + (f" with {shown}" if shown else "")


def _row_counts() -> dict[str, int]:
    """Rows of every model, in one query."""
    models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
    quote = connection.ops.quote_name  # table names come from the models
    sql = " UNION ALL ".join(
        f"SELECT '{m._meta.label}', COUNT(*) FROM {quote(m._meta.db_table)}"  # noqa: S608
        for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def _send(client, knock: Knock):
    if knock.method == "get":
        path = knock.path + (("&" if "?" in knock.path else "?") + knock.body if knock.body else "")
        return client.get(path)
    return client.post(knock.path, knock.body, content_type="application/x-www-form-urlencoded")


def _check(new_client, knock: Knock, persona: str, before: dict[str, int]) -> None:
    """`before`: the row counts at the start of the test, as every knock is rolled back.
    Each knock gets a fresh client: no cookie of a previous one (a language) carries over."""
    with transaction.atomic():
        response = _send(new_client(), knock)
        assert response.status_code < 500, f"{knock} as {persona}: {response.status_code}"
        if 400 <= response.status_code < 500:
            after = _row_counts()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            assert not changed, (
                f"{knock} as {persona} answered {response.status_code} but wrote rows "
                f"(model: before, after): {changed}"
            )
        transaction.set_rollback(True)


def _form_knocks(form: Form, value: bytes, names: list[str]) -> Knock:
    pairs = [(n, value if n in names else v.encode()) for n, v in form.fields.items()]
    return Knock(form.method, form.action, encode_pairs(pairs))


def _targets(key: str, case, world, persona, page_path: str, pages: list[str]) -> list:
    """Every door of the page: (kind, what) for its forms, query parameters, path."""
    readers = [read_page(page_path, html) for html in pages]
    targets = []
    seen = set()
    for form in (form for reader in readers for form in reader.forms):
        if form.action.startswith(LAYOUT_ACTIONS) and key != "home":
            continue
        if form.action.startswith(LOGOUT_ACTIONS):
            continue
        if not form.fields or form.signature() in seen:
            continue
        seen.add(form.signature())
        targets.append(("form", form))
    params = set(QUERY_PARAMS.get(key, [])).union(*(r.link_params for r in readers))
    if key.endswith("_changelist"):
        params |= set(CHANGELIST_PARAMS)
    if params:
        targets.append(("query", sorted(params)))
    kwargs = case.kwargs(world)
    # Every segment the route does not restrict to digits (<int:...>): slugs, tokens,
    # and ids in <path:object_id> (the admin's change pages take "²" or "abc" there).
    route = RESOLVED[key].route
    text_kwargs = [k for k in kwargs if f"<int:{k}>" not in route]
    if text_kwargs and ":" in key and persona == _deepest_persona(case):
        targets.append(("path", text_kwargs))
    return targets


def _deepest_persona(case) -> str:
    """Path segments are tried once per URL, by whoever goes furthest into the view."""
    return next(p for p in ("organizer", "member", "anonymous") if case.get[p] == OK)


def _knock(kind: str, what, value: bytes, names, key, case, world, page_path) -> Knock:
    if kind == "form":
        return _form_knocks(what, value, names)
    if kind == "query":
        return Knock("get", page_path, encode_pairs([(n, value) for n in names]))
    # A path segment: reverse with a placeholder, then put the raw bytes in its place.
    real = case.kwargs(world)
    try:
        kwargs = {**real, **dict.fromkeys(names, "placeholder-segment")}
        path = reverse(key, kwargs=kwargs).replace("placeholder-segment", segment(value))
    except NoReverseMatch:  # a segment the pattern restricts (admin/<app_label>/)
        path = reverse(key, kwargs=real)
        for name in names:
            path = path.replace(f"/{real[name]}/", f"/{segment(value)}/")
    return Knock("get", path)


@pytest.mark.parametrize(
    ("key", "case", "persona"),
    list(matrix_cases(TABLE, PERSONAS, only=_junk_case, known=_known)),
)
def test_junk_on_every_door_never_a_5xx_nor_a_half_write(key, case, persona, world, client_as):
    client = client_as(persona)

    def new_client():
        return client_as(persona)

    page_path = request_path(key, case, world)
    pages = []
    for state in ["", *PAGE_STATES.get(key, [])]:
        page = client.get(page_path + state)
        assert page.status_code == 200, f"GET {page_path}{state} as {persona}: {page.status_code}"
        if "html" in page["Content-Type"]:
            pages.append(page.content.decode(errors="replace"))
    targets = _targets(key, case, world, persona, page_path, pages)
    before = _row_counts()
    if not targets:
        pytest.skip("no form, query parameter nor text path segment")

    # 1. The sharp values, everywhere at once and always: these broke the first release.
    for kind, what in targets:
        names = list(what.fields) if kind == "form" else what
        if kind == "form":  # first as the browser would send it
            _check(new_client, _form_knocks(what, b"", []), persona, before)
        for value in SHARP:
            knock = _knock(kind, what, value, names, key, case, world, page_path)
            _check(new_client, knock, persona, before)
        if kind == "query":
            for name in names:
                for value in ONE_BY_ONE:
                    knock = _knock(kind, what, value, [name], key, case, world, page_path)
                    _check(new_client, knock, persona, before)

    # 2. Hypothesis: a few fields at a time, any junk, the others as the browser sends them.
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the message shows the knock
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def knock_with_hypothesis(data):
        kind, what = data.draw(st.sampled_from(targets), label="door")
        choices = list(what.fields) if kind == "form" else what
        names = data.draw(
            st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True),
            label="fields",
        )
        value = data.draw(JUNK, label="value")
        knock = _knock(kind, what, value, names, key, case, world, page_path)
        _check(new_client, knock, persona, before)

    knock_with_hypothesis()
