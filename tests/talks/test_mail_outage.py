"""The talks' emails against a real SMTP server (tests/smtp.py): a mail-server outage
changes nothing a person sees, loses nothing and sends nothing twice; a refused address
holds up no one else; a message that no longer applies when it finally leaves is not sent.

Before: the emails were sent inside transaction.on_commit, one message to every
address at once; with the server down the proposal page answered 500 although the
talk was saved, and one refused organizer address stopped the message to all of them.
"""

import re
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import outbox_flush
from talks.models import CoSpeakerInvitation, Talk
from talks.services import (
    speaker_claim_create,
    speaker_claim_reject,
    talk_schedule,
    talk_set_status,
    talk_update,
)
from tests.conftest import text
from tests.factories import EventFactory, SpeakerFactory
from tests.talks.test_cfp_pages import PROPOSAL

pytestmark = pytest.mark.django_db(transaction=True)

S = Talk.Status
Status = OutboxMessage.Status
PREFIX = "[Clermont'ech] "
TITLE = PROPOSAL["title"]
PROPOSED = (
    f"Merci ! Votre proposition « {TITLE} » est envoyée aux organisateurs. "
    "Vous pouvez la modifier tant qu'ils ne l'ont pas examinée."
)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def retries_run(*minutes: int) -> None:
    """What cron's `manage.py send_outbox` does, at these moments from now."""
    for m in minutes:
        outbox_flush(now=timezone.now() + timedelta(minutes=m))


def subject(message) -> str:
    """The subject as a person reads it (non-ASCII subjects travel encoded)."""
    return str(make_header(decode_header(message["Subject"])))


def received(smtp_server) -> list[tuple[str, str]]:
    """(address, subject) of every message the server accepted, sorted."""
    return sorted((to, subject(message)) for to, message in smtp_server.received)


def kinds() -> dict[str, set[str]]:
    statuses: dict[str, set[str]] = {}
    for kind, status in OutboxMessage.objects.values_list("kind", "status"):
        statuses.setdefault(kind, set()).add(status)
    return statuses


# The server is down during the action -------------------------------------------------


def test_server_down_when_a_member_proposes_a_talk(smtp_server, settings, member_client):
    settings.ORGANIZERS_EMAILS = ["orga-a@clermontech.test", "orga-b@clermontech.test"]
    smtp_server.stop()

    response = member_client.post(reverse("talks:propose"), PROPOSAL, follow=True)

    assert response.redirect_chain == [(reverse("talks:mine"), 302)]
    assert messages_of(response) == [PROPOSED]
    talk = Talk.objects.get()
    assert (talk.title, talk.status) == (TITLE, S.SUBMITTED)
    assert smtp_server.received == []
    assert kinds() == {
        "talks.submitted_organizers": {Status.FAILED},
        "talks.submitted_speaker": {Status.FAILED},
    }

    smtp_server.start()
    retries_run(2, 30, 24 * 60)

    assert received(smtp_server) == [
        ("camille@example.org", f"{PREFIX}Nous avons bien reçu votre proposition : {TITLE}"),
        ("orga-a@clermontech.test", f"{PREFIX}Nouvelle proposition de talk : {TITLE}"),
        ("orga-b@clermontech.test", f"{PREFIX}Nouvelle proposition de talk : {TITLE}"),
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_server_down_when_an_organizer_accepts_a_talk_in_the_admin(
    smtp_server, organizer_client, make_talk
):
    talk = make_talk(S.SUBMITTED, title="Rust à la pause")
    smtp_server.stop()

    response = organizer_client.post(
        reverse("admin:talks_talk_changelist"),
        {"action": "accept_selected", "_selected_action": [talk.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert messages_of(response) == ["1 talk accepté, e-mail envoyé."]
    talk.refresh_from_db()
    assert talk.status == S.ACCEPTED
    assert smtp_server.received == []

    smtp_server.start()
    retries_run(2, 30, 24 * 60)

    accepted = f"{PREFIX}Votre talk est accepté : merci de confirmer (Rust à la pause)"
    assert received(smtp_server) == [("camille@example.org", accepted)]
    body = smtp_server.received[0][1].get_payload(decode=True).decode()
    confirm = re.search(r"https://clermontech\.test(/talks/confirm/[^/\s]+/)", body)[1]
    assert organizer_client.get(confirm).status_code == 200  # the link of the email works


def test_server_down_when_a_co_speaker_is_invited(smtp_server, member_client, client):
    smtp_server.stop()

    response = member_client.post(
        reverse("talks:propose"),
        {**PROPOSAL, "co_speakers": "Alex Martin <alex@example.net>"},
        follow=True,
    )

    assert messages_of(response) == [PROPOSED]
    assert "Invitation envoyée à Alex Martin <alex@example.net>, en attente de sa réponse." in (
        text(response)
    )
    invitation = CoSpeakerInvitation.objects.get()
    assert invitation.status == CoSpeakerInvitation.Status.PENDING

    smtp_server.start()
    retries_run(2, 30, 24 * 60)

    invitations = [(to, m) for to, m in smtp_server.received if to == "alex@example.net"]
    assert [subject(m) for _to, m in invitations] == [
        f"{PREFIX}Invitation à présenter un talk à plusieurs : {TITLE}"
    ]
    body = invitations[0][1].get_payload(decode=True).decode()
    link = re.search(r"https://clermontech\.test(/talks/invitation/[^/\s]+/)", body)[1]
    assert TITLE in text(client.get(link))
    assert sorted(smtp_server.recipients()) == [
        "alex@example.net",
        "camille@example.org",
        "orgas@clermontech.test",
    ]


def test_a_refused_organizer_address_does_not_stop_the_others_and_is_retried(
    smtp_server, settings, member_client
):
    settings.ORGANIZERS_EMAILS = [
        "orga-a@clermontech.test",
        "plein@clermontech.test",
        "orga-c@clermontech.test",
    ]
    smtp_server.refuse("plein@clermontech.test")  # a mailbox full for a while

    response = member_client.post(reverse("talks:propose"), PROPOSAL, follow=True)

    assert messages_of(response) == [PROPOSED]
    assert sorted(smtp_server.recipients()) == [
        "camille@example.org",
        "orga-a@clermontech.test",
        "orga-c@clermontech.test",
    ]
    refused = OutboxMessage.objects.get(to="plein@clermontech.test")
    assert refused.status == Status.FAILED
    assert "Mailbox unavailable" in refused.last_error

    smtp_server.refused.clear()
    retries_run(2, 30, 24 * 60)

    assert sorted(smtp_server.recipients()) == [
        "camille@example.org",
        "orga-a@clermontech.test",
        "orga-c@clermontech.test",
        "plein@clermontech.test",
    ]


# When the server is back, what no longer applies is not sent ----------------------------


def test_an_acceptance_for_a_talk_withdrawn_meanwhile_is_not_sent(
    smtp_server, organizer, member, make_talk
):
    talk = make_talk(S.SUBMITTED, title="Rust à la pause")
    smtp_server.stop()
    talk_set_status(talk=talk, status=S.ACCEPTED, by=organizer)
    talk_set_status(talk=talk, status=S.WITHDRAWN, by=member)

    smtp_server.start()
    retries_run(2, 30)

    assert received(smtp_server) == [
        ("orgas@clermontech.test", f"{PREFIX}Talk retiré par son intervenant·e : Rust à la pause")
    ]
    assert kinds() == {"talks.accepted": {Status.SKIPPED}, "talks.withdrawn": {Status.SENT}}


def test_an_invitation_cancelled_meanwhile_is_not_sent(smtp_server, member, member_client):
    smtp_server.stop()
    member_client.post(
        reverse("talks:propose"), {**PROPOSAL, "co_speakers": "Alex Martin <alex@example.net>"}
    )
    talk = Talk.objects.get()
    fields = {k: PROPOSAL[k] for k in ("title", "abstract", "format", "language", "level")}
    talk_update(
        talk=talk, member=member, first_time=False, wants_mentor=False, preferred_events=[],
        co_speakers=[], **fields,
    )  # fmt: skip

    smtp_server.start()
    retries_run(2, 30)

    assert "alex@example.net" not in smtp_server.recipients()
    assert kinds()["talks.invitation"] == {Status.SKIPPED}


def test_a_date_for_a_talk_moved_meanwhile_is_sent_for_the_new_date_only(
    smtp_server, organizer, make_talk
):
    first = EventFactory()
    second = EventFactory(starts_at=first.starts_at + timedelta(days=35))
    talk = make_talk(S.CONFIRMED, title="Rust à la pause")
    smtp_server.stop()
    talk_schedule(talk=talk, event=first, by=organizer)
    talk_schedule(talk=talk, event=second, by=organizer)

    smtp_server.start()
    retries_run(2, 30)

    date = timezone.localtime(second.starts_at).strftime("%d/%m/%Y")
    assert received(smtp_server) == [
        ("camille@example.org", f"{PREFIX}Votre talk est programmé le {date}")
    ]
    scheduled = OutboxMessage.objects.filter(kind="talks.scheduled")
    assert {m.params["event"]: m.status for m in scheduled} == {
        first.pk: Status.SKIPPED,
        second.pk: Status.SENT,
    }


def test_a_claim_decided_before_its_email_left_is_not_put_to_the_organizers(
    smtp_server, organizer, member
):
    archive = SpeakerFactory(name="Camille Archive")
    smtp_server.stop()
    claim = speaker_claim_create(member=member, speaker=archive)
    speaker_claim_reject(claim=claim, by=organizer)

    smtp_server.start()
    retries_run(2, 30)

    assert received(smtp_server) == [
        ("camille@example.org", f"{PREFIX}Votre demande sur le profil de Camille Archive")
    ]
    assert kinds() == {
        "talks.speaker_claimed": {Status.SKIPPED},
        "talks.claim_rejected": {Status.SENT},
    }


def test_a_proposal_withdrawn_before_its_emails_left_only_tells_the_withdrawal(
    smtp_server, member, member_client
):
    smtp_server.stop()
    member_client.post(reverse("talks:propose"), PROPOSAL)
    talk_set_status(talk=Talk.objects.get(), status=S.WITHDRAWN, by=member)

    smtp_server.start()
    retries_run(2, 30)

    assert received(smtp_server) == [
        ("orgas@clermontech.test", f"{PREFIX}Talk retiré par son intervenant·e : {TITLE}")
    ]
    assert kinds() == {
        "talks.submitted_organizers": {Status.SKIPPED},
        "talks.submitted_speaker": {Status.SKIPPED},
        "talks.withdrawn": {Status.SENT},
    }
