"""The draw: requests, weights, the draw itself (exactly once), its emails and its replay."""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import OutboxMessage
from events.draw import (
    DRAW_SEAT,
    DRAW_WAITLISTED,
    DrawError,
    draw_duplicates,
    draw_order,
    draw_replay,
    draw_request_cancel,
    draw_request_create,
    draw_request_void,
    draw_run,
    member_weights,
    normalized_email,
    normalized_name,
)
from events.models import RSVP, Draw, DrawRequest, Event
from events.services import RSVPError, rsvp_create
from tests.conftest import text
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=400)


def old_member(**fields):
    """A member whose account existed long before any event of the test."""
    return UserFactory(date_joined=LONG_AGO, **fields)


def past_tracked_event(**fields):
    """A past evening where someone was checked in (its attendance was tracked)."""
    event = EventFactory(past=True, **fields)
    RSVPFactory(event=event, checked_in_at=event.starts_at)
    return event


def request_all(event, members):
    return [draw_request_create(event=event, member=m)[0] for m in members]


def after_window(event):
    return event.draw_window_closes + timedelta(minutes=1)


# --- Requests -------------------------------------------------------------------------


def test_a_member_requests_once_and_updates_the_diet():
    event = EventFactory(draw=True)
    member = old_member()

    first, created = draw_request_create(event=event, member=member)
    again, created_again = draw_request_create(event=event, member=member, diet="vegan")

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert DrawRequest.objects.get().diet == "vegan"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"verified": False}, "Confirmez d'abord votre adresse e-mail"),
        ({"banned_at": timezone.now()}, "Votre compte ne permet plus"),
    ],
)
def test_unverified_and_banned_accounts_cannot_request(fields, message):
    event = EventFactory(draw=True)

    with pytest.raises(DrawError, match=message):
        draw_request_create(event=event, member=UserFactory(**fields))
    assert not DrawRequest.objects.exists()


def test_no_request_outside_the_window_nor_for_a_first_come_event():
    closed = EventFactory(draw=True, draw_closes_at=timezone.now() - timedelta(minutes=1))
    first_come = EventFactory()

    with pytest.raises(DrawError, match="ne sont pas ouvertes"):
        draw_request_create(event=closed, member=old_member())
    with pytest.raises(DrawError, match="pas tiré au sort"):
        draw_request_create(event=first_come, member=old_member())


def test_the_window_defaults_to_24_hours_after_the_opening():
    event = EventFactory(draw=True)

    assert event.draw_window_closes == event.registration_opens_at + timedelta(hours=24)


def test_a_withdrawn_request_is_not_drawn_and_the_member_may_ask_again():
    event = EventFactory(draw=True)
    member = old_member()
    request, _created = draw_request_create(event=event, member=member)

    assert draw_request_cancel(request=request) is True
    assert request.status == DrawRequest.Status.CANCELLED
    again, created = draw_request_create(event=event, member=member)
    assert created and again.pk != request.pk


def test_rsvps_wait_for_the_draw_then_queue_behind_its_waiting_list():
    event = EventFactory(draw=True, capacity=1)
    drawn = old_member()
    request_all(event, [drawn, old_member()])
    latecomer = old_member()

    with pytest.raises(RSVPError, match="tirées au sort"):
        rsvp_create(event=event, member=latecomer)
    draw_run(event=event, now=after_window(event))
    late = rsvp_create(event=event, member=latecomer).rsvp

    assert late.is_waitlisted and late.waitlist_position() == 2


def test_organizers_may_still_seat_someone_during_the_window():
    event = EventFactory(draw=True)

    result = rsvp_create(event=event, member=old_member(), by_organizer=True)

    assert result.rsvp.is_confirmed


# --- Looking like the same person twice ------------------------------------------------


def test_addresses_and_names_are_compared_as_a_person_would():
    assert normalized_email("Jean.Dupont+api@GoogleMail.com") == "jeandupont@gmail.com"
    assert normalized_email("jean.dupont+x@example.org") == "jean.dupont@example.org"
    assert normalized_name("  Élodie   Martin-Durand ") == normalized_name("elodie martin durand")


def test_duplicates_are_shown_and_voided_before_the_draw():
    event = EventFactory(draw=True)
    one = old_member(email="jean.dupont@gmail.com", display_name="Jean Dupont")
    twin = old_member(email="jeandupont+bis@gmail.com", display_name="Jean DUPONT")
    device_a = old_member(display_name="Alice")
    device_b = old_member(display_name="Bob")
    alone = old_member(display_name="Zoé")
    first, second = request_all(event, [one, twin])
    draw_request_create(event=event, member=device_a, device="f" * 64)
    draw_request_create(event=event, member=device_b, device="f" * 64)
    request_all(event, [alone])

    found = draw_duplicates(event)

    assert found[first.pk] == ["même nom", "même adresse e-mail"]
    assert found[second.pk] == ["même nom", "même adresse e-mail"]
    assert sorted(len(v) for v in found.values()) == [1, 1, 2, 2]  # the devices; not Zoé
    assert draw_request_void(requests=DrawRequest.objects.filter(pk=second.pk), reason="x") == 1
    with pytest.raises(DrawError, match="écartée par les organisateurs"):
        draw_request_create(event=event, member=twin)  # asking again does not undo it
    draw = draw_run(event=event, now=after_window(event))
    assert second.pk not in draw.order and len(draw.order) == 4


# --- Weights ---------------------------------------------------------------------------


def test_weights_follow_each_members_history():
    previous = past_tracked_event()
    older = past_tracked_event(starts_at=timezone.now() - timedelta(days=60))
    event = EventFactory(
        draw=True,
        draw_weight_newcomer=Decimal("3"),
        draw_weight_waitlisted=Decimal("2"),
        draw_weight_no_shows=Decimal("0.5"),
    )
    newcomer = old_member()
    regular = old_member()
    RSVPFactory(event=previous, member=regular, checked_in_at=previous.starts_at)
    new_account = UserFactory()  # created after the event was announced
    waited = old_member()
    RSVPFactory(event=older, member=waited, checked_in_at=older.starts_at)
    RSVPFactory(event=previous, member=waited, status=RSVP.Status.WAITLISTED)
    waited_newcomer = old_member()
    RSVPFactory(event=previous, member=waited_newcomer, status=RSVP.Status.WAITLISTED)
    no_show = old_member()
    RSVPFactory(event=previous, member=no_show)
    RSVPFactory(event=older, member=no_show)
    members = [newcomer, regular, new_account, waited, waited_newcomer, no_show]

    weights = member_weights(event, [m.pk for m in members])

    assert [weights[m.pk] for m in members] == [
        Decimal("3.00"),
        Decimal("1.00"),
        Decimal("1.00"),
        Decimal("2.00"),
        Decimal("6.00"),
        Decimal("0.50"),
    ]


def _binomial_bounds(n: int, p: float, sds: float = 4.0) -> tuple[float, float]:
    """Where a Binomial(n, p) count falls but with probability < 1e-4 (4 standard
    deviations): the tolerance follows from n and p, it is not guessed."""
    sd = math.sqrt(n * p * (1 - p))
    return n * p - sds * sd, n * p + sds * sd


def test_the_first_seat_goes_to_each_request_in_proportion_to_its_weight():
    # Efraimidis-Spirakis: rank 1 is request i with probability w_i / sum(w).
    requests = [[i, f"m{i}", w] for i, w in enumerate(["3", "3", "1", "1", "1", "0.5"], 1)]
    total = sum(Decimal(w) for _i, _t, w in requests)
    runs = 3000
    firsts = [draw_order(f"seed-{n}", requests)[0] for n in range(runs)]

    for request_id, _tag, weight in requests:
        low, high = _binomial_bounds(runs, float(Decimal(weight) / total))
        assert low <= firsts.count(request_id) <= high, (request_id, firsts.count(request_id))


def test_heavier_requests_get_more_of_the_seats_over_many_draws():
    # 2 seats among 4 requests of weight 3 and 4 of weight 1: the chance that a given
    # heavy request is in the top 2 is computed exactly by enumerating the first two picks.
    weights = [3, 3, 3, 3, 1, 1, 1, 1]
    requests = [[i, f"m{i}", str(w)] for i, w in enumerate(weights, 1)]
    total = sum(weights)
    p_heavy = 0.0
    for first, w1 in enumerate(weights):
        for second, w2 in enumerate(weights):
            if second != first and 0 in (first, second):
                p_heavy += w1 / total * w2 / (total - w1)
    runs = 2000
    seated = sum(1 in draw_order(f"s{n}", requests)[:2] for n in range(runs))

    low, high = _binomial_bounds(runs, p_heavy)
    assert low <= seated <= high, (seated, runs * p_heavy)


# --- The draw --------------------------------------------------------------------------


def test_exactly_the_free_seats_are_drawn_and_the_rest_wait_in_drawn_order():
    event = EventFactory(draw=True, capacity=10)
    RSVPFactory(event=event)  # a seat an organizer gave during the window
    members = [old_member() for _ in range(25)]
    request_all(event, members)

    draw = draw_run(event=event, now=after_window(event))

    rsvps = RSVP.objects.filter(event=event).exclude(member__in=[]).order_by("id")[1:]
    assert draw.seats == 9
    assert len(draw.order) == 25
    assert RSVP.objects.filter(event=event).confirmed().count() == 10
    assert len({r.member_id for r in RSVP.objects.filter(event=event)}) == 26
    by_request = {r.rsvp_id: r.pk for r in DrawRequest.objects.filter(event=event)}
    assert [by_request[r.pk] for r in rsvps] == draw.order  # created in drawn order
    waiting = list(RSVP.objects.filter(event=event).waitlisted())
    assert [by_request[r.pk] for r in waiting] == draw.order[9:]
    assert waiting[0].waitlist_position() == 1


def test_a_hundred_requests_for_fifty_seats_favour_the_newcomers_and_everyone_is_told(
    django_capture_on_commit_callbacks,
):
    previous = past_tracked_event()
    regulars = [old_member() for _ in range(50)]
    for regular in regulars:
        RSVPFactory(event=previous, member=regular, checked_in_at=previous.starts_at)
    newcomers = [old_member() for _ in range(50)]
    event = EventFactory(draw=True, capacity=50, draw_weight_newcomer=Decimal("3"))
    request_all(event, regulars + newcomers)

    with django_capture_on_commit_callbacks(execute=True):
        draw = draw_run(event=event, now=after_window(event))

    seated = set(RSVP.objects.filter(event=event).confirmed().values_list("member_id", flat=True))
    assert len(seated) == 50
    # With weight 3 the newcomers expect ~34 of the 50 seats; 25 is what no weight gives.
    assert len(seated & {m.pk for m in newcomers}) > 25
    kinds = OutboxMessage.objects.filter(group=event.outbox_group).values_list("kind", flat=True)
    assert sorted(set(kinds)) == [DRAW_SEAT, DRAW_WAITLISTED]
    assert len(kinds) == 100
    subjects = sorted({m.subject.split(" pour ")[0] for m in mail.outbox})
    assert subjects == [
        "[Clermont'ech] Tirage au sort : liste d'attente",
        "[Clermont'ech] Tirage au sort : vous avez une place",
    ]
    assert len(mail.outbox) == 100
    last = RSVP.objects.filter(event=event).waitlisted().last()
    (message,) = [m for m in mail.outbox if m.to == [last.member.email]]
    assert "en position 50 (rang 100 au tirage)" in message.body
    assert draw.seats == 50


def test_an_unlimited_event_seats_every_request():
    event = EventFactory(draw=True, capacity=None)
    request_all(event, [old_member() for _ in range(3)])

    draw = draw_run(event=event, now=after_window(event))

    assert draw.seats == 3
    assert RSVP.objects.filter(event=event).confirmed().count() == 3


def test_the_draw_waits_for_the_end_of_the_window_and_runs_once():
    event = EventFactory(draw=True)
    request_all(event, [old_member()])

    assert draw_run(event=event, now=event.draw_window_closes - timedelta(seconds=1)) is None
    assert draw_run(event=event, now=after_window(event)) is not None
    assert draw_run(event=event, now=after_window(event)) is None
    assert Draw.objects.count() == 1 and RSVP.objects.count() == 1


def test_send_event_mail_runs_the_draws_that_are_due(django_capture_on_commit_callbacks):
    event = EventFactory(draw=True, draw_closes_at=timezone.now() + timedelta(seconds=1))
    request_all(event, [old_member(), old_member()])
    Event.objects.filter(pk=event.pk).update(draw_closes_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_event_mail")

    assert Draw.objects.get().event == event
    assert len(mail.outbox) == 2


# --- Replay ----------------------------------------------------------------------------


def test_the_replay_says_match_and_catches_a_tampered_record(capsys):
    event = EventFactory(draw=True, capacity=3)
    request_all(event, [old_member() for _ in range(8)])
    draw = draw_run(event=event, now=after_window(event))

    call_command("draw_replay", event.slug)
    assert capsys.readouterr().out.strip().endswith("MATCH")

    assert draw_replay(draw).order == draw.order
    draw.order = [*draw.order[1:], draw.order[0]]
    draw.save()
    with pytest.raises(CommandError):
        call_command("draw_replay", event.slug)
    assert "MISMATCH" in capsys.readouterr().out


def test_the_replay_catches_a_secret_changed_after_its_commitment():
    event = EventFactory(draw=True, capacity=1)
    request_all(event, [old_member(), old_member()])
    draw = draw_run(event=event, now=after_window(event))
    draw.secret = "0" * 64

    assert not draw_replay(draw).match


@pytest.mark.parametrize("slug", ["inconnu", "api-hour-1000000", "é" * 300, "a\x00b"])
def test_the_replay_refuses_an_event_without_a_draw(slug):
    EventFactory(draw=True, slug="api-hour-1000000")

    with pytest.raises(CommandError, match="Aucun tirage"):
        call_command("draw_replay", slug)


# --- Pages -----------------------------------------------------------------------------


def test_a_member_requests_a_seat_from_the_event_page(client):
    event = EventFactory(draw=True)
    member = old_member()
    client.force_login(member)

    page = client.get(event.get_absolute_url())
    assert "Demander une place" in page.content.decode()
    response = client.post(
        f"/events/{event.slug}/tirage/demande/", {"diet": "vegetarian", "diet_notes": ""}
    )

    assert response.status_code == 302
    request = DrawRequest.objects.get()
    assert (request.member, request.diet) == (member, "vegetarian")
    assert len(request.device) == 64
    page = client.get(event.get_absolute_url()).content.decode()
    assert f"Votre demande n° {request.pk} est enregistrée" in page
    client.post(f"/events/{event.slug}/tirage/demande/retirer/")
    assert DrawRequest.objects.get().status == DrawRequest.Status.CANCELLED


def test_the_public_page_explains_before_and_shows_no_names_after(client):
    event = EventFactory(draw=True, capacity=1)
    alice = old_member(display_name="Alice Secrète", email="alice@example.org")
    request_all(event, [alice, old_member()])

    before = client.get(f"/events/{event.slug}/tirage/").content.decode()
    assert event.draw_commitment in before
    assert event.draw_secret not in before
    assert "3 fois plus de chances" in before
    draw = draw_run(event=event, now=after_window(event))
    after = client.get(f"/events/{event.slug}/tirage/").content.decode()

    assert draw.seed in after and event.draw_secret in after
    assert "Alice" not in after and "alice@" not in after
    assert client.get(f"/events/{EventFactory().slug}/tirage/").status_code == 404


def test_the_published_record_cannot_be_traced_back_to_members():
    """The secret is public after the draw: what the page shows must not let anyone
    recompute a member's tag from member ids (found by the QA walk: it could)."""
    import hashlib

    event = EventFactory(draw=True, capacity=1)
    members = [old_member() for _ in range(3)]
    request_all(event, members)
    draw = draw_run(event=event, now=after_window(event))
    tags = {tag for _number, tag, _weight in draw.requests}

    for member in members:
        for text_ in (f"{draw.secret}:member:{member.pk}", f"{member.pk}", member.email):
            assert hashlib.sha256(text_.encode()).hexdigest()[:16] not in tags
    # The same member gets another tag at another event.
    other = EventFactory(draw=True, capacity=1)
    request_all(other, members[:1])
    other_draw = draw_run(event=other, now=after_window(other))
    assert other_draw.requests[0][1] not in tags


def test_the_replay_still_matches_after_a_secret_key_rotation(settings, capsys):
    event = EventFactory(draw=True, capacity=1)
    request_all(event, [old_member(), old_member()])
    draw_run(event=event, now=after_window(event))
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-key-after-a-rotation-0123456789-abcdefghijklmnop"

    call_command("draw_replay", event.slug)  # raises on a mismatch

    out = capsys.readouterr().out
    assert "MATCH" in out and "MISMATCH" not in out


# --- Admin -----------------------------------------------------------------------------


def test_an_organizer_sets_draw_mode_in_the_admin(
    organizer_client, django_capture_on_commit_callbacks
):
    from tests.events.test_admin import _event_form_data

    event = EventFactory()
    url = f"/admin/events/event/{event.pk}/change/"
    opens = timezone.localtime() - timedelta(hours=1)

    refused = organizer_client.post(
        url, _event_form_data(event, organizer_client, url, allocation="draw")
    )
    assert "Le tirage au sort a besoin d'une date d'ouverture" in text(refused)
    data = _event_form_data(
        event,
        organizer_client,
        url,
        allocation="draw",
        registration_opens_at_0=opens.strftime("%d/%m/%Y"),
        registration_opens_at_1=opens.strftime("%H:%M:%S"),
        draw_weight_newcomer="4",
        draw_weight_waitlisted="2",
        draw_weight_no_shows="0.25",
    )
    response = organizer_client.post(url, data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.allocation, event.draw_weight_newcomer) == ("draw", Decimal("4.00"))
    page = organizer_client.get(event.get_absolute_url()).content.decode()
    assert "4 fois plus de chances" in page and "Demander une place" in page


def test_weights_outside_their_bounds_are_refused_in_the_admin(organizer_client):
    from tests.events.test_admin import _event_form_data

    event = EventFactory(draw=True)
    url = f"/admin/events/event/{event.pk}/change/"
    data = _event_form_data(event, organizer_client, url, allocation="draw")
    opens = timezone.localtime(event.registration_opens_at)
    data |= {
        "registration_opens_at_0": opens.strftime("%d/%m/%Y"),
        "registration_opens_at_1": opens.strftime("%H:%M:%S"),
        "draw_weight_newcomer": "0",
        "draw_weight_no_shows": "11",
    }

    response = organizer_client.post(url, data)

    assert response.status_code == 200
    assert response.content.decode().count("errorlist") >= 2
    event.refresh_from_db()
    assert event.draw_weight_newcomer == Decimal("3.00")


def test_organizers_see_duplicates_and_void_one_in_the_admin(organizer_client):
    event = EventFactory(draw=True)
    one = old_member(email="ana.lopez@gmail.com", display_name="Ana López")
    twin = old_member(email="analopez+2@gmail.com", display_name="Ana Lopez")
    first, second = request_all(event, [one, twin])

    listing = organizer_client.get("/admin/events/drawrequest/?doublon=1").content.decode()
    assert "même nom, même adresse e-mail" in listing
    response = organizer_client.post(
        "/admin/events/drawrequest/",
        {"action": "void_selected", "_selected_action": [second.pk]},
    )

    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.status, second.void_reason) == (DrawRequest.Status.VOIDED, "doublon")
    assert DrawRequest.objects.get(pk=first.pk).status == DrawRequest.Status.ACTIVE


def test_the_draw_settings_are_locked_once_drawn(organizer_client):
    from tests.events.test_admin import _event_form_data

    event = EventFactory(draw=True)
    request_all(event, [old_member()])
    draw_run(event=event, now=after_window(event))
    url = f"/admin/events/event/{event.pk}/change/"
    opens = timezone.localtime(event.registration_opens_at)
    data = _event_form_data(event, organizer_client, url, allocation="first_come")
    data |= {
        "registration_opens_at_0": opens.strftime("%d/%m/%Y"),
        "registration_opens_at_1": opens.strftime("%H:%M:%S"),
    }

    response = organizer_client.post(url, data)

    assert (
        "Le tirage a eu lieu : ses réglages ne peuvent plus changer." in response.content.decode()
    )
    assert Event.objects.get(pk=event.pk).allocation == "draw"
    record = organizer_client.get(f"/admin/events/draw/{event.draw.pk}/change/").content.decode()
    assert event.draw.seed in record


def test_an_erased_account_leaves_the_draw_and_its_request_forgets_the_diet():
    from community.services import member_delete

    event = EventFactory(draw=True)
    member = old_member()
    draw_request_create(event=event, member=member, diet="other", diet_notes="Arachides")

    member_delete(member=member)

    request = DrawRequest.objects.get()
    assert (request.status, request.diet_notes, request.device) == ("cancelled", "", "")
    assert draw_run(event=event, now=after_window(event)).order == []


def test_the_public_page_makes_as_many_queries_for_one_request_as_for_many(client):
    from tests.conftest import count_queries

    counts = []
    for n in (1, 12):
        event = EventFactory(draw=True, capacity=5)
        request_all(event, [old_member() for _ in range(n)])
        draw_run(event=event, now=after_window(event))
        counts.append(count_queries(client, f"/events/{event.slug}/tirage/"))

    assert counts[0] == counts[1]


def test_before_the_opening_the_page_says_when_requests_open(client):
    opens = timezone.now() + timedelta(days=2)
    event = EventFactory(draw=True, registration_opens_at=opens)
    client.force_login(old_member())

    page = text(client.get(event.get_absolute_url()))

    assert "Les demandes de place ouvrent le" in page
    assert "Demander une place" not in page


def test_before_the_opening_a_member_asks_to_be_told_when_requests_open(client):
    from events.models import OpeningAlert

    event = EventFactory(draw=True, registration_opens_at=timezone.now() + timedelta(days=2))
    member = old_member()
    client.force_login(member)

    assert "Prévenez-moi à l'ouverture" in text(client.get(event.get_absolute_url()))
    client.post(f"/events/{event.slug}/alerte/")

    assert OpeningAlert.objects.filter(event=event, member=member).exists()
    assert "Vous recevrez un e-mail" in text(client.get(event.get_absolute_url()))


def test_a_ban_sets_the_members_waiting_request_aside(organizer):
    from community.services import member_ban

    event = EventFactory(draw=True, capacity=5)
    banned, other = old_member(), old_member()
    request_all(event, [banned, other])

    member_ban(member=banned, reason="Harcèlement", by=organizer)

    assert DrawRequest.objects.get(member=banned).status == DrawRequest.Status.VOIDED
    assert DrawRequest.objects.get(member=other).status == DrawRequest.Status.ACTIVE
    assert event.draw_requests.active().count() == 1


def test_event_cards_say_draw_and_not_yet_open_instead_of_seats_left(client):
    EventFactory(draw=True, capacity=20, title="API Hour #75")
    EventFactory(title="API Hour #76", registration_opens_at=timezone.now() + timedelta(days=9))

    page = text(client.get("/events/"))

    assert "20 places tirées au sort" in page
    assert "Inscriptions le" in page
    assert "places restantes" not in page


def test_after_the_draw_a_member_sees_their_request_number_and_rank(client):
    event = EventFactory(draw=True, capacity=1)
    first, second = old_member(), old_member()
    requests = request_all(event, [first, second])
    draw_run(event=event, now=after_window(event))

    for member, request in zip([first, second], requests, strict=True):
        request.refresh_from_db()
        client.force_login(member)
        page = text(client.get(event.get_absolute_url()))
        assert f"Votre demande n° {request.pk} est sortie au rang {request.rank}." in page
    client.logout()
    assert "est sortie au rang" not in text(client.get(event.get_absolute_url()))


def test_a_waiting_request_is_listed_in_mes_inscriptions(client):
    event = EventFactory(draw=True, capacity=5, title="API Hour #75")
    member, other = old_member(), old_member()
    (request,) = request_all(event, [member])
    request_all(event, [other])
    client.force_login(member)

    page = text(client.get("/events/mine/"))

    assert "API Hour #75" in page
    assert f"demande n° {request.pk}, en attente du tirage" in page
    assert "Vous n'êtes inscrit·e à aucun événement." not in page
    draw_run(event=event, now=after_window(event))  # drawn: an RSVP now, no request left
    page = text(client.get("/events/mine/"))
    assert "en attente du tirage" not in page
