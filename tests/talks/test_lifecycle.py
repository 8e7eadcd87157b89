"""The status lifecycle of a talk: every allowed and refused change, and its email."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from talks.models import Talk, TalkStatusChange
from talks.services import TalkError, talk_set_status
from tests.factories import EventFactory, SpeakerFactory, TalkFactory

S = Talk.Status
SPEAKERS = ["camille@example.org"]
ORGANIZERS = ["orgas@clermontech.test"]

ALLOWED = {
    (S.SUBMITTED, S.ACCEPTED): (SPEAKERS, "Votre talk est accepté : merci de confirmer"),
    (S.SUBMITTED, S.REJECTED): (SPEAKERS, "Votre proposition de talk"),
    (S.SUBMITTED, S.WITHDRAWN): (ORGANIZERS, "Talk retiré par son intervenant·e"),
    (S.ACCEPTED, S.CONFIRMED): (ORGANIZERS, "Talk confirmé"),
    (S.ACCEPTED, S.WITHDRAWN): (ORGANIZERS, "Talk retiré par son intervenant·e"),
    (S.ACCEPTED, S.CANCELLED): (SPEAKERS, "Talk annulé"),
    (S.CONFIRMED, S.WITHDRAWN): (ORGANIZERS, "Talk retiré par son intervenant·e"),
    (S.CONFIRMED, S.CANCELLED): (SPEAKERS, "Talk annulé"),
}
REFUSED = [(a, b) for a in S.values for b in S.values if (a, b) not in ALLOWED]


def test_transition_table_covers_every_pair():
    assert len(ALLOWED) + len(REFUSED) == 36
    assert len(REFUSED) == 28


@pytest.mark.parametrize(("from_status", "to_status"), list(ALLOWED))
def test_talk_set_status_allowed_change_is_recorded_and_mailed(
    from_status, to_status, organizer, make_talk, run_on_commit
):
    talk = make_talk(from_status, title="Rust pour les gens pressés")
    recipients, subject = ALLOWED[(from_status, to_status)]

    with run_on_commit():
        talk_set_status(talk=talk, status=to_status, by=organizer)

    talk.refresh_from_db()
    assert talk.status == to_status
    change = TalkStatusChange.objects.get(talk=talk)
    assert (change.from_status, change.to_status, change.changed_by) == (
        from_status,
        to_status,
        organizer,
    )
    assert timezone.now() - change.changed_at < timedelta(seconds=5)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == recipients
    assert mail.outbox[0].subject == (
        f"[Clermont'ech] {subject}"
        + (" (Rust pour les gens pressés)" if to_status == S.ACCEPTED else "")
        + ("" if to_status == S.ACCEPTED else " : Rust pour les gens pressés")
    )


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_talk_set_status_refused_change_writes_and_sends_nothing(
    from_status, to_status, organizer, make_talk, run_on_commit
):
    talk = make_talk(from_status)

    with run_on_commit(), pytest.raises(TalkError) as refusal:
        talk_set_status(talk=talk, status=to_status, by=organizer)

    talk.refresh_from_db()
    assert talk.status == from_status
    assert not TalkStatusChange.objects.filter(talk=talk).exists()
    assert mail.outbox == []
    assert str(refusal.value).startswith(f"Le talk « {talk.title} » est ")


def test_talk_set_status_refusal_names_the_possible_changes(organizer, make_talk):
    talk = make_talk(S.SUBMITTED, title="Postgres, ce héros discret")

    with pytest.raises(TalkError) as refusal:
        talk_set_status(talk=talk, status=S.CONFIRMED, by=organizer)

    assert str(refusal.value) == (
        "Le talk « Postgres, ce héros discret » est soumis : il ne peut pas passer à "
        "« confirmé ». Changements possibles : accepté, refusé, retiré."
    )


def test_talk_set_status_final_status_says_it_cannot_change(organizer, make_talk):
    talk = make_talk(S.REJECTED, title="Postgres, ce héros discret")

    with pytest.raises(TalkError) as refusal:
        talk_set_status(talk=talk, status=S.ACCEPTED, by=organizer)

    assert str(refusal.value) == (
        "Le talk « Postgres, ce héros discret » est refusé : son statut ne peut plus changer."
    )


def test_talk_set_status_same_status_is_refused_clearly(organizer, make_talk):
    talk = make_talk(S.ACCEPTED, title="Postgres, ce héros discret")

    with pytest.raises(TalkError) as refusal:
        talk_set_status(talk=talk, status=S.ACCEPTED, by=organizer)

    assert str(refusal.value) == "Le talk « Postgres, ce héros discret » est déjà accepté."


def test_talk_set_status_unknown_status_is_refused(organizer, make_talk):
    talk = make_talk(S.SUBMITTED)

    with pytest.raises(TalkError, match="Statut inconnu : given."):
        talk_set_status(talk=talk, status="given", by=organizer)


def test_talk_set_status_twice_sends_one_email(organizer, make_talk, run_on_commit):
    talk = make_talk(S.SUBMITTED)
    stale_copy = Talk.objects.get(pk=talk.pk)

    with run_on_commit():
        talk_set_status(talk=talk, status=S.ACCEPTED, by=organizer)
    with run_on_commit(), pytest.raises(TalkError):
        talk_set_status(talk=stale_copy, status=S.ACCEPTED, by=organizer)

    assert len(mail.outbox) == 1
    assert TalkStatusChange.objects.filter(talk=talk).count() == 1


# Who may change what --------------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (S.ACCEPTED, S.CONFIRMED),
        (S.SUBMITTED, S.WITHDRAWN),
        (S.ACCEPTED, S.WITHDRAWN),
        (S.CONFIRMED, S.WITHDRAWN),
    ],
)
def test_talk_set_status_speaker_confirms_or_withdraws_own_talk(
    from_status, to_status, member, make_talk, run_on_commit
):
    talk = make_talk(from_status)

    with run_on_commit():
        talk_set_status(talk=talk, status=to_status, by=member)

    talk.refresh_from_db()
    assert talk.status == to_status
    assert TalkStatusChange.objects.get(talk=talk).changed_by == member
    assert mail.outbox[0].to == ORGANIZERS


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(S.SUBMITTED, S.ACCEPTED), (S.SUBMITTED, S.REJECTED), (S.ACCEPTED, S.CANCELLED)],
)
def test_talk_set_status_speaker_cannot_decide_for_organizers(
    from_status, to_status, member, make_talk
):
    talk = make_talk(from_status)

    with pytest.raises(TalkError, match="Seuls les organisateurs peuvent faire ce changement."):
        talk_set_status(talk=talk, status=to_status, by=member)

    talk.refresh_from_db()
    assert talk.status == from_status


def test_talk_set_status_other_member_cannot_withdraw(outsider, make_talk):
    talk = make_talk(S.SUBMITTED)

    with pytest.raises(TalkError, match="Ce talk n'est pas le vôtre."):
        talk_set_status(talk=talk, status=S.WITHDRAWN, by=outsider)

    talk.refresh_from_db()
    assert talk.status == S.SUBMITTED


def test_talk_set_status_co_speaker_with_account_may_confirm(outsider, make_talk, member_speaker):
    co_speaker = SpeakerFactory(name="Dominique", user=outsider)
    talk = make_talk(S.ACCEPTED, speakers=[member_speaker, co_speaker])

    talk_set_status(talk=talk, status=S.CONFIRMED, by=outsider)

    talk.refresh_from_db()
    assert talk.status == S.CONFIRMED


def test_talk_set_status_speaker_cannot_withdraw_once_event_started(member, make_talk):
    event = EventFactory(starts_at=timezone.now() - timedelta(minutes=10))
    talk = make_talk(S.CONFIRMED, event=event)

    with pytest.raises(TalkError, match="L'événement de ce talk a commencé"):
        talk_set_status(talk=talk, status=S.WITHDRAWN, by=member)


def test_talk_set_status_token_may_only_confirm(make_talk):
    talk = make_talk(S.ACCEPTED)

    with pytest.raises(TalkError, match="Seuls les organisateurs"):
        talk_set_status(talk=talk, status=S.WITHDRAWN, by=None, via_token=True)
    talk_set_status(talk=talk, status=S.CONFIRMED, by=None, via_token=True)

    change = TalkStatusChange.objects.get(talk=talk)
    assert change.changed_by is None
    assert change.note == "lien de confirmation reçu par e-mail"


# The emails' content ----------------------------------------------------------


def test_acceptance_email_gives_date_and_one_click_confirm_link(
    organizer, make_talk, run_on_commit, client
):
    event = EventFactory(number=73, title="API Hour #73")
    talk = make_talk(S.SUBMITTED, event=event, title="Rust pour les gens pressés")

    with run_on_commit():
        talk_set_status(talk=talk, status=S.ACCEPTED, by=organizer)

    body = mail.outbox[0].body
    assert "Bonne nouvelle : votre talk est accepté !" in body
    assert "« Rust pour les gens pressés »" in body
    assert "API Hour #73, le " in body
    link = next(line for line in body.splitlines() if "/talks/confirm/" in line)
    assert link.startswith("https://clermontech.test/talks/confirm/")
    path = link.removeprefix("https://clermontech.test")

    # Following the link (a mail scanner would) changes nothing; the button does.
    page = client.get(path)
    talk.refresh_from_db()
    assert talk.status == S.ACCEPTED
    assert "Je confirme, je serai là" in page.content.decode()

    with run_on_commit():
        response = client.post(path, follow=True)
    talk.refresh_from_db()
    assert talk.status == S.CONFIRMED
    assert "Merci : « Rust pour les gens pressés » est confirmé." in response.content.decode()
    assert mail.outbox[-1].subject == "[Clermont'ech] Talk confirmé : Rust pour les gens pressés"


def test_rejection_email_thanks_the_speaker(organizer, make_talk, run_on_commit):
    talk = make_talk(S.SUBMITTED, title="Rust pour les gens pressés")

    with run_on_commit():
        talk_set_status(talk=talk, status=S.REJECTED, by=organizer)

    body = mail.outbox[0].body
    assert "Merci d'avoir proposé « Rust pour les gens pressés »" in body
    assert "https://clermontech.test/wishlist/" in body


def test_withdrawal_email_warns_organizers_about_the_programme(member, make_talk, run_on_commit):
    talk = make_talk(S.CONFIRMED)

    with run_on_commit():
        talk_set_status(talk=talk, status=S.WITHDRAWN, by=member)

    body = mail.outbox[0].body
    assert "(il était confirmé)" in body
    assert "pensez à revoir le programme" in body
    assert f"https://clermontech.test/admin/talks/talk/{talk.pk}/change/" in body


def test_status_emails_reach_every_speaker_once(organizer, member, run_on_commit):
    archive = SpeakerFactory(name="Sans Compte", email="sans.compte@example.net")
    own = SpeakerFactory(name="Camille", user=member)
    talk = TalkFactory(submitted_by=member, speakers=[own, archive])

    with run_on_commit():
        talk_set_status(talk=talk, status=S.REJECTED, by=organizer)

    # One message per address: a refused address never holds up the others.
    assert [m.to for m in mail.outbox] == [["camille@example.org"], ["sans.compte@example.net"]]
    assert {m.subject for m in mail.outbox} == {
        f"[Clermont'ech] Votre proposition de talk : {talk.title}"
    }


def test_organizer_emails_fall_back_to_active_staff(settings, member, make_talk, run_on_commit):
    from tests.factories import OrganizerFactory

    settings.ORGANIZERS_EMAILS = []
    OrganizerFactory(email="b-orga@example.org")
    OrganizerFactory(email="a-orga@example.org")
    OrganizerFactory(email="gone@example.org", is_active=False)
    talk = make_talk(S.SUBMITTED)

    with run_on_commit():
        talk_set_status(talk=talk, status=S.WITHDRAWN, by=member)

    assert [m.to for m in mail.outbox] == [["a-orga@example.org"], ["b-orga@example.org"]]


def test_confirm_link_of_withdrawn_talk_explains(make_talk, client):
    from talks.tokens import confirm_token

    talk = make_talk(S.WITHDRAWN)

    response = client.get(reverse("talks:confirm-token", args=[confirm_token(talk)]))

    assert "Ce talk est retiré : il n'y a rien à confirmer." in response.content.decode()
