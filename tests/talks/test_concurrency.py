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
