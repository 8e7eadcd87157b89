"""Automatic messages: "still coming?" 48 h before, the day's reminder, the live stream
for the waiting list; idempotent sending through the outbox (core.outbox)."""

from __future__ import annotations

import io
import threading
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core.models import OutboxMessage
from core.outbox import STALE_CLAIM, outbox_deliver, outbox_flush
from events.models import RSVP
from events.reminders import KINDS, event_mail_schedule
from events.services import rsvp_cancel
from tests.events.backends import CrashingEmailBackend, WorkerKilled
from tests.factories import EventFactory, RSVPFactory, UserFactory
from tests.members.backends import RefusingEmailBackend

pytestmark = pytest.mark.django_db

Status = OutboxMessage.Status


def event_mails():
    """The outbox messages of the three automatic kinds (seat emails left aside)."""
    return OutboxMessage.objects.filter(kind__in=KINDS)


def retries_run(minutes: int = 2) -> None:
    """Cron, a few minutes later: the outbox's next attempts are due."""
    outbox_flush(now=timezone.now() + timedelta(minutes=minutes))


def paris(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def evening():
    """A published API Hour at 19:00 Paris time in two weeks, with a live stream."""
    day = timezone.localdate() + timedelta(days=14)
    return EventFactory(
        starts_at=paris(day, 19),
        ends_at=paris(day, 21, 30),
        capacity=3,
        livestream_url="https://www.youtube.com/watch?v=live",
    )


@pytest.fixture
def seats(evening):
    """Three confirmed attendees and two people on the waiting list."""
    confirmed = [
        RSVPFactory(event=evening, member=UserFactory(email=f"seat{i}@example.org"))
        for i in range(3)
    ]
    waiting = [
        RSVPFactory(
            event=evening,
            member=UserFactory(email=f"wait{i}@example.org"),
            status=RSVP.Status.WAITLISTED,
        )
        for i in range(2)
    ]
    return confirmed, waiting


def run(now: datetime) -> None:
    call_command("send_event_mail", now=now.isoformat(), stdout=io.StringIO())


def received(subject_part: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if subject_part in m.subject)


def test_nothing_goes_out_more_than_48_hours_before(evening, seats):
    run(evening.starts_at - timedelta(hours=49))

    assert mail.outbox == []
    assert not event_mails().exists()


def test_reconfirmation_goes_to_confirmed_attendees_only_once(evening, seats):
    run(evening.starts_at - timedelta(hours=47))
    run(evening.starts_at - timedelta(hours=46))

    assert received("Toujours partant") == [
        "seat0@example.org",
        "seat1@example.org",
        "seat2@example.org",
    ]
    assert len(mail.outbox) == 3
    assert event_mails().filter(status=Status.SENT).count() == 3


def test_on_the_day_a_reminder_to_seats_and_the_stream_to_the_waiting_list(evening, seats):
    run(evening.starts_at - timedelta(hours=47))
    mail.outbox = []

    run(paris(timezone.localtime(evening.starts_at).date(), 10))
    run(paris(timezone.localtime(evening.starts_at).date(), 12))

    assert received("C'est aujourd'hui") == [f"seat{i}@example.org" for i in range(3)]
    assert received("en direct") == ["wait0@example.org", "wait1@example.org"]
    assert len(mail.outbox) == 5  # no second reconfirmation on the day


def test_before_nine_on_the_day_there_is_no_reminder_yet(evening, seats):
    run(paris(timezone.localtime(evening.starts_at).date(), 8, 30))

    assert received("C'est aujourd'hui") == []


def test_an_event_published_on_the_day_gets_the_reminder_without_a_reconfirmation(evening, seats):
    run(paris(timezone.localtime(evening.starts_at).date(), 9))

    assert received("Toujours partant") == []
    assert len(received("C'est aujourd'hui")) == 3


def test_no_stream_message_without_a_stream(evening, seats):
    evening.livestream_url = ""
    evening.save()

    run(paris(timezone.localtime(evening.starts_at).date(), 10))

    assert received("en direct") == []


def test_drafts_and_cancelled_events_send_nothing(seats, evening):
    evening.status = evening.Status.CANCELLED
    evening.save()

    run(evening.starts_at - timedelta(hours=47))

    assert mail.outbox == []


def test_reminder_email_holds_address_time_programme_and_ticket(evening, seats):
    from tests.factories import TalkFactory

    TalkFactory(event=evening, title="Le comptime de Zig", status="confirmed", position=1)
    TalkFactory(event=evening, title="Une proposition en cours", status="submitted", position=2)

    run(paris(timezone.localtime(evening.starts_at).date(), 10))

    reminder = next(m for m in mail.outbox if "C'est aujourd'hui" in m.subject)
    assert "Rendez-vous à 19:00" in reminder.body
    assert "9 rue Kessler" in reminder.body
    assert "Le comptime de Zig" in reminder.body
    assert "Une proposition en cours" not in reminder.body
    assert f"/events/{evening.slug}/ticket/" in reminder.body
    stream = next(m for m in mail.outbox if "en direct" in m.subject)
    assert "https://www.youtube.com/watch?v=live" in stream.body


def test_someone_who_cancels_before_the_batch_runs_gets_nothing(evening, seats):
    confirmed, waiting = seats
    moment = evening.starts_at - timedelta(hours=47)
    event_mail_schedule(now=moment)
    rsvp_cancel(rsvp=confirmed[0])  # waiting[0] is promoted and emailed about it
    mail.outbox = []

    outbox_deliver()  # the batch runs

    assert "seat0@example.org" not in received("Toujours partant")
    skipped = event_mails().get(params__rsvp=confirmed[0].pk)
    assert skipped.status == Status.SKIPPED
    # The newly promoted person is asked on the next run.
    run(moment + timedelta(minutes=5))
    assert "wait0@example.org" in received("Toujours partant")


def test_a_refused_address_does_not_stop_the_others_and_is_retried(settings, evening, seats):
    settings.EMAIL_BACKEND = "tests.members.backends.RefusingEmailBackend"
    RefusingEmailBackend.refused = {"seat1@example.org"}
    moment = evening.starts_at - timedelta(hours=47)
    try:
        run(moment)
        assert received("Toujours partant") == ["seat0@example.org", "seat2@example.org"]
        failed = event_mails().get(to="seat1@example.org")
        assert failed.status == Status.FAILED
        assert "Mailbox unavailable" in failed.last_error

        RefusingEmailBackend.refused = set()  # the mailbox is back
        run(moment + timedelta(minutes=5))
        retries_run()
    finally:
        RefusingEmailBackend.refused = set()

    assert received("Toujours partant") == [f"seat{i}@example.org" for i in range(3)]


def test_a_crash_in_the_middle_of_a_batch_then_a_rerun_sends_each_message_once(
    settings, evening, seats
):
    settings.EMAIL_BACKEND = "tests.events.backends.CrashingEmailBackend"
    CrashingEmailBackend.crash_on_message = 2  # the worker dies handing over the 2nd email
    day = timezone.localtime(evening.starts_at).date()
    try:
        run(paris(day, 10))
        assert len(mail.outbox) == 1
        assert not OutboxMessage.objects.filter(status=Status.SENDING).exists()

        run(paris(day, 10, 5))  # cron, five minutes later
        run(paris(day, 10, 10))
    finally:
        CrashingEmailBackend.crash_on_message = None

    assert received("C'est aujourd'hui") == [f"seat{i}@example.org" for i in range(3)]
    assert received("en direct") == ["wait0@example.org", "wait1@example.org"]
    assert len(mail.outbox) == 5
    assert set(event_mails().values_list("status", flat=True)) == {Status.SENT}


def test_the_crash_backend_really_interrupts_the_batch(settings, evening, seats):
    """Control for the test above: the backend stops the batch in its tracks."""
    settings.EMAIL_BACKEND = "tests.events.backends.CrashingEmailBackend"
    CrashingEmailBackend.crash_on_message = 2
    moment = evening.starts_at - timedelta(hours=47)
    event_mail_schedule(now=moment)
    try:
        with pytest.raises(WorkerKilled):
            outbox_deliver()
    finally:
        CrashingEmailBackend.crash_on_message = None

    statuses = list(event_mails().order_by("id").values_list("status", flat=True))
    assert statuses == ["sent", "pending", "pending"]


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_the_stale_delay(evening, seats):
    moment = evening.starts_at - timedelta(hours=47)
    event_mail_schedule(now=moment)
    stuck = event_mails().order_by("id").first()
    event_mails().filter(pk=stuck.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=1)
    )

    outbox_flush()
    assert stuck.to not in received("Toujours partant")  # maybe still busy

    event_mails().filter(pk=stuck.pk).update(
        claimed_at=timezone.now() - STALE_CLAIM - timedelta(minutes=1)
    )
    outbox_flush()
    assert received("Toujours partant").count(stuck.to) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_workers_on_the_same_batch_send_each_message_once(settings, evening, seats):
    moment = evening.starts_at - timedelta(hours=47)
    # The run's commit hands the messages to a task queue that keeps them (as the
    # database backend does until a worker comes): the four workers below send them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    event_mail_schedule(now=moment)
    ids = list(event_mails().values_list("id", flat=True))
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            outbox_deliver(ids=ids)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert received("Toujours partant") == [f"seat{i}@example.org" for i in range(3)]


def test_dry_run_writes_and_sends_nothing(evening, seats, capsys):
    call_command(
        "send_event_mail", "--dry-run", now=(evening.starts_at - timedelta(hours=47)).isoformat()
    )

    out = capsys.readouterr().out
    assert "reconfirmation (48 h avant) : 3 destinataires, 3 nouveaux messages" in out
    assert "Simulation" in out
    assert mail.outbox == []
    assert not event_mails().exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ("demain", "--now attend une date ISO"),
        ("2020-01-01T10:00", "--now ne peut pas être dans le passé"),
        ("9999-12-31T23:00", "--now doit être au plus tard en 2100."),  # was an OverflowError
    ],
)
@pytest.mark.django_db
def test_bad_now_is_a_clear_error(value, message):
    with pytest.raises(CommandError, match=message):
        call_command("send_event_mail", now=value)


@pytest.mark.django_db(transaction=True)  # the worker closes its database connection
def test_the_database_backend_stores_tasks_for_the_worker(settings, evening, seats):
    """Production path: the command only queues; `db_worker` sends, once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    moment = evening.starts_at - timedelta(hours=47)

    run(moment)
    assert mail.outbox == []  # queued, not sent
    run(moment + timedelta(minutes=5))  # queued again: harmless

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert received("Toujours partant") == [f"seat{i}@example.org" for i in range(3)]
    assert len(mail.outbox) == 3


def test_organizers_see_the_messages_of_an_event_and_queue_failed_ones_again(
    settings, organizer_client, evening, seats
):
    from django.urls import reverse

    from tests.conftest import text

    settings.EMAIL_BACKEND = "tests.members.backends.RefusingEmailBackend"
    RefusingEmailBackend.refused = {"seat2@example.org"}
    try:
        run(evening.starts_at - timedelta(hours=47))
    finally:
        RefusingEmailBackend.refused = set()
    url = reverse("admin:core_outboxmessage_changelist")

    events_page = text(organizer_client.get(reverse("admin:events_event_changelist")))
    link = f"{url}?group=event%3A{evening.pk}"
    assert f'<a href="{link}">messages</a>' in events_page  # the "messages" link
    page = text(organizer_client.get(link))
    subject = f"[Clermont'ech] Toujours partant·e pour {evening.title} ?"
    # The two sent show their subject; the failed one, not written yet, its kind.
    assert page.count(f'<td class="field-message">{subject}</td>') == 2
    assert page.count('<td class="field-message">reconfirmation (48 h avant)</td>') == 1
    assert "Mailbox unavailable" in page
    other = EventFactory(starts_at=evening.starts_at, ends_at=evening.ends_at)
    RSVPFactory(event=other, member=UserFactory(email="elsewhere@example.org"))
    run(evening.starts_at - timedelta(hours=47))
    assert "elsewhere@example.org" in received("Toujours partant")
    assert "elsewhere@example.org" not in text(organizer_client.get(link))  # this event's only

    failed = OutboxMessage.objects.get(status=Status.FAILED)
    response = organizer_client.post(
        url, {"action": "requeue", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1 message remis dans la file d'envoi." in text(response)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.PENDING, 0)

    run(evening.starts_at - timedelta(hours=46))
    assert received("Toujours partant").count("seat2@example.org") == 1


def test_a_batch_costs_a_constant_number_of_queries_per_email(evening):
    """Per email: claim it, read the RSVP (has it changed?), read the programme, mark it
    sent; the same whatever the size of the programme."""
    from django.test.utils import CaptureQueriesContext

    from events.programme import programme
    from tests.factories import TalkFactory

    moment = paris(timezone.localtime(evening.starts_at).date(), 10)

    runs = iter(range(100))

    def queries_for(n: int, talks: int) -> int:
        run = next(runs)
        OutboxMessage.objects.all().delete()
        RSVP.objects.filter(event=evening).delete()
        evening.talks.all().delete()
        for i in range(talks):
            TalkFactory(event=evening, status="confirmed", position=i + 1)
        for i in range(n):
            RSVPFactory(event=evening, member=UserFactory(email=f"q{run}-{i}@example.org"))
        event_mail_schedule(now=moment)
        with CaptureQueriesContext(connection) as context:
            outbox_deliver()
        assert event_mails().filter(status=Status.SENT).count() == n
        return len(context.captured_queries)

    TalkFactory(event=evening, status="confirmed", position=1)
    with CaptureQueriesContext(connection) as reading:
        assert len(programme(evening)) == 1
    per_email = 3 + len(reading.captured_queries)  # claim, RSVP, programme, sent

    assert queries_for(8, talks=1) - queries_for(3, talks=1) == 5 * per_email
    assert queries_for(3, talks=6) == queries_for(3, talks=1)
