"""Two organizers deciding on the same proposal at the same instant: one decision, one email."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from talks.models import Talk, TalkStatusChange
from talks.services import TalkError, talk_set_status
from tests.factories import OrganizerFactory, SpeakerFactory, TalkFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def run_in_threads(target, n: int) -> list:
    results: list = []

    def worker():
        try:
            results.append(target())
        except TalkError as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def proposal():
    speaker = SpeakerFactory(name="Ada", email="ada@example.net")
    return TalkFactory(status=Talk.Status.SUBMITTED, speakers=[speaker])


def test_simultaneous_acceptances_make_one_change_and_one_email(proposal):
    organizers = [OrganizerFactory(), OrganizerFactory()]
    barrier = threading.Barrier(2)
    turn = iter(organizers)
    lock = threading.Lock()

    def accept():
        with lock:
            organizer = next(turn)
        barrier.wait()
        return talk_set_status(
            talk=Talk.objects.get(pk=proposal.pk), status=Talk.Status.ACCEPTED, by=organizer
        )

    results = run_in_threads(accept, 2)

    assert sum(isinstance(r, TalkError) for r in results) == 1
    assert TalkStatusChange.objects.filter(talk=proposal).count() == 1
    assert len(mail.outbox) == 1


def test_negative_control_without_the_lock_both_decisions_pass(proposal):
    """The same race with a naive read-then-write: both "win". This is what the lock prevents."""
    barrier = threading.Barrier(2)

    def naive_accept():
        with transaction.atomic():
            talk = Talk.objects.get(pk=proposal.pk)  # no select_for_update
            barrier.wait()  # both have read "submitted"
            if not talk.can_change_to(Talk.Status.ACCEPTED):
                raise TalkError("refused")
            Talk.objects.filter(pk=talk.pk).update(status=Talk.Status.ACCEPTED)
            TalkStatusChange.objects.create(
                talk=talk, from_status=talk.status, to_status=Talk.Status.ACCEPTED
            )
        return talk

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole transactions: the naive race cannot happen there.")
    results = run_in_threads(naive_accept, 2)

    assert not any(isinstance(r, TalkError) for r in results)
    assert TalkStatusChange.objects.filter(talk=proposal).count() == 2


# Co-speaker invitations and claims ------------------------------------------------


def test_two_clicks_on_accept_add_the_invitee_once_and_send_one_email():
    from talks.models import CoSpeakerInvitation
    from talks.services import invitation_accept
    from tests.factories import UserFactory

    proposer = UserFactory(email="camille@example.org")
    invitee = UserFactory(email="dominique@example.org")
    talk = TalkFactory(status=Talk.Status.SUBMITTED, submitted_by=proposer)
    invitation = CoSpeakerInvitation.objects.create(
        talk=talk, email="dominique@example.org", invited_by=proposer
    )
    barrier = threading.Barrier(2)

    def accept():
        barrier.wait()
        return invitation_accept(
            invitation=CoSpeakerInvitation.objects.get(pk=invitation.pk), member=invitee
        )

    results = run_in_threads(accept, 2)

    assert not any(isinstance(r, TalkError) for r in results)
    assert talk.speaker_links.filter(speaker__user=invitee).count() == 1
    assert len(mail.outbox) == 1


def test_accept_and_decline_at_once_only_one_counts():
    from talks.models import CoSpeakerInvitation
    from talks.services import invitation_accept, invitation_decline
    from tests.factories import UserFactory

    proposer = UserFactory(email="camille@example.org")
    invitee = UserFactory(email="dominique@example.org")
    talk = TalkFactory(status=Talk.Status.SUBMITTED, submitted_by=proposer)
    invitation = CoSpeakerInvitation.objects.create(
        talk=talk, email="dominique@example.org", invited_by=proposer
    )
    barrier = threading.Barrier(2)

    def answer(accept: bool):
        barrier.wait()
        fresh = CoSpeakerInvitation.objects.get(pk=invitation.pk)
        if accept:
            return invitation_accept(invitation=fresh, member=invitee)
        return invitation_decline(invitation=fresh)

    turns = iter([True, False])
    lock = threading.Lock()

    def worker():
        with lock:
            accept = next(turns)
        return answer(accept)

    results = run_in_threads(worker, 2)

    assert sum(isinstance(r, TalkError) for r in results) == 1
    invitation.refresh_from_db()
    joined = talk.speaker_links.filter(speaker__user=invitee).count()
    assert (invitation.status, joined) in {("accepted", 1), ("declined", 0)}
    assert len(mail.outbox) == 1


def test_two_organizers_approving_one_claim_link_it_once():
    from talks.models import SpeakerClaim
    from talks.services import speaker_claim_approve, speaker_claim_create
    from tests.factories import UserFactory

    member = UserFactory()
    archive = SpeakerFactory(name="Ada")
    claim = speaker_claim_create(member=member, speaker=archive)
    mail.outbox = []
    organizers = iter([OrganizerFactory(), OrganizerFactory()])
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def approve():
        with lock:
            organizer = next(organizers)
        barrier.wait()
        return speaker_claim_approve(claim=SpeakerClaim.objects.get(pk=claim.pk), by=organizer)

    results = run_in_threads(approve, 2)

    assert sum(isinstance(r, TalkError) for r in results) == 1
    archive.refresh_from_db()
    assert archive.user == member
    assert len(mail.outbox) == 1
