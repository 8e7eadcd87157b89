"""One way out for every email the site sends.

Why: a page must never depend on the mail server. A change that causes an email (an RSVP,
a cancellation, a talk decision, an announcement...) writes an OutboxMessage row in the
same transaction as the change, with `outbox_queue`; nothing is sent inside the request.
Once the transaction commits, a background task (django-tasks: the database backend's
worker in production, run at once in development and tests) delivers it:

1. claim: a conditional UPDATE moves the row from pending/failed (attempt due) to
   "sending"; a row another worker holds is left alone, so two workers, or a retry beside
   a slow batch, never send the same message twice;
2. render: the message's text is written now, from the current state, by the renderer
   registered for its kind (`@renderer("events.rsvp_confirmed")`); a renderer returns
   None when the message no longer makes sense (the seat was cancelled meanwhile) and
   the row is marked "skipped";
3. send, then mark "sent". A refusal or an outage marks the row "failed" and schedules
   the next attempt with a growing delay (BACKOFF); after MAX_ATTEMPTS it is "dead" and
   shown as such in the admin, where it can be queued again.

Retries: `outbox_flush` (run by `manage.py send_outbox` and `manage.py send_event_mail`,
every 5 minutes from cron) queues every message whose attempt is due.

Crash policy (one for the whole site): a worker killed outright between claiming a row
and marking it leaves it "sending". After STALE_CLAIM the row is due again and is sent
again. If the kill happened after the mail server accepted the message, the person gets
it twice: we prefer a rare duplicate to a lost ticket or reminder. Without a crash, every
message is sent exactly once, however many times runs and retries overlap.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from .models import OutboxMessage

logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
# Delay before the next attempt after the n-th failure; the last one repeats.
BACKOFF = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
]
MAX_ATTEMPTS = 8
BATCH_SIZE = 50

Renderer = Callable[[OutboxMessage], EmailMessage | None]


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    render: Renderer


_kinds: dict[str, Kind] = {}


def renderer(name: str, label: str) -> Callable[[Renderer], Renderer]:
    """Register the function that writes messages of this kind at delivery time:
    it receives the OutboxMessage (its `params`, `to`, `recipient`) and returns the
    EmailMessage to send, or None when it no longer applies."""

    def register(function: Renderer) -> Renderer:
        _kinds[name] = Kind(name=name, label=str(label), render=function)
        return function

    return register


def kind_label(name: str) -> str:
    kind = _kinds.get(name)
    return kind.label if kind else name


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((k.name, k.label) for k in _kinds.values()), key=lambda c: c[1])


# --- Queueing (inside the transaction of the change) ---------------------------------


@dataclass(frozen=True)
class Mail:
    """One message to queue (see outbox_queue)."""

    kind: str
    to: str
    params: dict | None = None
    recipient: object | None = None  # the member it is for, when it is for one
    group: str = ""
    dedupe_key: str | None = None


def outbox_queue(
    *,
    kind: str,
    to: str,
    params: dict | None = None,
    recipient=None,
    group: str = "",
    dedupe_key: str | None = None,
    language: str | None = None,
) -> OutboxMessage | None:
    """Write one message to send once the current transaction commits. Returns None when
    a message with the same dedupe_key already exists (it is never written twice)."""
    created = outbox_queue_many(
        [Mail(kind, to, params, recipient, group, dedupe_key)], language=language
    )
    return created[0] if created else None


def outbox_queue_many(mails: Iterable[Mail], *, language: str | None = None) -> list[OutboxMessage]:
    """Write several messages at once (an event cancelled, an announcement): one
    delivery task per BATCH_SIZE messages after the commit."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    created: list[OutboxMessage] = []
    for mail in mails:
        if mail.kind not in _kinds:
            raise ValueError(f"Unknown outbox message kind: {mail.kind!r}")
        if not mail.to:
            continue  # nobody to write to (an erased account): nothing to queue
        fields = {
            "kind": mail.kind,
            "to": mail.to,
            "params": mail.params or {},
            "recipient": mail.recipient,
            "group": mail.group,
            "language": language,
        }
        if mail.dedupe_key is None:
            created.append(OutboxMessage.objects.create(**fields))
            continue
        try:
            # A savepoint: a duplicate key must not break the caller's transaction.
            with transaction.atomic():
                created.append(OutboxMessage.objects.create(dedupe_key=mail.dedupe_key, **fields))
        except IntegrityError:
            continue  # already queued (by this run, an earlier one or a twin request)
    ids = [message.pk for message in created]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return created


def _enqueue(ids: list[int], at: datetime | None = None) -> None:
    """Hand the messages to background tasks. If this fails (the task queue's database
    is down...), the rows stay pending and the next outbox_flush sends them. `at`: the
    moment a rehearsal (send_event_mail --now) runs for, passed on to the task."""
    from .tasks import outbox_deliver_task

    for start in range(0, len(ids), BATCH_SIZE):
        try:
            outbox_deliver_task.enqueue(
                ids[start : start + BATCH_SIZE], at.isoformat() if at else None
            )
        except Exception:
            logger.exception("Could not queue outbox messages %s; outbox_flush will.", ids)
            return


def outbox_flush(*, now: datetime | None = None) -> int:
    """Queue delivery tasks for every message due now (new ones whose task was lost,
    failed ones whose next attempt has come, stale claims). Returns how many."""
    ids = list(OutboxMessage.objects.due(now).order_by("id").values_list("id", flat=True))
    _enqueue(ids, at=now)
    return len(ids)


def outbox_requeue(*, messages) -> int:
    """Give failed, dead or skipped messages a fresh start (the admin's button)."""
    ids = list(
        messages.exclude(
            status__in=[OutboxMessage.Status.SENT, OutboxMessage.Status.SENDING]
        ).values_list("pk", flat=True)
    )
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=OutboxMessage.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)


# --- Delivery (in a background task) ----------------------------------------------


def _retry_delay(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _fail(message: OutboxMessage, error: BaseException, now: datetime) -> str:
    """Record a failed attempt: retried later, or given up after MAX_ATTEMPTS."""
    dead = message.attempts >= MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.DEAD if dead else OutboxMessage.Status.FAILED,
        next_attempt_at=now + _retry_delay(message.attempts),
        last_error=(str(error) or error.__class__.__name__)[:500],
    )
    return "dead" if dead else "failed"


def outbox_deliver(*, ids: list[int] | None = None, now: datetime | None = None) -> dict:
    """Send the messages that are due (all of them, or those of `ids`). Each write is
    its own short autocommitted statement: no transaction stays open while talking to
    the mail server (on SQLite that would hold up every RSVP). `now` may be later than
    the clock (a rehearsal), never earlier."""
    now = max(now or timezone.now(), timezone.now())
    due = OutboxMessage.objects.due(now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    counts: Counter[str] = Counter()
    connection = get_connection()
    try:
        for message in due.select_related("recipient").order_by("id")[: 10 * BATCH_SIZE]:
            claimed = (
                OutboxMessage.objects.due(now)
                .filter(pk=message.pk)
                .update(
                    status=OutboxMessage.Status.SENDING,
                    claimed_at=timezone.now(),
                    attempts=F("attempts") + 1,
                )
            )
            if not claimed:
                continue  # another worker has it, or it was just sent
            message.attempts += 1
            counts[_deliver_one(message, connection, now)] += 1
    finally:
        connection.close()
    return dict(counts)


def _deliver_one(message: OutboxMessage, connection, now: datetime) -> str:
    kind = _kinds.get(message.kind)
    try:
        with translation.override(message.language):
            email = kind.render(message) if kind else None
        if kind is None:
            raise LookupError(f"no renderer for {message.kind!r}")
    except Exception as error:  # a bug in one renderer must not stop the batch
        logger.exception("Outbox message %s (%s) could not be written", message.pk, message.kind)
        return _fail(message, error, now)
    if email is None:
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.SKIPPED)
        return "skipped"
    email.to = [message.to]
    email.connection = connection
    try:
        email.send()
    except Exception as error:  # refused address, server down, connection dropped
        logger.warning("Outbox message %s to %s failed: %r", message.pk, message.to, error)
        connection.close()  # the SMTP session may be broken: the next send opens a fresh one
        return _fail(message, error, now)
    except BaseException:
        # Interrupted (Ctrl-C, shutdown) while handing this message over: not sent, so
        # give it back at once rather than waiting for the stale-claim delay.
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxMessage.Status.PENDING, attempts=F("attempts") - 1
        )
        raise
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxMessage.Status.SENT,
        sent_at=timezone.now(),
        subject=str(email.subject)[:300],
        last_error="",
    )
    return "sent"
