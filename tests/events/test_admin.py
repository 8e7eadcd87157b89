import re

import pytest
from django.urls import reverse

from events.models import RSVP, Diet, Event
from tests.conftest import text
from tests.events.spreadsheet import read_csv
from tests.factories import EventFactory, RSVPFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _inline_management(client, url: str) -> dict:
    """Empty management forms for every inline the admin page has (RSVPs, sponsors...)."""
    page = client.get(url).content.decode()
    prefixes = set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page))
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def _event_form_data(event: Event, client=None, url=None, **changes) -> dict:
    data = {
        "number": event.number or "",
        "title": event.title,
        "slug": event.slug,
        "status": event.status,
        "description": event.description,
        "starts_at_0": event.starts_at.astimezone().strftime("%d/%m/%Y"),
        "starts_at_1": event.starts_at.astimezone().strftime("%H:%M:%S"),
        "ends_at_0": event.ends_at.astimezone().strftime("%d/%m/%Y"),
        "ends_at_1": event.ends_at.astimezone().strftime("%H:%M:%S"),
        "venue": event.venue_id or "",
        "capacity": event.capacity,
        "registration_opens_at_0": "",
        "registration_opens_at_1": "",
        "registration_closes_at_0": "",
        "registration_closes_at_1": "",
        "held_seats": event.held_seats,
        "held_until_0": "",
        "held_until_1": "",
        "livestream_url": "",
        "photos_url": "",
    }
    if client is not None:
        data.update(_inline_management(client, url))
    data.update(changes)
    return data


def test_event_changelist_shows_seats_and_waiting_list(organizer_client):
    event = EventFactory(capacity=2, title="API Hour #77")
    RSVPFactory(event=event)
    RSVPFactory(event=event)
    RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)
    RSVPFactory(event=event, status=RSVP.Status.CANCELLED)

    page = text(organizer_client.get(reverse("admin:events_event_changelist")))

    assert '<td class="field-seats">2 / 2</td>' in page
    assert '<td class="field-waitlist">1</td>' in page
    assert f"event__id__exact={event.pk}" in page


def test_event_changelist_is_for_organizers_only(member_client):
    response = member_client.get(reverse("admin:events_event_changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_event_changelist_search_and_filter(organizer_client):
    EventFactory(title="API Hour #80", venue=VenueFactory(name="Le Bivouac"))
    EventFactory(title="API Hour #81", venue=VenueFactory(name="Michelin"))

    page = text(organizer_client.get(reverse("admin:events_event_changelist"), {"q": "Bivouac"}))

    assert "API Hour #80" in page
    assert "API Hour #81" not in page


def test_admin_creates_an_api_hour_with_its_slug(organizer_client):
    event = Event(
        number=74,
        title="API Hour #74",
        slug="",
        status="published",
        starts_at=EventFactory.build().starts_at,
        ends_at=EventFactory.build().ends_at,
        capacity=50,
    )

    url = reverse("admin:events_event_add")
    response = organizer_client.post(url, _event_form_data(event, organizer_client, url, slug=""))

    assert response.status_code == 302, text(response)
    assert Event.objects.get(number=74).slug == "api-hour-74"


def test_admin_refuses_an_end_before_the_start(organizer_client, event):
    url = reverse("admin:events_event_change", args=[event.pk])
    data = _event_form_data(
        event, organizer_client, url, ends_at_0=event.starts_at.astimezone().strftime("%d/%m/%Y")
    )
    data["ends_at_1"] = "00:00:00"

    response = organizer_client.post(url, data)

    assert response.status_code == 200
    assert "La fin doit être après le début." in text(response)


def test_admin_cannot_lower_capacity_below_confirmed(organizer_client):
    event = EventFactory(capacity=3)
    for _ in range(3):
        RSVPFactory(event=event)

    url = reverse("admin:events_event_change", args=[event.pk])
    response = organizer_client.post(
        url, _event_form_data(event, organizer_client, url, capacity=2)
    )

    assert response.status_code == 200
    assert "3 places sont déjà confirmées" in text(response)
    event.refresh_from_db()
    assert event.capacity == 3


def test_admin_raising_capacity_promotes_the_waiting_list(organizer_client):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)

    url = reverse("admin:events_event_change", args=[event.pk])
    response = organizer_client.post(
        url, _event_form_data(event, organizer_client, url, capacity=2), follow=True
    )

    assert "1 personne de la liste d'attente a obtenu une place." in text(response)
    waiting.refresh_from_db()
    assert waiting.status == RSVP.Status.CONFIRMED
    event.refresh_from_db()
    assert event.capacity == 2


def test_attendees_csv(organizer_client):
    event = EventFactory()
    RSVPFactory(
        event=event,
        member=UserFactory(display_name="Léa", email="lea@example.org"),
        diet=Diet.VEGAN,
    )
    RSVPFactory(
        event=event,
        member=UserFactory(display_name="=HYPERLINK(1)", email="x@example.org"),
        status=RSVP.Status.WAITLISTED,
        diet=Diet.OTHER,
        diet_notes="noix",
    )
    RSVPFactory(event=event, status=RSVP.Status.CANCELLED)

    response = organizer_client.get(reverse("admin:events_event_attendees_csv", args=[event.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response)
    assert rows[0] == ["Nom", "E-mail", "Statut", "Régime", "Précisions", "Inscrit le"]
    assert rows[1][:5] == ["Léa", "lea@example.org", "confirmée", "Végétalien (vegan)", ""]
    assert rows[2][:5] == [
        "'=HYPERLINK(1)",
        "x@example.org",
        "en liste d'attente",
        "Autre (allergies, précisez)",
        "noix",
    ]
    assert len(rows) == 3


@pytest.mark.parametrize(
    "name, notes, email, cells",
    [
        # A ";" splits a cell in a French spreadsheet: quoted, it stays in one cell.
        ("Mallory;=2+5", "noix;=1+1", "m@example.org", ["Mallory;=2+5", "noix;=1+1"]),
        ("=2+5", "+33 6 12 34 56 78", "a@example.org", ["'=2+5", "'+33 6 12 34 56 78"]),
        ("-2+3", "@SUM(A1)", "b@example.org", ["'-2+3", "'@SUM(A1)"]),
        # Spreadsheets may drop leading blanks, tabs and carriage returns.
        ("  =HYPERLINK(1)", "\t=1+1", "c@example.org", ["'  =HYPERLINK(1)", "'\t=1+1"]),
        ("\r=1+1", "\n@x", "=d@example.org", ["'\r=1+1", "'\n@x"]),
    ],
)
def test_attendees_csv_keeps_each_value_in_its_cell_and_no_formula(
    organizer_client, name, notes, email, cells
):
    event = EventFactory()
    RSVPFactory(
        event=event,
        member=UserFactory(display_name=name, email=email),
        diet=Diet.OTHER,
        diet_notes=notes,
    )

    response = organizer_client.get(reverse("admin:events_event_attendees_csv", args=[event.pk]))

    header, row = read_csv(response)
    assert len(row) == len(header) == 6
    assert [row[0], row[4]] == cells
    assert row[1] == ("'" + email if email.startswith("=") else email)


def test_catering_summary_counts_confirmed_only(organizer_client):
    event = EventFactory()
    RSVPFactory(event=event, diet=Diet.VEGAN)
    RSVPFactory(event=event, diet=Diet.VEGAN)
    RSVPFactory(event=event, diet=Diet.NO_PORK)
    RSVPFactory(
        event=event, diet=Diet.OTHER, diet_notes="Allergie arachide",
        member=UserFactory(display_name="Hugo"),
    )  # fmt: skip
    RSVPFactory(event=event, diet=Diet.VEGETARIAN, status=RSVP.Status.WAITLISTED)

    page = text(organizer_client.get(reverse("admin:events_event_catering", args=[event.pk])))

    assert "<td>Végétalien (vegan)</td><td>2</td>" in page
    assert "<td>Sans porc</td><td>1</td>" in page
    assert "<td>Végétarien</td><td>0</td>" in page
    assert "<th>4</th>" in page
    assert "Hugo : Allergie arachide" in page


def test_rsvp_admin_add_goes_through_the_seat_service(organizer_client):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    late = UserFactory()

    response = organizer_client.post(
        reverse("admin:events_rsvp_add"),
        {"event": event.pk, "member": late.pk, "diet": "none", "diet_notes": ""},
    )

    assert response.status_code == 302
    assert RSVP.objects.get(member=late).status == RSVP.Status.WAITLISTED


def test_rsvp_admin_add_refuses_cancelled_event(organizer_client):
    event = EventFactory(cancelled=True)

    response = organizer_client.post(
        reverse("admin:events_rsvp_add"),
        {"event": event.pk, "member": UserFactory().pk, "diet": "none", "diet_notes": ""},
    )

    assert "Cet événement est annulé." in text(response)
    assert RSVP.objects.count() == 0


def test_rsvp_admin_cancel_action_promotes(organizer_client, django_capture_on_commit_callbacks):
    event = EventFactory(capacity=1)
    seat = RSVPFactory(event=event)
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("admin:events_rsvp_changelist"),
            {"action": "cancel_selected", "_selected_action": [seat.pk]},
            follow=True,
        )

    assert "1 inscription annulée. 1 personne de la liste d'attente a obtenu une place." in text(
        response
    )
    waiting.refresh_from_db()
    assert waiting.status == RSVP.Status.CONFIRMED


def test_rsvps_cannot_be_deleted_in_the_admin(organizer_client):
    rsvp = RSVPFactory()

    response = organizer_client.get(reverse("admin:events_rsvp_delete", args=[rsvp.pk]))

    assert response.status_code == 403


def test_venue_admin_links_to_openstreetmap(organizer_client):
    VenueFactory(name="Le Bivouac", address="9 rue Kessler\n63000 Clermont-Ferrand")

    page = text(organizer_client.get(reverse("admin:events_venue_changelist")))

    assert "https://www.openstreetmap.org/search?query=9+rue+Kessler%2C+63000" in page


def test_cancelling_an_event_in_the_admin_tells_everyone_registered(
    organizer_client, django_capture_on_commit_callbacks, mailoutbox
):
    event = EventFactory(capacity=1)
    seat = RSVPFactory(event=event)
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)
    RSVPFactory(event=event, status=RSVP.Status.CANCELLED)
    url = reverse("admin:events_event_change", args=[event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            url, _event_form_data(event, organizer_client, url, status="cancelled"), follow=True
        )

    assert "2 personnes inscrites prévenues par e-mail." in text(response)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert sorted(m.to[0] for m in mailoutbox) == sorted([seat.member.email, waiting.member.email])
    assert all(m.subject.endswith(f"Annulé : {event.title}") for m in mailoutbox)


def test_cancelling_and_changing_the_capacity_in_one_save_goes_through_both_services(
    organizer_client, django_capture_on_commit_callbacks, mailoutbox
):
    """The capacity change of a save that also cancels is not saved around the seat
    service: the confirmed seats stay a floor, and everyone is told of the cancellation
    without anybody being promoted first."""
    event = EventFactory(capacity=2)
    seats = [RSVPFactory(event=event), RSVPFactory(event=event)]
    waiting = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)
    url = reverse("admin:events_event_change", args=[event.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            url,
            _event_form_data(event, organizer_client, url, status="cancelled", capacity=5),
            follow=True,
        )

    assert "3 personnes inscrites prévenues par e-mail." in text(response)
    event.refresh_from_db()
    assert (event.status, event.capacity) == (Event.Status.CANCELLED, 5)
    # Nobody promoted into a cancelled evening (the RSVPs stay as the organizers' list).
    waiting.refresh_from_db()
    assert waiting.status == RSVP.Status.WAITLISTED
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [seats[0].member.email, seats[1].member.email, waiting.member.email]
    )
    assert all("Annulé" in m.subject for m in mailoutbox)


def test_the_capacity_floor_has_one_home():
    assert Event.capacity_refusal(None, 10) is None
    assert Event.capacity_refusal(10, 10) is None
    assert "négatif" in Event.capacity_refusal(-1, 0)
    assert "1 place est déjà confirmée" in Event.capacity_refusal(0, 1)
    assert "3 places sont déjà confirmées" in Event.capacity_refusal(2, 3)


@pytest.mark.parametrize("slug", ["mine", "reconfirm", "billet"])
def test_admin_refuses_an_address_that_would_hide_a_page(organizer_client, slug):
    event = Event(
        title="Une soirée spéciale",
        slug=slug,
        status="published",
        starts_at=EventFactory.build().starts_at,
        ends_at=EventFactory.build().ends_at,
        capacity=50,
    )
    url = reverse("admin:events_event_add")

    response = organizer_client.post(url, _event_form_data(event, organizer_client, url, slug=slug))

    assert response.status_code == 200
    assert f"« {slug} » est réservé à une page du site" in text(response)
    assert not Event.objects.filter(slug=slug).exists()


def test_admin_refuses_to_seat_a_banned_member_or_anyone_at_a_draft(organizer_client, organizer):
    from community.services import member_ban

    banned = UserFactory(display_name="Mallory")
    member_ban(member=banned, reason="Spam", by=organizer)
    draft = EventFactory(draft=True)
    event = EventFactory()
    url = reverse("admin:events_rsvp_add")

    to_event = organizer_client.post(url, {"event": event.pk, "member": banned.pk, "diet": "none"})
    to_draft = organizer_client.post(
        url, {"event": draft.pk, "member": UserFactory().pk, "diet": "none"}
    )

    assert "Mallory est exclu·e : levez d'abord l'exclusion pour l'inscrire." in text(to_event)
    assert "Cet événement n'est pas publié." in text(to_draft)
    assert not RSVP.objects.exists()
