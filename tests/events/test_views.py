import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP, Diet
from events.services import rsvp_create
from tests.conftest import count_queries, text
from tests.factories import EventFactory, RSVPFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def _rsvp_url(event):
    return reverse("events:rsvp", kwargs={"slug": event.slug})


def _cancel_url(event):
    return reverse("events:rsvp-cancel", kwargs={"slug": event.slug})


def test_event_page_shows_date_in_french_venue_map_and_seats(client):
    venue = VenueFactory(
        name="Le Bivouac", address="9 rue Kessler\n63000 Clermont-Ferrand", latitude=45.77408,
        longitude=3.09172,
    )  # fmt: skip
    event = EventFactory(
        venue=venue,
        starts_at=timezone.make_aware(timezone.datetime(2031, 3, 4, 18, 30)),
        ends_at=timezone.make_aware(timezone.datetime(2031, 3, 4, 21, 0)),
        description="Trois **talks**",
        livestream_url="https://www.youtube.com/@clermontech/live",
    )

    page = text(client.get(event.get_absolute_url()))

    assert "mardi 4 mars 2031" in page
    assert "de 18h30 à 21h00" in page
    assert "9 rue Kessler<br>63000 Clermont-Ferrand" in page
    assert "https://www.openstreetmap.org/?mlat=45.774080&mlon=3.091720" in page
    assert "Trois <strong>talks</strong>" in page
    assert "50 places restantes" in page
    assert "Suivre le direct" in page
    assert "Se connecter pour s'inscrire" in page


def test_event_page_shows_the_members_own_rsvp_and_cancel_button(member_client, member, event):
    RSVPFactory(event=event, member=member)

    page = text(member_client.get(event.get_absolute_url()))

    assert "Votre place est confirmée." in page
    assert "49 places restantes" in page
    assert "Annuler mon inscription" in page
    assert f'action="/events/{event.slug}/rsvp/cancel/"' in page


def test_event_page_shows_waitlist_position(member_client, member):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)
    RSVPFactory(event=event, status=RSVP.Status.WAITLISTED)
    RSVPFactory(event=event, member=member, status=RSVP.Status.WAITLISTED)

    page = text(member_client.get(event.get_absolute_url()))

    assert "Vous êtes sur la liste d'attente, en position 2." in page
    assert "Quitter la liste d'attente" in page
    assert "Complet" in page


def test_full_event_offers_the_waiting_list(member_client):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)

    page = text(member_client.get(event.get_absolute_url()))

    assert "Rejoindre la liste d'attente" in page


def test_rsvp_form_has_an_action_containing_rsvp_and_is_prefilled(member_client, member, event):
    old = EventFactory(past=True)
    RSVPFactory(event=old, member=member, diet=Diet.OTHER, diet_notes="Sans gluten")

    page = text(member_client.get(event.get_absolute_url()))

    assert f'action="/events/{event.slug}/rsvp/"' in page
    assert re.search(r'<input[^>]*value="other"[^>]*checked', page)
    assert 'value="Sans gluten"' in page


def test_rsvp_post_confirms_and_redirects_with_message(member_client, member, event):
    response = member_client.post(_rsvp_url(event), {"diet": "vegan"}, follow=True)

    rsvp = RSVP.objects.get(event=event, member=member)
    assert rsvp.status == RSVP.Status.CONFIRMED
    assert rsvp.diet == Diet.VEGAN
    assert response.redirect_chain == [(event.get_absolute_url(), 302)]
    page = text(response)
    assert "C'est noté : votre place est confirmée !" in page
    assert "49 places restantes" in page


def test_second_rsvp_click_is_harmless_and_says_so(member_client, member, event):
    member_client.post(_rsvp_url(event), {"diet": "none"})

    response = member_client.post(_rsvp_url(event), {"diet": "none"}, follow=True)

    assert RSVP.objects.filter(member=member).count() == 1
    assert "Vous êtes déjà inscrit·e à cet événement" in text(response)


def test_rsvp_when_full_joins_waiting_list_with_position(member_client, member):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)

    response = member_client.post(_rsvp_url(event), {"diet": "none"}, follow=True)

    assert RSVP.objects.get(member=member).status == RSVP.Status.WAITLISTED
    assert "vous êtes sur la liste d'attente, en position 1." in text(response)


def test_rsvp_other_diet_without_notes_shows_error_and_writes_nothing(member_client, event):
    response = member_client.post(_rsvp_url(event), {"diet": "other", "diet_notes": ""})

    assert response.status_code == 400
    page = text(response)
    assert "Précisez votre régime ou vos allergies." in page
    assert "Votre inscription n'a pas été enregistrée" in page
    assert RSVP.objects.count() == 0


def test_rsvp_unknown_diet_shows_error(member_client, event):
    response = member_client.post(_rsvp_url(event), {"diet": "carnivore"})

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in text(response)
    assert RSVP.objects.count() == 0


@pytest.mark.parametrize(
    ("factory_kwargs", "message"),
    [
        ({"cancelled": True}, "Cet événement est annulé."),
        ({"past": True}, "Cet événement est passé."),
        (
            {"registration_closes_at": timezone.now() - timedelta(minutes=1)},
            "Les inscriptions sont closes.",
        ),
        (
            {"registration_opens_at": timezone.now() + timedelta(days=3)},
            "Les inscriptions ne sont pas encore ouvertes : elles ouvrent le",
        ),
    ],
)
def test_rsvp_outside_registration_shows_message_and_writes_nothing(
    member_client, factory_kwargs, message
):
    event = EventFactory(**factory_kwargs)

    response = member_client.post(_rsvp_url(event), {"diet": "none"}, follow=True)

    assert message in text(response)
    assert RSVP.objects.count() == 0
    assert mail.outbox == []


def test_rsvp_with_unverified_email_shows_message(client, event):
    unverified = UserFactory(verified=False)
    client.force_login(unverified)

    page = text(client.get(event.get_absolute_url()))
    response = client.post(_rsvp_url(event), {"diet": "none"}, follow=True)

    assert "Confirmez votre adresse e-mail pour vous inscrire" in page
    assert "Je m'inscris" not in page
    assert "Confirmez d'abord votre adresse e-mail" in text(response)
    assert RSVP.objects.count() == 0


def test_rsvp_requires_login_and_post(client, member_client, event):
    anonymous = client.post(_rsvp_url(event), {"diet": "none"})
    get = member_client.get(_rsvp_url(event))

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert get.status_code == 405
    assert RSVP.objects.count() == 0


def test_cancel_frees_the_seat_and_promotes(
    member_client, member, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    rsvp_create(event=event, member=member)
    waiting = rsvp_create(event=event, member=UserFactory()).rsvp

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(_cancel_url(event), follow=True)

    assert "Votre inscription est annulée" in text(response)
    waiting.refresh_from_db()
    assert waiting.status == RSVP.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [[waiting.member.email]]


def test_cancel_without_rsvp_says_so(member_client, event):
    response = member_client.post(_cancel_url(event), follow=True)

    assert "Vous n'avez pas d'inscription active" in text(response)


def test_leave_waiting_list_message(member_client, member):
    event = EventFactory(capacity=0)
    RSVPFactory(event=event, member=member, status=RSVP.Status.WAITLISTED)

    response = member_client.post(_cancel_url(event), follow=True)

    assert "Vous avez quitté la liste d'attente." in text(response)
    assert RSVP.objects.get().status == RSVP.Status.CANCELLED


def test_draft_event_is_hidden_from_members_but_previewed_by_organizers(
    client, member_client, organizer_client
):
    draft = EventFactory(draft=True)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert member_client.get(draft.get_absolute_url()).status_code == 404
    assert member_client.post(_rsvp_url(draft), {"diet": "none"}).status_code == 404
    preview = organizer_client.get(draft.get_absolute_url())
    assert "Brouillon : cette page n'est visible que des organisateurs." in (text(preview))


def test_events_list_shows_upcoming_and_paginated_past(client):
    upcoming = EventFactory(title="Bientôt", number=None, slug="bientot")
    for _ in range(13):
        EventFactory(past=True)
    EventFactory(draft=True, title="Secret", number=None, slug="secret")

    page1 = text(client.get(reverse("events:list")))
    page2 = text(client.get(reverse("events:list"), {"page": 2}))

    assert upcoming.title in page1
    assert "Secret" not in page1
    assert "Page 1 sur 2" in page1
    assert "Page 2 sur 2" in page2


def test_home_shows_next_event_and_recent_past(client):
    nxt = EventFactory(starts_at=timezone.now() + timedelta(days=3))
    EventFactory(starts_at=timezone.now() + timedelta(days=40))
    past = EventFactory(past=True)

    page = text(client.get(reverse("home")))

    assert page.index(nxt.title) < page.index("Ensuite")
    assert past.title in page


def test_ticket_page_has_a_qr_code_for_confirmed_member(member_client, member, event, client):
    RSVPFactory(event=event, member=member)
    url = reverse("events:ticket", kwargs={"slug": event.slug})

    page = text(member_client.get(url))

    assert "<svg" in page
    assert "Présentez ce code à l'entrée" in page
    assert client.get(url).status_code == 302


def test_ticket_page_404_without_rsvp(member_client, event):
    assert (
        member_client.get(reverse("events:ticket", kwargs={"slug": event.slug})).status_code == 404
    )


def test_calendar_file(client, event):
    # The old address answers with a permanent redirect to /events/<slug>.ics.
    response = client.get(reverse("events:calendar", kwargs={"slug": event.slug}), follow=True)

    assert response.redirect_chain == [(reverse("events:ics", kwargs={"slug": event.slug}), 301)]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = text(response)
    assert "BEGIN:VEVENT" in body
    assert f"SUMMARY:{event.title}" in body


def test_my_events_lists_active_rsvps(member_client, member, event):
    RSVPFactory(event=event, member=member)
    cancelled = RSVPFactory(member=member, status=RSVP.Status.CANCELLED)

    page = text(member_client.get(reverse("events:mine")))

    assert event.title in page
    assert cancelled.event.title not in page


def test_event_page_query_count_does_not_grow(client, member):
    small = EventFactory()
    RSVPFactory(event=small)
    big = EventFactory()
    for _ in range(30):
        RSVPFactory(event=big)
    for _ in range(10):
        RSVPFactory(event=big, status=RSVP.Status.WAITLISTED)
    client.force_login(member)

    assert count_queries(client, big.get_absolute_url()) == count_queries(
        client, small.get_absolute_url()
    )


def test_event_list_query_count_does_not_grow(client, member):
    EventFactory()
    EventFactory(past=True)
    client.force_login(member)
    one = count_queries(client, reverse("events:list"))

    for _ in range(8):
        event = EventFactory()
        RSVPFactory(event=event, member=member)
        EventFactory(past=True)

    assert count_queries(client, reverse("events:list")) == one


def test_home_query_count_does_not_grow(client):
    EventFactory()
    EventFactory(past=True)
    one = count_queries(client, reverse("home"))

    for _ in range(6):
        RSVPFactory(event=EventFactory())
        EventFactory(past=True)

    assert count_queries(client, reverse("home")) == one


def test_the_live_stream_is_offered_to_anyone_without_a_seat(client, member, outsider):

    event = EventFactory(livestream_url="https://www.youtube.com/watch?v=live", capacity=1)
    RSVPFactory(event=event, member=member)
    RSVPFactory(event=event, member=outsider, status="waitlisted")
    url = event.get_absolute_url()

    assert "Pas de place ? Suivez le direct" in text(client.get(url))  # anonymous
    client.force_login(outsider)
    assert "Pas de place ? Suivez le direct" in text(client.get(url))  # waiting list
    client.force_login(member)
    seated = text(client.get(url))
    assert "Pas de place ? Suivez le direct" not in seated
    assert "Suivre le direct" in seated  # still there, just not pushed
