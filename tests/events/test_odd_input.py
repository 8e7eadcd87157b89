"""Odd input never gives a 5xx: NUL bytes (PostgreSQL refuses them), Unicode digits,
huge or negative numbers, malformed dates, lone surrogates. Each answer is a 400 or a
page saying what is wrong, and nothing is written.

Several of these only failed on PostgreSQL: run this file on both databases.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import OutboxMessage
from events.models import RSVP, Event
from members.models import User
from tests.conftest import text
from tests.events.test_admin import _inline_management
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "Le caractère nul n’est pas autorisé."
ODD_NUMBERS = ["²", "٣٤", "abc", "1e5", "99999999999999999999999", "-1", "0", " 12 "]
# Not an id of anyone ("٣٤" would be 34, a real id: Django reads Unicode digits as digits).
NOT_IDS = ["²", "²²", "½", "abc", "1e5", "99999999999999999999999", "-1", "0"]
UNREADABLE = "contient des caractères que le site ne peut pas lire"


@pytest.fixture
def door(event):
    return reverse("events:checkin", kwargs={"slug": event.slug})


@pytest.fixture
def ines(event):
    return RSVPFactory(event=event, member=UserFactory(display_name="Inès Martin"))


@pytest.fixture
def organizer_browser(organizer) -> Client:
    """The organizer's client, which returns a 500 as a response instead of raising it."""
    client = Client(raise_request_exception=False)
    client.force_login(organizer)
    return client


def _state() -> tuple:
    """Everything the door or the admin could write."""
    return (
        list(RSVP.objects.order_by("id").values_list("id", "status", "checked_in_at")),
        User.objects.count(),
        list(OutboxMessage.objects.order_by("id").values_list("id", "status", "attempts")),
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- The door: search --------------------------------------------------------------------


@pytest.mark.parametrize("query", ["\x00", "Inès\x00"])
def test_door_search_with_a_nul_byte_is_refused_as_unreadable(organizer_client, door, ines, query):
    # A NUL byte never reaches the door's own checks: the whole site refuses it first
    # (core.middleware.RejectNulBytesMiddleware).
    response = organizer_client.get(door, {"q": query})

    assert response.status_code == 400
    assert UNREADABLE in text(response)


def test_door_search_with_a_lone_surrogate_is_read_as_replacement_characters(
    organizer_client, door, ines
):
    # Django decodes the query string with errors="replace": no surrogate reaches the ORM.
    response = organizer_client.get(door + "?q=%ED%A0%80")

    assert response.status_code == 200
    assert "Aucune place confirmée à ce nom." in text(response)


def test_pointer_with_a_nul_byte_in_the_kept_search_checks_nobody_in(organizer_client, door, ines):
    before = _state()

    response = organizer_client.post(door, {"code": ines.ticket_code, "q": "in\x00"})

    assert response.status_code == 400
    assert UNREADABLE in text(response)
    assert _state() == before


# --- The door: ticket codes --------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("code", ["x" * 65, "a" * 200])
def test_ticket_url_that_no_ticket_could_hold_is_a_400_unknown_ticket_page(
    organizer_client, ines, method, code
):
    before = _state()

    response = getattr(organizer_client, method)(f"/events/billet/{code}/")

    assert response.status_code == 400
    assert "Aucune inscription ne correspond à ce code." in text(response)
    assert _state() == before


def test_ticket_url_with_a_lone_surrogate_is_an_unknown_ticket(organizer_client, ines):
    # The path keeps the broken bytes percent-encoded: an ordinary unknown code.
    response = organizer_client.get("/events/billet/%ED%A0%80/")

    assert response.status_code == 404
    assert "Aucune inscription ne correspond à ce code." in text(response)


def test_typed_ticket_code_with_a_nul_byte_shows_the_error_on_the_form(
    organizer_client, door, ines
):
    before = _state()

    response = organizer_client.post(door, {"code": ines.ticket_code + "\x00"})

    assert response.status_code == 400
    assert UNREADABLE in text(response)
    assert _state() == before


@pytest.mark.parametrize("code", ["x" * 65, "a" * 200])
def test_undo_with_a_code_no_ticket_could_hold_is_a_400_and_undoes_nothing(
    organizer_client, door, event, code
):
    RSVPFactory(event=event, checked_in_at=timezone.now())
    before = _state()

    response = organizer_client.post(door + "annuler/", {"code": code})

    assert response.status_code == 400
    assert _messages(response) == ["Pointage non annulé : ce code de billet n'est pas valide."]
    assert _state() == before


def test_undo_with_a_nul_byte_in_the_kept_search_undoes_nothing(organizer_client, door, event):
    rsvp = RSVPFactory(event=event, checked_in_at=timezone.now())
    before = _state()

    response = organizer_client.post(door + "annuler/", {"code": rsvp.ticket_code, "q": "\x00"})

    assert response.status_code == 400
    assert _state() == before


# --- The door: walk-ins ------------------------------------------------------------------


@pytest.mark.parametrize("member", NOT_IDS)
def test_walk_in_with_an_odd_member_id_says_member_not_found_and_adds_nobody(
    organizer_client, door, member
):
    before = _state()

    response = organizer_client.post(door + "sur-place/", {"member": member})

    assert response.status_code == 400
    assert "Membre introuvable." in _messages(response)
    assert _state() == before


def test_walk_in_with_a_nul_byte_in_the_kept_search_adds_nobody(organizer_client, door):
    before = _state()

    response = organizer_client.post(door + "sur-place/", {"name": "Zoé", "q": "\x00"})

    assert response.status_code == 400
    assert _state() == before


def test_walk_in_still_picks_a_member_by_id(organizer_client, door, event):
    zoe = UserFactory(display_name="Zoé")

    response = organizer_client.post(door + "sur-place/", {"member": str(zoe.pk), "q": "zo"})

    assert response.status_code == 302
    assert RSVP.objects.get(event=event, member=zoe).walk_in is True


# --- The door: junk everywhere (hypothesis) ----------------------------------------------

junk = st.one_of(
    st.text(max_size=40),  # any character but surrogates, NUL included
    st.sampled_from(ODD_NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=junk, code=junk, member=junk, name=junk, email=junk, diet=junk)
def test_the_door_never_answers_a_5xx(
    organizer_browser, event, ines, q, code, member, name, email, diet
):
    # Only "never a 5xx" here: junk can be a real id or a fine name, and then a walk-in
    # is rightly added. The tests above check that refused input writes nothing.
    door = reverse("events:checkin", kwargs={"slug": event.slug})

    responses = [
        organizer_browser.get(door, {"q": q}),
        organizer_browser.post(door, {"code": code, "q": q}),
        organizer_browser.post(door + "annuler/", {"code": code, "q": q}),
        organizer_browser.post(door + "sur-place/", {"member": member, "q": q}),
        organizer_browser.post(
            door + "sur-place/", {"name": name, "email": email, "diet": diet, "q": q}
        ),
        organizer_browser.get(f"/events/billet/{quote(code, safe='')}/"),
    ]

    assert [r.status_code for r in responses if r.status_code >= 500] == []


# --- The admin's event list: the year filter and the date hierarchy --------------------


@pytest.mark.parametrize(
    "value", ["abc", "²", "-1", "0", "1", "10000", "99999999999999999999999", "1e5"]
)
def test_event_list_year_filter_with_junk_goes_back_to_the_list_with_a_message(
    organizer_browser, event, value
):
    response = organizer_browser.get("/admin/events/event/", {"year": value})

    assert response.status_code == 302
    assert response["Location"] == "/admin/events/event/?e=1"
    page = text(organizer_browser.get(response["Location"]))
    assert "Ce filtre n'a pas pu être lu : voici la liste complète." in page
    assert event.title in page


def test_event_list_year_filter_still_filters(organizer_client):
    EventFactory(title="Cette année")
    EventFactory(
        title="Il y a longtemps", starts_at=timezone.make_aware(datetime(2019, 6, 4, 18, 30))
    )

    response = organizer_client.get("/admin/events/event/", {"year": "2019"})

    assert [e.title for e in response.context["cl"].result_list] == ["Il y a longtemps"]


@pytest.mark.parametrize(
    "params",
    [
        {"starts_at__year": "9999"},
        {"starts_at__year": "9999", "starts_at__month": "12"},
        {"starts_at__year": "9999", "starts_at__month": "12", "starts_at__day": "31"},
        {"starts_at__year": "1", "starts_at__month": "1", "starts_at__day": "1"},
        {"starts_at__year": "99999999999999999999999"},
        {"starts_at__year": "2026", "starts_at__month": "abc"},
    ],
)
def test_event_list_date_hierarchy_out_of_range_goes_back_to_the_list(organizer_browser, params):
    response = organizer_browser.get("/admin/events/event/", params)

    assert response.status_code == 302
    assert response["Location"] == "/admin/events/event/?e=1"


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/admin/events/event/", "status__exact"),
        ("/admin/events/rsvp/", "status__exact"),
        ("/admin/events/rsvp/", "diet__exact"),
        # The emails of the site, where the event list's "messages" link leads.
        ("/admin/core/outboxmessage/", "kind"),
        ("/admin/core/outboxmessage/", "status__exact"),
        ("/admin/core/outboxmessage/", "group"),
    ],
)
def test_admin_choice_filter_with_a_nul_byte_is_refused_as_unreadable(
    organizer_browser, url, parameter
):
    response = organizer_browser.get(url, {parameter: "confirmed\x00"})

    assert response.status_code == 400
    assert UNREADABLE in text(response)


# --- The admin: actions on junk ids, the RSVP form's autocomplete -----------------------


@pytest.mark.parametrize("selected", ["abc", "²", "99999999999999999999999"])
@pytest.mark.parametrize(
    "url, action",
    [
        ("/admin/events/event/", "export_attendees"),
        ("/admin/events/rsvp/", "cancel_selected"),
        ("/admin/events/rsvp/", "check_in_selected"),
        ("/admin/core/outboxmessage/", "requeue"),
    ],
)
def test_admin_action_on_ids_that_are_not_ids_changes_nothing_and_says_so(
    organizer_browser, ines, url, action, selected
):
    before = _state()

    response = organizer_browser.post(
        url, {"action": action, "_selected_action": [str(ines.pk), selected], "index": "0"}
    )

    assert response.status_code == 302
    assert response["Location"] == url
    page = text(organizer_browser.get(url))
    assert "Sélection illisible : rien n'a été modifié." in page
    assert _state() == before


def test_admin_action_still_works_on_real_ids(organizer_client, ines):
    organizer_client.post(
        "/admin/events/rsvp/",
        {"action": "check_in_selected", "_selected_action": [str(ines.pk)], "index": "0"},
    )

    ines.refresh_from_db()
    assert ines.checked_in_at is not None


@pytest.mark.parametrize("member", ["abc", "²", "99999999999999999999999"])
def test_rsvp_admin_add_page_with_a_junk_member_shows_an_empty_choice(organizer_browser, member):
    response = organizer_browser.get("/admin/events/rsvp/add/", {"member": member})

    assert response.status_code == 200


INVALID_CHOICE = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."


@pytest.mark.parametrize(
    "member, error",
    [
        ("abc", INVALID_CHOICE),
        ("²", INVALID_CHOICE),
        ("99999999999999999999999", INVALID_CHOICE),
    ],
)
def test_rsvp_admin_add_with_a_junk_member_shows_the_error_and_adds_nobody(
    organizer_browser, event, member, error
):
    before = _state()

    response = organizer_browser.post(
        "/admin/events/rsvp/add/", {"event": str(event.pk), "member": member, "diet": "none"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["member"] == [error]
    assert _state() == before


# --- The admin: event dates ---------------------------------------------------------------


@pytest.mark.parametrize("day", ["01/01/0001", "01/01/0026", "31/12/9999", "01/01/2101"])
def test_event_admin_refuses_a_year_out_of_range(organizer_browser, day):
    url = reverse("admin:events_event_add")
    data = {
        "title": "Typo",
        "status": "published",
        "starts_at_0": day,
        "starts_at_1": "18:30:00",
        "ends_at_0": day,
        "ends_at_1": "21:00:00",
        "capacity": "50",
        **_inline_management(organizer_browser, url),
    }

    response = organizer_browser.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [
        "Vérifiez l'année : elle doit être comprise entre 2000 et 2100."
    ]
    assert not Event.objects.filter(title="Typo").exists()


# --- Members' pages: RSVP form, list pages, reconfirmation links (guards) ---------------


@pytest.mark.parametrize("token", ["%ED%A0%80", "x" * 3000, "e30:1xYdoJ:" + "A" * 43])
def test_reconfirm_link_that_is_junk_says_it_is_not_valid(client, token):
    response = client.post(f"/events/reconfirm/{token}/")

    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in text(response)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(diet=junk, notes=junk, page=junk)
def test_members_pages_never_answer_a_5xx(member, event, diet, notes, page):
    browser = Client(raise_request_exception=False)
    browser.force_login(member)

    responses = [
        browser.post(
            reverse("events:rsvp", kwargs={"slug": event.slug}), {"diet": diet, "diet_notes": notes}
        ),
        browser.get(reverse("events:list"), {"page": page}),
        browser.get(f"/events/reconfirm/{quote(notes, safe='') or 'x'}/"),
    ]

    assert [r.status_code for r in responses if r.status_code >= 500] == []


@pytest.mark.parametrize(
    ("method", "where", "data"),
    [
        ("get", "/events/billet/%00/", None),
        ("post", "/events/billet/a%00b/", None),
        ("post", "door:annuler/", {"code": "a\x00b"}),
        ("post", "door:sur-place/", {"member": "\x00"}),
        ("post", "/admin/events/rsvp/add/", {"member": "\x00", "diet": "none"}),
        ("post", "/admin/events/rsvp/", {"action": "cancel_selected", "_selected_action": "\x00"}),
        ("get", "/events/reconfirm/a%00b/", None),
    ],
)
def test_a_nul_byte_anywhere_at_the_door_or_in_its_admin_is_refused_and_writes_nothing(
    organizer_browser, door, ines, method, where, data
):
    before = _state()
    path = door + where.removeprefix("door:") if where.startswith("door:") else where

    response = getattr(organizer_browser, method)(path, data or {})

    assert response.status_code == 400
    assert UNREADABLE in text(response)
    assert _state() == before
