"""The evening's automatic messages recorded before the outbox (EventMail rows) become
outbox messages (events 0005), with their state, attempts and the dedupe key that keeps
send_event_mail from writing them again; then the EventMail table goes (events 0006)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.models import OutboxMessage
from events.models import RSVP
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("events", "0004_event_room_and_unlimited_capacity")]
AFTER = [("events", "0006_delete_eventmail")]
Status = OutboxMessage.Status


def _migrate(targets):
    """Migrate to `targets`; returns the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _to_head() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def back_to_head():
    yield
    _to_head()


def test_event_mails_become_outbox_messages_and_are_never_sent_twice(back_to_head):
    # 47 hours before: the reconfirmation's window is open on the real clock.
    event = EventFactory(capacity=10, starts_at=timezone.now() + timedelta(hours=47))
    rsvps = [
        RSVPFactory(event=event, member=UserFactory(email=f"s{i}@example.org")) for i in range(7)
    ]
    erased = RSVPFactory(event=event, member=UserFactory(email="gone@example.org"))
    an_hour_ago = timezone.now() - timedelta(hours=1)
    old = _migrate(BEFORE).get_model("events", "EventMail")

    def row(rsvp, kind: str, status: str, **fields) -> None:
        created = old.objects.create(rsvp_id=rsvp.pk, kind=kind, status=status, **fields)
        old.objects.filter(pk=created.pk).update(created_at=an_hour_ago)

    row(rsvps[0], "reconfirm", "sent", attempts=1, sent_at=an_hour_ago)
    row(rsvps[1], "reconfirm", "pending")
    row(rsvps[2], "reconfirm", "failed", attempts=2, error="550 Mailbox unavailable")
    row(rsvps[3], "reconfirm", "failed", attempts=5, error="550 Mailbox unavailable")
    row(rsvps[4], "reconfirm", "sending", attempts=1, claimed_at=an_hour_ago)
    row(rsvps[5], "reconfirm", "skipped", attempts=1)
    row(rsvps[5], "stream", "sent", attempts=3, sent_at=an_hour_ago)
    row(erased, "reconfirm", "pending")
    # An account erased since: its address is gone.
    type(erased.member).objects.filter(pk=erased.member_id).update(email="")

    _migrate(AFTER)

    messages = {m.dedupe_key: m for m in OutboxMessage.objects.all()}
    assert len(messages) == 8

    def message(rsvp, kind="reconfirm") -> OutboxMessage:
        return messages[f"events.{kind}:rsvp:{rsvp.pk}"]

    sent = message(rsvps[0])
    assert (sent.kind, sent.to, sent.recipient_id, sent.group) == (
        "events.reconfirm", "s0@example.org", rsvps[0].member_id, f"event:{event.pk}"
    )  # fmt: skip
    assert (sent.status, sent.attempts, sent.sent_at) == (Status.SENT, 1, an_hour_ago)
    assert (sent.created_at, sent.language) == (an_hour_ago, "fr")
    assert sent.params == {"rsvp": rsvps[0].pk, "at": an_hour_ago.isoformat()}
    assert (message(rsvps[1]).status, message(rsvps[1]).attempts) == (Status.PENDING, 0)
    failed = message(rsvps[2])
    assert (failed.status, failed.attempts, failed.last_error) == (
        Status.FAILED, 2, "550 Mailbox unavailable"
    )  # fmt: skip
    # The old sender gave up after 5 attempts: given up in the outbox too, shown as such.
    assert (message(rsvps[3]).status, message(rsvps[3]).attempts) == (Status.DEAD, 5)
    sending = message(rsvps[4])
    assert (sending.status, sending.claimed_at) == (Status.SENDING, an_hour_ago)
    assert message(rsvps[5]).status == Status.SKIPPED
    assert (message(rsvps[5], "stream").status, message(rsvps[5], "stream").attempts) == (
        Status.SENT, 3
    )  # fmt: skip
    assert message(erased).status == Status.SKIPPED  # nobody to write to

    # The next run: the pending and failed ones leave (the old sender's next run would
    # have sent them), the one claimed an hour ago too (a stale claim); the ones sent or
    # skipped are not written again; the one given up on stays given up; s6 is new.
    _to_head()  # today's command runs on today's schema (later migrations add tables it reads)
    call_command("send_event_mail", stdout=io.StringIO())

    assert sorted(m.to[0] for m in mail.outbox) == [
        "s1@example.org", "s2@example.org", "s4@example.org", "s6@example.org"
    ]  # fmt: skip
    assert all("Toujours partant" in m.subject for m in mail.outbox)


def test_the_move_can_be_undone(back_to_head):
    event = EventFactory()
    rsvp = RSVPFactory(event=event)
    old = _migrate(BEFORE).get_model("events", "EventMail")
    old.objects.create(rsvp_id=rsvp.pk, kind="reminder", status="sent", attempts=1)
    old.objects.create(rsvp_id=rsvp.pk, kind="reconfirm", status="failed", attempts=5)
    _migrate(AFTER)
    assert OutboxMessage.objects.count() == 2

    old = _migrate(BEFORE).get_model("events", "EventMail")

    assert sorted(old.objects.values_list("kind", "status", "attempts")) == [
        ("reconfirm", "failed", 5),
        ("reminder", "sent", 1),
    ]
    assert OutboxMessage.objects.count() == 0
    assert RSVP.objects.filter(pk=rsvp.pk).exists()
