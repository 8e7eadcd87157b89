"""Review in the admin: actions, the change form, reviews, mentors and the programme editor."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from talks.models import Talk, TalkReview, TalkStatusChange
from tests.factories import EventFactory, OrganizerFactory, SpeakerFactory, TalkFactory

S = Talk.Status
CHANGELIST = "admin:talks_talk_changelist"


def change_url(talk) -> str:
    return reverse("admin:talks_talk_change", args=[talk.pk])


def programme_url(event) -> str:
    return reverse("admin:talks_talk_programme", args=[event.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# Access ---------------------------------------------------------------------


def test_admin_talks_closed_to_members(member_client, make_talk):
    talk = make_talk()

    for url in [reverse(CHANGELIST), change_url(talk), programme_url(EventFactory())]:
        response = member_client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/admin/login/")


def test_changelist_shows_review_columns(organizer_client, organizer, make_talk, event):
    talk = make_talk(S.SUBMITTED, title="Rust pour les gens pressés", event=event, first_time=True)
    TalkReview.objects.create(talk=talk, reviewer=organizer, score=1)
    TalkReview.objects.create(talk=talk, reviewer=OrganizerFactory(), score=1)

    html = organizer_client.get(reverse(CHANGELIST)).content.decode()

    assert "Rust pour les gens pressés" in html
    assert "Camille" in html
    assert event.title in html
    assert "+2 (2)" in html
    assert "Éditeur de programme" in html


@pytest.mark.parametrize("n", [1, 5])
def test_changelist_query_count(organizer_client, django_assert_num_queries, event, n):
    for _ in range(n):
        TalkFactory(event=event, speakers=[SpeakerFactory(), SpeakerFactory()])

    # 12: the organizer's permissions (their own, their group's) are 2 of them.
    with django_assert_num_queries(12):
        assert organizer_client.get(reverse(CHANGELIST)).status_code == 200


# Actions ----------------------------------------------------------------------


def run_action(client, action: str, talks, **extra):
    data = {"action": action, "_selected_action": [t.pk for t in talks], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_accept_action_goes_through_the_service(
    organizer_client, organizer, make_talk, run_on_commit
):
    talk = make_talk(S.SUBMITTED)

    with run_on_commit():
        response = run_action(organizer_client, "accept_selected", [talk])

    talk.refresh_from_db()
    assert talk.status == S.ACCEPTED
    assert TalkStatusChange.objects.get(talk=talk).changed_by == organizer
    assert mail.outbox[0].to == ["camille@example.org"]
    assert "1 talk accepté, e-mail envoyé." in messages_of(response)


def test_reject_action_refuses_what_is_not_allowed(organizer_client, make_talk, run_on_commit):
    submitted = make_talk(S.SUBMITTED)
    confirmed = make_talk(S.CONFIRMED, title="Déjà confirmé")

    with run_on_commit():
        response = run_action(organizer_client, "reject_selected", [submitted, confirmed])

    submitted.refresh_from_db()
    confirmed.refresh_from_db()
    assert (submitted.status, confirmed.status) == (S.REJECTED, S.CONFIRMED)
    assert len(mail.outbox) == 1
    assert messages_of(response) == [
        "Le talk « Déjà confirmé » est confirmé : il ne peut pas passer à « refusé ». "
        "Changements possibles : retiré, annulé.",
        "1 talk refusé, e-mail envoyé.",
    ]


def test_schedule_action_assigns_event_and_mails_accepted_speakers(
    organizer_client, make_talk, run_on_commit
):
    event = EventFactory(title="API Hour #73")
    accepted = make_talk(S.ACCEPTED, title="Accepté")
    submitted = make_talk(S.SUBMITTED, title="Soumis")
    rejected = make_talk(S.REJECTED, title="Refusé")

    with run_on_commit():
        response = run_action(
            organizer_client, "schedule_selected", [accepted, submitted, rejected], event=event.pk
        )

    for talk in (accepted, submitted, rejected):
        talk.refresh_from_db()
    assert (accepted.event, accepted.position) == (event, 1)
    assert (submitted.event, submitted.position) == (event, 2)
    assert rejected.event is None
    day = timezone.localtime(event.starts_at).strftime("%d/%m/%Y")
    assert [m.subject for m in mail.outbox] == [f"[Clermont'ech] Votre talk est programmé le {day}"]
    assert "API Hour #73, le " in mail.outbox[0].body
    assert messages_of(response) == [
        "Le talk « Refusé » est refusé : il ne peut pas être programmé.",
        "2 talks programmés à API Hour #73.",
    ]


def test_schedule_action_without_event_explains(organizer_client, make_talk):
    talk = make_talk(S.ACCEPTED)

    response = run_action(organizer_client, "schedule_selected", [talk], event="")

    assert messages_of(response) == [
        "Choisissez l'événement dans la liste à côté des actions, puis recommencez."
    ]
    talk.refresh_from_db()
    assert talk.event is None


def test_unschedule_action_tells_accepted_speakers(
    organizer_client, make_talk, event, run_on_commit
):
    talk = make_talk(S.CONFIRMED, event=event, position=1)

    with run_on_commit():
        run_action(organizer_client, "unschedule_selected", [talk])

    talk.refresh_from_db()
    assert (talk.event, talk.position) == (None, None)
    assert mail.outbox[0].subject == f"[Clermont'ech] Changement de programme : {talk.title}"
    assert f"n'est plus au programme de {event.title}" in mail.outbox[0].body


# The change form ------------------------------------------------------------------


def test_change_form_offers_only_allowed_statuses(organizer_client, make_talk):
    talk = make_talk(S.ACCEPTED)

    html = organizer_client.get(change_url(talk)).content.decode()

    options = html.split('name="new_status"')[1].split("</select>")[0]
    assert 'value="confirmed"' in options and 'value="cancelled"' in options
    assert 'value="rejected"' not in options and 'value="submitted"' not in options


def test_change_form_status_change_sends_its_email(
    organizer_client, admin_form, make_talk, run_on_commit
):
    talk = make_talk(S.SUBMITTED)
    data = admin_form(organizer_client, change_url(talk), "talk_form", new_status="accepted")

    with run_on_commit():
        response = organizer_client.post(change_url(talk), data)

    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.status == S.ACCEPTED
    assert "/talks/confirm/" in mail.outbox[0].body


def test_change_form_refuses_forged_status(organizer_client, admin_form, make_talk):
    talk = make_talk(S.SUBMITTED)
    data = admin_form(organizer_client, change_url(talk), "talk_form", new_status="confirmed")

    response = organizer_client.post(change_url(talk), data)

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    talk.refresh_from_db()
    assert talk.status == S.SUBMITTED


def test_change_form_schedules_then_accepts_with_date_in_email(
    organizer_client, admin_form, make_talk, run_on_commit
):
    event = EventFactory(title="API Hour #73")
    talk = make_talk(S.SUBMITTED)
    data = admin_form(
        organizer_client, change_url(talk), "talk_form", new_status="accepted", event=event.pk
    )

    with run_on_commit():
        organizer_client.post(change_url(talk), data)

    talk.refresh_from_db()
    assert (talk.status, talk.event, talk.position) == (S.ACCEPTED, event, 1)
    assert len(mail.outbox) == 1  # submitted when scheduled: only the acceptance
    assert "API Hour #73, le " in mail.outbox[0].body


def test_change_form_review_is_per_organizer(organizer_client, organizer, admin_form, make_talk):
    talk = make_talk(S.SUBMITTED)
    other = OrganizerFactory(display_name="Alix")
    TalkReview.objects.create(talk=talk, reviewer=other, score=-1, note="Déjà vu en 2019")
    data = admin_form(
        organizer_client, change_url(talk), "talk_form", my_score="1", my_note="Super sujet"
    )

    organizer_client.post(change_url(talk), data)
    html = organizer_client.get(change_url(talk)).content.decode()

    review = TalkReview.objects.get(talk=talk, reviewer=organizer)
    assert (review.score, review.note) == (1, "Super sujet")
    assert TalkReview.objects.get(reviewer=other).score == -1
    assert "<strong>Alix</strong> : -1 — Déjà vu en 2019" in html
    assert "<strong>Orga</strong> : +1 — Super sujet" in html


def test_change_form_note_without_score_is_refused(organizer_client, admin_form, make_talk):
    talk = make_talk(S.SUBMITTED)
    data = admin_form(organizer_client, change_url(talk), "talk_form", my_note="Hmm")

    response = organizer_client.post(change_url(talk), data)

    assert "Choisissez une note pour accompagner votre avis." in response.content.decode()
    assert TalkReview.objects.count() == 0


def test_reviews_never_reach_public_pages(client, member_client, organizer, make_talk, event):
    talk = make_talk(S.CONFIRMED, event=event)
    TalkReview.objects.create(talk=talk, reviewer=organizer, score=-1, note="AVIS-SECRET")

    assert "AVIS-SECRET" not in client.get(talk.get_absolute_url()).content.decode()
    assert "AVIS-SECRET" not in member_client.get(reverse("talks:mine")).content.decode()


def test_change_form_mentor_introduces_both_by_email(
    organizer_client, admin_form, make_talk, run_on_commit
):
    mentor = SpeakerFactory(name="Ada Lovelace", is_mentor=True, email="ada@example.net")
    talk = make_talk(S.SUBMITTED, wants_mentor=True, title="Mon premier talk")
    data = admin_form(organizer_client, change_url(talk), "talk_form", mentor=mentor.pk)

    with run_on_commit():
        organizer_client.post(change_url(talk), data)

    talk.refresh_from_db()
    assert talk.mentor == mentor
    assert talk.mentor_introduced_at is not None
    # One message each; replying reaches the other one, as with one message to both.
    assert [(m.to, m.reply_to) for m in mail.outbox] == [
        (["camille@example.org"], ["ada@example.net"]),
        (["ada@example.net"], ["camille@example.org"]),
    ]
    for intro in mail.outbox:
        assert intro.subject == (
            "[Clermont'ech] Présentations : Ada Lovelace vous accompagne pour « Mon premier talk »"
        )
        assert "Répondez à tous pour convenir d'un premier échange" in intro.body


def test_change_form_mentor_without_email_is_refused(organizer_client, admin_form, make_talk):
    mentor = SpeakerFactory(name="Ada Lovelace", is_mentor=True)
    talk = make_talk(S.SUBMITTED, wants_mentor=True)
    data = admin_form(organizer_client, change_url(talk), "talk_form", mentor=mentor.pk)

    response = organizer_client.post(change_url(talk), data)

    assert "Ada Lovelace n&#x27;a pas d&#x27;adresse e-mail" in response.content.decode()
    talk.refresh_from_db()
    assert talk.mentor is None
    assert mail.outbox == []


def test_change_form_offers_only_volunteer_mentors(organizer_client, make_talk):
    SpeakerFactory(name="Volontaire", is_mentor=True, email="v@example.net")
    SpeakerFactory(name="Pas Volontaire", email="p@example.net")
    talk = make_talk(S.SUBMITTED)

    html = organizer_client.get(change_url(talk)).content.decode()

    options = html.split('name="mentor"')[1].split("</select>")[0]
    assert "Volontaire" in options and "Pas Volontaire" not in options


def test_add_archive_talk_records_creation(organizer_client, organizer, admin_form):
    speaker = SpeakerFactory(name="Julien Muetton")
    event = EventFactory(past=True)
    url = reverse("admin:talks_talk_add")
    data = admin_form(
        organizer_client,
        url,
        "talk_form",
        title="Ajax from scratch",
        slug="ajax-from-scratch",
        abstract="Ajax sans bibliothèque.",
        status="confirmed",
        event=event.pk,
        **{"speaker_links-0-speaker": speaker.pk, "speaker_links-0-position": "0"},
    )

    response = organizer_client.post(url, data)

    assert response.status_code == 302
    talk = Talk.objects.get(slug="ajax-from-scratch")
    assert (talk.status, talk.event, talk.speaker_list) == (S.CONFIRMED, event, [speaker])
    change = TalkStatusChange.objects.get(talk=talk)
    assert (change.from_status, change.to_status, change.changed_by) == ("", S.CONFIRMED, organizer)
    assert mail.outbox == []


def test_add_accepted_talk_is_accepted_through_the_service_with_its_email(
    organizer_client, organizer, admin_form, event, run_on_commit
):
    speaker = SpeakerFactory(name="Invitée Spéciale", email="invitee@example.net")
    url = reverse("admin:talks_talk_add")
    data = admin_form(
        organizer_client,
        url,
        "talk_form",
        title="Keynote invitée",
        slug="keynote-invitee",
        abstract="Une invitation.",
        status="accepted",
        event=event.pk,
        **{"speaker_links-0-speaker": speaker.pk, "speaker_links-0-position": "0"},
    )

    with run_on_commit():
        response = organizer_client.post(url, data)

    assert response.status_code == 302
    talk = Talk.objects.get(slug="keynote-invitee")
    assert (talk.status, talk.event, talk.speaker_list) == (S.ACCEPTED, event, [speaker])
    history = TalkStatusChange.objects.filter(talk=talk).order_by("id")
    assert [(c.from_status, c.to_status, c.changed_by, c.note) for c in history] == [
        ("", S.SUBMITTED, organizer, "créé dans l'administration"),
        (S.SUBMITTED, S.ACCEPTED, organizer, ""),
    ]
    assert [m.to for m in mail.outbox] == [["invitee@example.net"]]
    assert mail.outbox[0].subject == (
        "[Clermont'ech] Votre talk est accepté : merci de confirmer (Keynote invitée)"
    )
    assert "https://clermontech.test/talks/confirm/" in mail.outbox[0].body


# The programme editor ---------------------------------------------------------


@pytest.fixture
def programme(event):
    long = TalkFactory(title="Long", status=S.CONFIRMED, event=event, position=1, format="long")
    short = TalkFactory(title="Court", status=S.ACCEPTED, event=event, position=2)
    pending = TalkFactory(title="En revue", status=S.SUBMITTED, event=event, position=3)
    TalkFactory(title="Refusé", status=S.REJECTED, event=event, position=4)
    return [long, short, pending]


def test_programme_editor_shows_talks_and_durations(organizer_client, event, programme):
    html = organizer_client.get(programme_url(event)).content.decode()

    positions = [html.find(t) for t in ["Long", "Court", "En revue"]]
    assert positions == sorted(positions)
    assert "Refusé" not in html
    assert "<td>30 min</td>" in html and "<td>45 min</td>" in html and "<td>1 h</td>" in html
    assert "1 h / 2 h 30 de soirée" in html


def test_programme_editor_reorders_by_numbers(organizer_client, event, programme):
    long, short, pending = programme
    data = {
        "talk": [long.pk, short.pk, pending.pk],
        f"position-{long.pk}": "3",
        f"position-{short.pk}": "1",
        f"position-{pending.pk}": "2",
    }

    response = organizer_client.post(programme_url(event), data, follow=True)

    assert messages_of(response) == ["Ordre enregistré."]
    order = list(Talk.objects.filter(event=event).exclude(status=S.REJECTED).in_programme_order())
    assert [t.title for t in order] == ["Court", "En revue", "Long"]
    assert [t.position for t in order] == [1, 2, 3]


def test_programme_editor_moves_up(organizer_client, event, programme):
    long, short, pending = programme

    organizer_client.post(
        programme_url(event), {"talk": [long.pk, short.pk, pending.pk], "up": pending.pk}
    )

    order = Talk.objects.filter(event=event).exclude(status=S.REJECTED).in_programme_order()
    assert [t.title for t in order] == ["Long", "En revue", "Court"]


def test_programme_editor_refuses_stale_page(organizer_client, event, programme):
    long, short, _pending = programme

    response = organizer_client.post(
        programme_url(event), {"talk": [long.pk, short.pk], "down": long.pk}, follow=True
    )

    assert messages_of(response) == [
        "Le programme a changé entre-temps : rechargez la page et recommencez."
    ]
    long.refresh_from_db()
    assert long.position == 1


def test_programme_editor_bad_position_is_explained(organizer_client, event, programme):
    long, short, pending = programme
    data = {"talk": [long.pk, short.pk, pending.pk], f"position-{long.pk}": "premier"}

    response = organizer_client.post(programme_url(event), data, follow=True)

    assert messages_of(response) == ["Les positions sont des nombres entiers (1, 2, 3…)."]


def test_programme_editor_adds_waiting_talk(organizer_client, event, programme, run_on_commit):
    waiting = TalkFactory(title="Accepté sans date", status=S.ACCEPTED)
    waiting.preferred_events.add(event)

    assert "Accepté sans date" in organizer_client.get(programme_url(event)).content.decode()
    with run_on_commit():
        organizer_client.post(programme_url(event), {"add": waiting.pk})

    waiting.refresh_from_db()
    assert (waiting.event, waiting.position) == (event, 4)
    assert len(mail.outbox) == 0  # its speaker has no address in this test


def test_programme_index_lists_events(organizer_client, event, programme):
    html = organizer_client.get(reverse("admin:talks_talk_programme_index")).content.decode()

    assert programme_url(event) in html
    assert "3 (2)" in html
