"""The door: ticket QR codes, the phone check-in page, undo, walk-ins."""

import re
from datetime import timedelta

import pytest
import segno
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Diet
from events.services import (
    RSVPError,
    TicketNotFound,
    rsvp_check_in_undo,
    rsvp_create,
    rsvp_walk_in,
    ticket_check_in,
)
from events.ticket_codes import new_short_code, normalize_short_code
from members.models import User
from tests.conftest import count_queries, text
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


def _door(event) -> str:
    return reverse("events:checkin", kwargs={"slug": event.slug})


def _ticket(rsvp) -> str:
    return reverse("events:checkin-ticket", kwargs={"code": rsvp.ticket_code})


def _walk_in(event) -> str:
    return reverse("events:checkin-walk-in", kwargs={"slug": event.slug})


def _undo(event) -> str:
    return reverse("events:checkin-undo", kwargs={"slug": event.slug})


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The ticket's QR code -------------------------------------------------------------


def test_ticket_qr_code_holds_the_door_url_of_the_ticket_code(member_client, member, event):
    rsvp = RSVPFactory(event=event, member=member)
    expected_url = f"http://testserver/events/billet/{rsvp.ticket_code}/"
    expected_svg = segno.make(expected_url, error="m").svg_inline(
        omitsize=True, border=2, dark="#000", light="#fff"
    )

    page = member_client.get(reverse("events:ticket", kwargs={"slug": event.slug}))

    assert expected_svg in page.content.decode()
    # A viewBox and no fixed size: the CSS scales it to its box, centred.
    svg = re.search(r"<svg[^>]*>", page.content.decode()).group(0)
    assert "viewBox=" in svg and "width=" not in svg and "height=" not in svg
    # The code printed under it is the short one, in two groups; never the long one.
    assert rsvp.short_code_display in text(page)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", rsvp.short_code_display)
    assert f"/{rsvp.pk}/" not in text(page)


# --- The short code typed at the door ---------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("K7M2-9QXD", "K7M29QXD"),
        ("k7m29qxd", "K7M29QXD"),
        (" k7m2 9qxd ", "K7M29QXD"),
        ("1OIL-ABCD", "1011ABCD"),  # O -> 0, I and L -> 1 (Crockford's decoding)
        ("oilo-abcd", "0110ABCD"),
        ("K7M2-9QXU", None),  # no U in the alphabet
        ("K7M2-9QX", None),
        ("K7M2-9QXD7", None),
        ("K7M2_9QXD", None),
        ("", None),
    ],
)
def test_short_code_normalisation_forgives_case_dash_and_look_alikes(typed, expected):
    assert normalize_short_code(typed) == expected


def test_new_short_codes_use_crockford_base32_only():
    codes = {new_short_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{8}", code) for code in codes)


def test_short_code_typed_at_the_door_checks_in_whatever_the_typing(organizer_client, event):
    ines = RSVPFactory(event=event, member=UserFactory(display_name="Inès"), short_code="K7M20QXD")
    typed = "k7m2-oqxd"  # lower case, a dash, the letter O for the zero

    response = organizer_client.post(_door(event), {"code": typed}, follow=True)

    assert "Bienvenue ! Inès est pointé·e." in _messages(response)
    ines.refresh_from_db()
    assert ines.checked_in_at is not None


def test_short_code_of_another_event_is_unknown_at_this_door(organizer_client, event):
    elsewhere = RSVPFactory(event=EventFactory(), short_code="K7M20QXD")

    response = organizer_client.post(_door(event), {"code": "K7M2-0QXD"}, follow=True)

    assert "Billet inconnu : vérifiez le code." in _messages(response)
    elsewhere.refresh_from_db()
    assert elsewhere.checked_in_at is None


def test_rsvps_of_one_event_get_distinct_short_codes(event):
    for _ in range(30):
        rsvp_create(event=event, member=UserFactory(), diet=Diet.NONE, diet_notes="")

    codes = list(RSVP.objects.filter(event=event).values_list("short_code", flat=True))

    assert len(set(codes)) == 30 and all(len(code) == 8 for code in codes)


# --- Who may use the door --------------------------------------------------------------


def test_door_page_sends_anonymous_visitors_to_log_in_and_back(client, event):
    response = client.get(_door(event) + "?q=ines")

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("account_login") + "?next=" + f"/events/{event.slug}/checkin/%3Fq%3Dines"
    )


def test_ticket_page_sends_anonymous_visitors_to_log_in(client, event):
    rsvp = RSVPFactory(event=event)

    response = client.get(_ticket(rsvp))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=/events/billet/")


def test_members_who_are_not_staff_get_403_everywhere_at_the_door(member_client, member, event):
    rsvp = RSVPFactory(event=event, member=member)

    responses = [
        member_client.get(_door(event)),
        member_client.post(_door(event), {"code": rsvp.ticket_code}),
        member_client.get(_ticket(rsvp)),
        member_client.post(_ticket(rsvp)),
        member_client.post(_undo(event), {"code": rsvp.ticket_code}),
        member_client.post(_walk_in(event), {"name": "Quelqu'un"}),
    ]

    assert [r.status_code for r in responses] == [403] * 6
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None
    assert RSVP.objects.count() == 1


# --- The door page ---------------------------------------------------------------------


def test_door_page_shows_counts_and_the_confirmed_attendees(organizer_client):
    event = EventFactory(capacity=10)
    RSVPFactory(event=event, member=UserFactory(display_name="Inès"), checked_in_at=timezone.now())
    RSVPFactory(event=event, member=UserFactory(display_name="Bastien"))
    RSVPFactory(event=event, member=UserFactory(display_name="Waiting"), status="waitlisted")
    RSVPFactory(event=event, member=UserFactory(display_name="Gone"), status="cancelled")

    response = organizer_client.get(_door(event))
    page = text(response)

    counts = response.context["event"]
    assert (counts.checked_in_count, counts.confirmed_count, counts.seats_left) == (1, 2, 8)
    assert re.search(r'data-testid="checked-in-count">1<', page)
    assert re.search(r'data-testid="confirmed-count">2<', page)
    assert re.search(r'data-testid="seats-left-count">8<', page)
    assert "Inès" in page and "Bastien" in page
    assert "Waiting" not in page and "Gone" not in page
    assert page.count('aria-label="Pointer ') == 1  # Bastien; Inès has an undo button
    assert "Pointé·e à" in page


def test_door_search_by_name_or_email(organizer_client, event):
    RSVPFactory(event=event, member=UserFactory(display_name="Inès Martin", email="ines@ex.org"))
    RSVPFactory(event=event, member=UserFactory(display_name="Bastien", email="bastien@ex.org"))

    by_name = text(organizer_client.get(_door(event), {"q": "martin"}))
    by_email = text(organizer_client.get(_door(event), {"q": "BASTIEN@"}))

    assert "Inès Martin" in by_name and "Bastien" not in by_name
    assert "Bastien" in by_email and "Inès Martin" not in by_email


def test_pointer_button_checks_in_and_keeps_the_search(organizer_client, event):
    rsvp = RSVPFactory(event=event, member=UserFactory(display_name="Inès"))

    response = organizer_client.post(_door(event), {"code": rsvp.ticket_code, "q": "inès"})

    assert response.status_code == 302
    assert response["Location"] == _door(event) + "?q=in%C3%A8s"
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None
    page = text(organizer_client.get(response["Location"]))
    assert "Bienvenue ! Inès est pointé·e." in page


def test_checking_in_twice_says_so_with_the_time(organizer_client, event):
    rsvp = RSVPFactory(event=event, member=UserFactory(display_name="Inès"))
    organizer_client.post(_door(event), {"code": rsvp.ticket_code})
    rsvp.refresh_from_db()
    first = rsvp.checked_in_at

    response = organizer_client.post(_door(event), {"code": rsvp.ticket_code}, follow=True)

    at = timezone.localtime(first).strftime("%H:%M")
    assert f"Inès est déjà pointé·e (à {at})." in text(response)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at == first


def test_cancelled_ticket_is_refused(organizer_client, event):
    rsvp = RSVPFactory(event=event, status=RSVP.Status.CANCELLED)

    response = organizer_client.post(_door(event), {"code": rsvp.ticket_code}, follow=True)

    assert "Ce billet a été annulé : pas d'entrée avec ce billet." in text(response)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_waiting_list_ticket_is_refused(organizer_client, event):
    rsvp = RSVPFactory(event=event, status=RSVP.Status.WAITLISTED, member__display_name="Léo")

    response = organizer_client.post(_door(event), {"code": rsvp.ticket_code}, follow=True)

    assert "Léo est en liste d'attente : ce billet ne donne pas de place." in text(response)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_ticket_for_another_event_is_refused(organizer_client, event):
    other = EventFactory(title="API Hour de décembre")
    rsvp = RSVPFactory(event=other)

    response = organizer_client.post(_door(event), {"code": rsvp.ticket_code}, follow=True)

    expected = f"Ce billet est pour « API Hour de décembre », pas pour « {event.title} »."
    assert expected in text(response)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_typed_unknown_code_says_so(organizer_client, event):
    response = organizer_client.post(_door(event), {"code": "nope"}, follow=True)

    assert "Billet inconnu : vérifiez le code." in text(response)


def test_empty_code_shows_the_error_on_the_form(organizer_client, event):
    response = organizer_client.post(_door(event), {"code": "  "})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text(response)


def test_door_page_of_an_unknown_event_is_404(organizer_client):
    assert organizer_client.get("/events/nope/checkin/").status_code == 404


def test_door_page_query_count_does_not_grow_with_attendees(organizer_client):
    small, big = EventFactory(capacity=60), EventFactory(capacity=60)
    for i in range(5):
        RSVPFactory(event=small, checked_in_at=timezone.now() if i % 2 else None)
    for i in range(50):
        RSVPFactory(event=big, checked_in_at=timezone.now() if i % 2 else None)

    assert count_queries(organizer_client, _door(big)) == count_queries(
        organizer_client, _door(small)
    )


# --- The ticket page (where the QR code leads) -------------------------------------------


def test_ticket_page_shows_the_person_and_one_button_then_checks_in(organizer_client, event):
    rsvp = RSVPFactory(event=event, member=UserFactory(display_name="Inès"), diet=Diet.VEGAN)

    before = text(organizer_client.get(_ticket(rsvp)))
    after = organizer_client.post(_ticket(rsvp), follow=True)

    assert "Inès" in before and event.title in before and "Végétalien" in before
    assert before.count('type="submit" class="btn btn-success btn-lg') == 1
    assert text(after).count("Bienvenue ! Inès est pointé·e.") == 1
    assert "Déjà pointé·e" not in text(after)
    rsvp.refresh_from_db()
    at = timezone.localtime(rsvp.checked_in_at).strftime("%H:%M")
    # Scanned again later: when it was checked in, and no welcome.
    again = text(organizer_client.get(_ticket(rsvp)))
    assert f"Déjà pointé·e à {at}." in again and "Bienvenue" not in again


def test_unknown_ticket_code_is_a_404_page_with_a_message(organizer_client):
    response = organizer_client.get(reverse("events:checkin-ticket", kwargs={"code": "forged"}))

    assert response.status_code == 404
    assert "Aucune inscription ne correspond à ce code." in text(response)


def test_cancelled_ticket_page_says_so_without_a_button(organizer_client, event):
    rsvp = RSVPFactory(event=event, status=RSVP.Status.CANCELLED)

    page = text(organizer_client.get(_ticket(rsvp)))
    organizer_client.post(_ticket(rsvp))

    assert "Ce billet a été annulé" in page
    assert "Pointer l'arrivée" not in page
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_scanned_ticket_of_another_event_is_refused_once_the_door_is_open(organizer_client):
    tonight = EventFactory(title="Ce soir", starts_at=timezone.now() - timedelta(hours=1))
    later = EventFactory(title="Le mois prochain")
    rsvp = RSVPFactory(event=later)
    organizer_client.get(_door(tonight))  # this phone is at tonight's door

    page = text(organizer_client.get(_ticket(rsvp)))
    response = organizer_client.post(_ticket(rsvp), follow=True)

    assert "Ce billet est pour « Le mois prochain », pas pour « Ce soir »." in page
    assert "Ce billet est pour « Le mois prochain », pas pour « Ce soir »." in text(response)
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


# --- Undo ------------------------------------------------------------------------------


def test_undo_a_check_in(organizer_client, event):
    rsvp = RSVPFactory(event=event, member__display_name="Inès", checked_in_at=timezone.now())

    response = organizer_client.post(_undo(event), {"code": rsvp.ticket_code, "q": "in"})

    assert response["Location"] == _door(event) + "?q=in"
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None
    assert rsvp.status == RSVP.Status.CONFIRMED
    assert "Pointage annulé pour Inès." in text(organizer_client.get(response["Location"]))


def test_undoing_a_walk_in_frees_the_seat(organizer):
    event = EventFactory(capacity=1)
    result = rsvp_walk_in(event=event, name="Paul")

    assert rsvp_check_in_undo(rsvp=result.rsvp) is True

    assert result.rsvp.status == RSVP.Status.CANCELLED
    assert event.seats_left == 1


def test_undo_without_a_check_in_changes_nothing(event):
    rsvp = RSVPFactory(event=event)

    assert rsvp_check_in_undo(rsvp=rsvp) is False
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is None


def test_undo_needs_a_ticket_of_this_event(organizer_client, event):
    rsvp = RSVPFactory(event=EventFactory(), checked_in_at=timezone.now())

    response = organizer_client.post(_undo(event), {"code": rsvp.ticket_code})

    assert response.status_code == 404
    rsvp.refresh_from_db()
    assert rsvp.checked_in_at is not None


# --- Services --------------------------------------------------------------------------


def test_ticket_check_in_service_refusals(event):
    seat = RSVPFactory(event=event)
    other = EventFactory()

    with pytest.raises(TicketNotFound):
        ticket_check_in(code="", event=event)
    with pytest.raises(RSVPError, match="Ce billet est pour"):
        ticket_check_in(code=seat.ticket_code, event=other)
    first = ticket_check_in(code=seat.ticket_code, event=event)
    second = ticket_check_in(code=f" {seat.ticket_code} ", event=event)

    assert (first.already, second.already) == (False, True)
    assert second.rsvp.checked_in_at == first.rsvp.checked_in_at


def test_check_in_refused_when_the_event_is_cancelled():
    rsvp = RSVPFactory(event=EventFactory(cancelled=True))

    with pytest.raises(RSVPError, match="Cet événement est annulé."):
        ticket_check_in(code=rsvp.ticket_code)


# --- Walk-ins --------------------------------------------------------------------------


def test_walk_in_without_email_gets_a_placeholder_account(organizer_client, event):
    response = organizer_client.post(_walk_in(event), {"name": " Paul  Durand ", "q": ""})

    assert response.status_code == 302
    rsvp = RSVP.objects.get(event=event, walk_in=True)
    assert rsvp.status == RSVP.Status.CONFIRMED
    assert rsvp.checked_in_at is not None
    person = rsvp.member
    assert person.display_name == "Paul Durand"
    assert re.fullmatch(r"sur-place-[0-9a-f]{16}@invalid", person.email)
    assert not person.has_usable_password()
    assert person.is_active is False
    assert person.receives_announcements is False
    assert mail.outbox == []
    page = text(organizer_client.get(response["Location"]))
    assert "Paul Durand est ajouté·e sur place et pointé·e." in page
    assert "sur place" in page


def test_walk_in_with_a_new_email_can_claim_the_account_later(client, organizer_client, event):
    organizer_client.post(_walk_in(event), {"name": "Zoé", "email": "Zoe@Example.ORG"})

    person = User.objects.get(display_name="Zoé")
    assert person.email == "zoe@example.org"  # lower case, like allauth's sign-up
    assert person.is_active and not person.has_usable_password()
    assert not person.receives_announcements
    assert EmailAddress.objects.filter(user=person, verified=False, primary=True).exists()
    assert person not in User.objects.announcement_recipients()
    client.post(reverse("account_reset_password"), {"email": "zoe@example.org"})
    assert [m.to for m in mail.outbox] == [["zoe@example.org"]]


def test_walk_in_reuses_the_account_with_that_email(organizer_client, event, member):
    organizer_client.post(_walk_in(event), {"name": "Autre nom", "email": "CAMILLE@example.org"})

    rsvp = RSVP.objects.get(event=event)
    assert rsvp.member == member
    assert rsvp.walk_in and rsvp.checked_in_at
    assert member.display_name == "Camille"
    assert User.objects.count() == 2  # organizer + member: nobody created


def test_walk_in_picks_a_member_from_the_search(organizer_client, event, member):
    page = text(organizer_client.get(_door(event), {"q": "cami"}))
    assert "Membres sans place à cet événement" in page
    assert f'name="member" value="{member.pk}"' in page

    organizer_client.post(_walk_in(event), {"member": member.pk, "q": "cami"})

    assert RSVP.objects.get(event=event, member=member).walk_in is True


def test_walk_in_from_the_waiting_list_takes_the_free_seat(event, member):
    waiting = RSVPFactory(event=event, member=member, status=RSVP.Status.WAITLISTED)

    result = rsvp_walk_in(event=event, member=member)

    assert result.rsvp.pk == waiting.pk
    waiting.refresh_from_db()
    assert (waiting.status, waiting.walk_in) == (RSVP.Status.CONFIRMED, True)
    assert waiting.checked_in_at is not None


def test_walk_in_of_someone_who_already_has_a_seat_is_refused(organizer_client, event, member):
    RSVPFactory(event=event, member=member)

    response = organizer_client.post(_walk_in(event), {"email": member.email})

    assert response.status_code == 400
    assert "Camille a déjà une place : cherchez son nom dans la liste" in text(response)
    assert RSVP.objects.filter(event=event).count() == 1


def test_walk_in_refused_when_full_and_nothing_written(organizer_client):
    event = EventFactory(capacity=2)
    RSVPFactory.create_batch(2, event=event)
    users_before = User.objects.count()

    response = organizer_client.post(_walk_in(event), {"name": "Trop tard", "email": "t@ex.org"})

    assert response.status_code == 400
    assert "Complet : les 2 places sont prises. Personne n'a été ajouté." in text(response)
    assert User.objects.count() == users_before
    assert RSVP.objects.filter(event=event).count() == 2
    assert not EmailAddress.objects.filter(email="t@ex.org").exists()


def test_walk_in_takes_the_last_seat(organizer_client):
    event = EventFactory(capacity=2)
    RSVPFactory(event=event)

    organizer_client.post(_walk_in(event), {"name": "Dernière place"})

    assert event.seats_left == 0
    assert "Complet : plus aucune place" in text(organizer_client.get(_door(event)))


def test_walk_in_needs_a_name(organizer_client, event):
    response = organizer_client.post(_walk_in(event), {"name": "", "email": ""})

    assert response.status_code == 400
    assert "Indiquez le nom de la personne." in text(response)
    assert not RSVP.objects.exists()


def test_walk_in_with_an_unknown_email_and_no_name_is_refused(organizer_client, event):
    response = organizer_client.post(_walk_in(event), {"email": "new@example.org"})

    assert response.status_code == 400
    assert "Indiquez le nom de la personne." in text(response)
    assert not User.objects.filter(email="new@example.org").exists()


def test_walk_in_with_a_bad_email_shows_the_error(organizer_client, event):
    response = organizer_client.post(_walk_in(event), {"name": "X", "email": "pas-un-email"})

    assert response.status_code == 400
    assert "Saisissez une adresse de courriel valide." in text(response)


def test_banned_member_cannot_walk_in(event, member):
    member.banned_at = timezone.now()
    member.save()

    with pytest.raises(RSVPError, match="compte exclu ou supprimé"):
        rsvp_walk_in(event=event, member=member)
    assert not RSVP.objects.exists()


# --- Links to the door -------------------------------------------------------------------


def test_event_page_links_to_the_door_for_staff_only(organizer_client, member_client, event):
    assert _door(event) in text(organizer_client.get(event.get_absolute_url()))
    assert _door(event) not in text(member_client.get(event.get_absolute_url()))


def test_admin_links_to_the_door(organizer_client, event):
    changelist = text(organizer_client.get(reverse("admin:events_event_changelist")))
    change = text(organizer_client.get(reverse("admin:events_event_change", args=[event.pk])))

    assert f'href="{_door(event)}"' in changelist
    assert f'href="{_door(event)}"' in change
