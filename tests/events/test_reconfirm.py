"""The two one-click links of "still coming?": signed, usable without logging in."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from events.models import RSVP
from events.reminders import NO, YES, reconfirm_token_make
from tests.conftest import text
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_event():
    return EventFactory(capacity=1)


@pytest.fixture
def seat(full_event, member):
    return RSVPFactory(event=full_event, member=member)


@pytest.fixture
def next_in_line(full_event):
    return RSVPFactory(
        event=full_event,
        member=UserFactory(email="next@example.org", display_name="Suivante"),
        status=RSVP.Status.WAITLISTED,
    )


def link(rsvp, answer):
    return reverse("events:reconfirm", kwargs={"token": reconfirm_token_make(rsvp, answer)})


def test_the_links_in_the_email_lead_to_the_answers(client, seat, next_in_line):
    from django.core.management import call_command

    call_command(
        "send_event_mail",
        now=(seat.event.starts_at - timedelta(hours=47)).isoformat(),
        stdout=io.StringIO(),
    )
    (message,) = [m for m in mail.outbox if m.to == [seat.member.email]]
    yes_url, no_url = re.findall(r"http://\S+/events/reconfirm/\S+/", message.body)

    assert "Oui, je viens" in text(client.get(yes_url.split("8000", 1)[1]))
    assert "je libère ma place" in text(client.get(no_url.split("8000", 1)[1]))


def test_get_only_asks_mail_scanners_change_nothing(client, seat, next_in_line):
    response = client.get(link(seat, NO))

    assert response.status_code == 200
    assert "Je ne peux pas venir : je libère ma place" in text(response)
    seat.refresh_from_db()
    assert seat.status == RSVP.Status.CONFIRMED


def test_yes_records_the_answer_without_logging_in(client, seat):
    response = client.post(link(seat, YES))

    assert response.status_code == 200
    assert "c'est noté, vous venez" in text(response)
    seat.refresh_from_db()
    assert seat.reconfirmed_at is not None
    assert seat.status == RSVP.Status.CONFIRMED

    again = client.post(link(seat, YES))  # a second click is harmless
    assert again.status_code == 200


def test_giving_the_seat_away_confirms_and_emails_the_next_person(
    client, seat, next_in_line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link(seat, NO))

    assert response.status_code == 200
    assert "Votre place est libérée" in text(response)
    assert "La personne suivante de la liste d'attente vient de la recevoir" in text(response)
    seat.refresh_from_db()
    next_in_line.refresh_from_db()
    assert seat.status == RSVP.Status.CANCELLED
    assert next_in_line.status == RSVP.Status.CONFIRMED
    (promoted,) = mail.outbox
    assert promoted.to == ["next@example.org"]
    assert "Une place s'est libérée" in promoted.subject


def test_a_link_reused_after_cancellation_is_refused(client, seat, next_in_line):
    client.post(link(seat, NO))

    for answer in (YES, NO):
        response = client.post(link(seat, answer))
        assert response.status_code == 410
        assert "Cette inscription est annulée : ce lien ne sert plus." in text(response)
    next_in_line.refresh_from_db()
    assert next_in_line.status == RSVP.Status.CONFIRMED
    assert RSVP.objects.filter(event=seat.event, status=RSVP.Status.CONFIRMED).count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_link_is_refused(client, seat, method):
    token = reconfirm_token_make(seat, YES)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = getattr(client, method)(reverse("events:reconfirm", kwargs={"token": forged}))

    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in text(response)
    seat.refresh_from_db()
    assert seat.reconfirmed_at is None


def test_a_link_for_someone_else_cannot_be_made_by_editing_the_id(client, seat, outsider):
    other = RSVPFactory(event=seat.event, member=outsider)
    token = reconfirm_token_make(seat, NO)
    payload, rest = token.split(":", 1)
    tampered = reconfirm_token_make(other, NO).split(":", 1)[0] + ":" + rest

    response = client.post(reverse("events:reconfirm", kwargs={"token": tampered}))

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.status == RSVP.Status.CONFIRMED


def test_an_expired_link_is_refused(client, seat):
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("time.time", return_value=eight_days_ago):
        token = reconfirm_token_make(seat, NO)

    response = client.post(reverse("events:reconfirm", kwargs={"token": token}))

    assert response.status_code == 410
    assert "Ce lien a expiré" in text(response)
    seat.refresh_from_db()
    assert seat.status == RSVP.Status.CONFIRMED


def test_after_the_start_the_link_no_longer_works(client, seat):
    event = seat.event
    event.starts_at = timezone.now() - timedelta(minutes=10)
    event.ends_at = timezone.now() + timedelta(hours=2)
    event.save()

    response = client.post(link(seat, NO))

    assert response.status_code == 410
    assert "L'événement a commencé" in text(response)
    seat.refresh_from_db()
    assert seat.status == RSVP.Status.CONFIRMED


def test_a_cancelled_event_says_so(client, seat):
    seat.event.status = seat.event.Status.CANCELLED
    seat.event.save()

    response = client.get(link(seat, YES))

    assert response.status_code == 410
    assert "Cet événement est annulé." in text(response)


def test_the_page_offers_the_other_answer(client, seat):
    page = text(client.get(link(seat, YES)))
    other = re.search(r'href="(/events/reconfirm/[^"]+)">Finalement, je ne peux pas venir', page)

    assert other is not None
    assert "je libère ma place" in text(client.get(other.group(1)))


def _other_answer_url(client, url: str, label: str) -> str:
    page = text(client.get(url))
    return re.search(rf'href="(/events/reconfirm/[^"]+)">{label}', page).group(1)


def _issued_at(url: str) -> int:
    token = url.rstrip("/").rsplit("/", 1)[1]
    return signing.b62_decode(token.rsplit(":", 2)[1])


def test_the_other_answer_link_expires_with_the_link_it_came_from(client, seat, next_in_line):
    six_days_ago = int(time.time()) - 6 * 24 * 3600
    with mock.patch("time.time", return_value=six_days_ago):  # the email, 6 days ago
        token = reconfirm_token_make(seat, YES)
    yes_url = reverse("events:reconfirm", kwargs={"token": token})

    no_url = _other_answer_url(client, yes_url, "Finalement, je ne peux pas venir")

    assert _issued_at(no_url) == six_days_ago
    assert client.get(no_url).status_code == 200  # valid until the original expires
    a_day_and_a_minute_later = time.time() + 24 * 3600 + 60
    with mock.patch("time.time", return_value=a_day_and_a_minute_later):
        responses = [client.post(yes_url), client.post(no_url)]
    assert [r.status_code for r in responses] == [410, 410]
    assert "Ce lien a expiré" in text(responses[1])
    seat.refresh_from_db()
    assert (seat.status, seat.reconfirmed_at) == (RSVP.Status.CONFIRMED, None)


def test_going_back_and_forth_between_the_answers_keeps_the_first_issue_time(client, seat):
    issued = int(time.time()) - 3 * 24 * 3600
    with mock.patch("time.time", return_value=issued):
        url = reverse("events:reconfirm", kwargs={"token": reconfirm_token_make(seat, NO)})

    for _ in range(3):
        url = _other_answer_url(client, url, "Finalement, je viens")
        url = _other_answer_url(client, url, "Finalement, je ne peux pas venir")

    assert _issued_at(url) == issued


def test_links_are_the_tokens_signing_dumps_made_so_sent_emails_still_work(client, seat):
    an_hour_ago = time.time() - 3600
    with mock.patch("time.time", return_value=an_hour_ago):
        sent = signing.dumps({"r": seat.pk, "a": YES}, salt="events.reconfirm", compress=True)
        made = reconfirm_token_make(seat, YES)

    response = client.post(reverse("events:reconfirm", kwargs={"token": sent}))

    assert made == sent
    assert "c'est noté, vous venez" in text(response)
