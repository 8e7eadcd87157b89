"""The outbox against a real SMTP server: outages, refusals, dropped connections,
killed workers, two workers at once. Messages are read from what the server received."""

import io
import threading
from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import (
    MAX_ATTEMPTS,
    STALE_CLAIM,
    outbox_deliver,
    outbox_flush,
    outbox_queue,
    renderer,
)

pytestmark = pytest.mark.django_db(transaction=True)

Status = OutboxMessage.Status


@renderer("tests.hello", "Message de test")
def _render_hello(message: OutboxMessage) -> EmailMessage | None:
    if message.params.get("boom"):
        raise RuntimeError("a bug in a renderer")
    if message.params.get("obsolete"):
        return None
    return EmailMessage(subject=f"Bonjour {message.params['n']}", body="Texte")


def _queue(n: int, **params) -> None:
    with transaction.atomic():
        outbox_queue(kind="tests.hello", to=f"p{n}@example.org", params={"n": n, **params})


def _later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_message_leaves_once_its_transaction_commits(smtp_server):
    _queue(1)

    assert smtp_server.subjects_to("p1@example.org") == ["Bonjour 1"]
    assert OutboxMessage.objects.get().status == Status.SENT
    assert outbox_flush(now=_later(60)) == 0  # nothing left to do


def test_a_rolled_back_change_sends_nothing(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_queue(kind="tests.hello", to="p1@example.org", params={"n": 1})
        raise RuntimeError("the change fails after queueing its email")

    assert OutboxMessage.objects.count() == 0
    assert smtp_server.received == []


def test_a_dedupe_key_is_written_once(smtp_server):
    for _ in range(3):
        with transaction.atomic():
            outbox_queue(kind="tests.hello", to="p1@example.org", params={"n": 1},
                         dedupe_key="hello:1")  # fmt: skip

    assert OutboxMessage.objects.count() == 1
    assert smtp_server.recipients() == ["p1@example.org"]


def test_mail_server_down_then_back_sends_each_message_exactly_once(smtp_server):
    smtp_server.stop()
    for n in range(3):
        _queue(n)  # the change commits; the page would answer normally

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.FAILED}
    assert outbox_flush() == 0  # the next attempt is not due yet: no hammering

    smtp_server.start()
    outbox_flush(now=_later(2))
    outbox_flush(now=_later(30))

    assert sorted(smtp_server.recipients()) == [
        "p0@example.org",
        "p1@example.org",
        "p2@example.org",
    ]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_refused_recipient_does_not_stop_the_others_and_is_given_up_on(smtp_server):
    smtp_server.refuse("p1@example.org")
    ids = []
    with transaction.atomic():
        for n in range(3):
            ids.append(outbox_queue(kind="tests.hello", to=f"p{n}@example.org", params={"n": n}).pk)

    assert sorted(smtp_server.recipients()) == ["p0@example.org", "p2@example.org"]
    refused = OutboxMessage.objects.get(to="p1@example.org")
    assert refused.status == Status.FAILED and "Mailbox unavailable" in refused.last_error
    for hours in range(1, 200, 12):  # keep retrying, long after the last backoff
        outbox_flush(now=timezone.now() + timedelta(hours=hours))
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == (Status.DEAD, MAX_ATTEMPTS)
    assert sorted(smtp_server.recipients()) == ["p0@example.org", "p2@example.org"]


def test_a_connection_dropped_mid_batch_loses_and_repeats_nothing(smtp_server):
    smtp_server.drop_after = 2
    with transaction.atomic():
        for n in range(5):
            outbox_queue(kind="tests.hello", to=f"p{n}@example.org", params={"n": n})

    assert len(smtp_server.received) == 2
    smtp_server.drop_after = None
    outbox_flush(now=_later(2))

    assert sorted(smtp_server.recipients()) == [f"p{n}@example.org" for n in range(5)]


def test_a_message_that_no_longer_applies_is_skipped(smtp_server):
    _queue(1, obsolete=True)

    assert OutboxMessage.objects.get().status == Status.SKIPPED
    assert smtp_server.received == []


def test_a_renderer_bug_fails_its_message_only(smtp_server):
    with transaction.atomic():
        outbox_queue(kind="tests.hello", to="p1@example.org", params={"n": 1, "boom": True})
        outbox_queue(kind="tests.hello", to="p2@example.org", params={"n": 2})

    assert smtp_server.recipients() == ["p2@example.org"]
    assert OutboxMessage.objects.get(to="p1@example.org").status == Status.FAILED


def test_a_worker_killed_mid_send_is_taken_over_after_the_stale_delay(smtp_server):
    smtp_server.stop()  # so that the commit's own delivery does not send it
    _queue(1)
    smtp_server.start()
    # A worker claimed the row, then was killed before marking it.
    OutboxMessage.objects.update(status=Status.SENDING, claimed_at=timezone.now())

    assert outbox_deliver(now=timezone.now() + STALE_CLAIM / 2) == {}  # still its claim
    assert smtp_server.received == []
    outbox_deliver(now=timezone.now() + STALE_CLAIM + timedelta(seconds=1))

    assert smtp_server.recipients() == ["p1@example.org"]
    assert OutboxMessage.objects.get().status == Status.SENT


def test_two_workers_at_once_send_each_message_once(smtp_server):
    smtp_server.stop()
    with transaction.atomic():
        ids = [
            outbox_queue(kind="tests.hello", to=f"p{n}@example.org", params={"n": n}).pk
            for n in range(20)
        ]
    smtp_server.start()
    at = _later(2)
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        try:
            outbox_deliver(ids=ids, now=at)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(smtp_server.recipients()) == sorted(f"p{n}@example.org" for n in range(20))


def test_an_organizer_requeues_a_dead_message_from_the_admin(smtp_server, client):
    from tests.factories import OrganizerFactory

    smtp_server.refuse("p1@example.org")
    _queue(1)
    OutboxMessage.objects.update(status=Status.DEAD, attempts=MAX_ATTEMPTS)
    smtp_server.refused.clear()
    client.force_login(OrganizerFactory())

    url = reverse("admin:core_outboxmessage_changelist")
    listing = client.get(url)
    response = client.post(
        url, {"action": "requeue", "_selected_action": [OutboxMessage.objects.get().pk]}
    )

    assert listing.status_code == 200
    assert "p1@example.org" in listing.content.decode()
    assert response.status_code == 302
    assert smtp_server.recipients() == ["p1@example.org"]
    assert OutboxMessage.objects.get().status == Status.SENT


@pytest.mark.django_db
def test_send_outbox_says_how_many_in_words_without_parentheses():
    out = io.StringIO()

    call_command("send_outbox", stdout=out)

    assert out.getvalue().strip() == "0 e-mail à envoyer mis en file."
