"""Automatic messages: "still coming?" 48 h before, the day's reminder, the live stream
for the waiting list; idempotent sending through django-tasks."""

from __future__ import annotations

import io
import threading
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from events.models import RSVP, EventMail
from events.reminders import (
    STALE_CLAIM,
    event_mail_deliver_batch,
    event_mail_enqueue,
    event_mail_schedule,
)
from events.services import rsvp_cancel
from tests.events.backends import CrashingEmailBackend, WorkerKilled
from tests.factories import EventFactory, RSVPFactory, UserFactory
from tests.members.backends import RefusingEmailBackend

pytestmark = pytest.mark.django_db


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
    assert not EventMail.objects.exists()


def test_reconfirmation_goes_to_confirmed_attendees_only_once(evening, seats):
    run(evening.starts_at - timedelta(hours=47))
    run(evening.starts_at - timedelta(hours=46))

    assert received("Toujours partant") == [
        "seat0@example.org",
        "seat1@example.org",
        "seat2@example.org",
    ]
    assert len(mail.outbox) == 3
    assert EventMail.objects.filter(status=EventMail.Status.SENT).count() == 3


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

    ids = list(EventMail.objects.values_list("id", flat=True))
    event_mail_deliver_batch(mail_ids=ids, now=moment)

    assert "seat0@example.org" not in received("Toujours partant")
    assert EventMail.objects.get(rsvp=confirmed[0]).status == EventMail.Status.SKIPPED
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
        failed = EventMail.objects.get(rsvp__member__email="seat1@example.org")
        assert failed.status == EventMail.Status.FAILED
        assert "Mailbox unavailable" in failed.error

        RefusingEmailBackend.refused = set()  # the mailbox is back
        run(moment + timedelta(minutes=5))
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
        assert not EventMail.objects.filter(status=EventMail.Status.SENDING).exists()

        run(paris(day, 10, 5))  # cron, five minutes later
        run(paris(day, 10, 10))
    finally:
        CrashingEmailBackend.crash_on_message = None

    assert received("C'est aujourd'hui") == [f"seat{i}@example.org" for i in range(3)]
    assert received("en direct") == ["wait0@example.org", "wait1@example.org"]
    assert len(mail.outbox) == 5
    assert set(EventMail.objects.values_list("status", flat=True)) == {EventMail.Status.SENT}


def test_the_crash_backend_really_interrupts_the_batch(settings, evening, seats):
    """Control for the test above: the backend stops the batch in its tracks."""
    settings.EMAIL_BACKEND = "tests.events.backends.CrashingEmailBackend"
    CrashingEmailBackend.crash_on_message = 2
    moment = evening.starts_at - timedelta(hours=47)
    event_mail_schedule(now=moment)
    ids = list(EventMail.objects.values_list("id", flat=True))
    try:
        with pytest.raises(WorkerKilled):
            event_mail_deliver_batch(mail_ids=ids, now=moment)
    finally:
        CrashingEmailBackend.crash_on_message = None

    statuses = list(EventMail.objects.order_by("id").values_list("status", flat=True))
    assert statuses == ["sent", "pending", "pending"]


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_the_stale_delay(evening, seats):
    moment = evening.starts_at - timedelta(hours=47)
    event_mail_schedule(now=moment)
    stuck = EventMail.objects.first()
    EventMail.objects.filter(pk=stuck.pk).update(
        status=EventMail.Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=1)
    )

    event_mail_enqueue(now=moment)
    assert stuck.rsvp.member.email not in received("Toujours partant")  # maybe still busy

    EventMail.objects.filter(pk=stuck.pk).update(
        claimed_at=timezone.now() - STALE_CLAIM - timedelta(minutes=1)
    )
    event_mail_enqueue(now=moment)
    assert received("Toujours partant").count(stuck.rsvp.member.email) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_two_workers_on_the_same_batch_send_each_message_once(evening, seats):
    moment = evening.starts_at - timedelta(hours=47)
    event_mail_schedule(now=moment)
    ids = list(EventMail.objects.values_list("id", flat=True))
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait()
            event_mail_deliver_batch(mail_ids=ids, now=moment)
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
    assert not EventMail.objects.exists()


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
    url = reverse("admin:events_eventmail_changelist")

    page = text(organizer_client.get(url, {"rsvp__event__id__exact": evening.pk}))
    assert page.count("reconfirmation (48 h avant)") >= 3
    assert "Mailbox unavailable" in page
    events_page = text(organizer_client.get(reverse("admin:events_event_changelist")))
    assert f"rsvp__event__id__exact={evening.pk}" in events_page  # the "messages" link

    failed = EventMail.objects.get(status=EventMail.Status.FAILED)
    response = organizer_client.post(
        url, {"action": "retry_selected", "_selected_action": [failed.pk]}, follow=True
    )
    assert "1 message sera retenté au prochain passage de send_event_mail." in text(response)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (EventMail.Status.PENDING, 0)

    run(evening.starts_at - timedelta(hours=46))
    assert received("Toujours partant").count("seat2@example.org") == 1


def test_a_batch_costs_two_writes_per_email_and_no_query_per_programme(evening):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import TalkFactory

    TalkFactory(event=evening, status="confirmed", position=1)
    moment = paris(timezone.localtime(evening.starts_at).date(), 10)

    def queries_for(n: int) -> int:
        EventMail.objects.all().delete()
        RSVP.objects.filter(event=evening).delete()
        for i in range(n):
            RSVPFactory(event=evening, member=UserFactory(email=f"q{n}-{i}@example.org"))
        event_mail_schedule(now=moment)
        ids = list(EventMail.objects.values_list("id", flat=True))
        with CaptureQueriesContext(connection) as context:
            event_mail_deliver_batch(mail_ids=ids, now=moment)
        assert EventMail.objects.filter(status=EventMail.Status.SENT).count() == n
        return len(context.captured_queries)

    # Per email: claim it, mark it sent. The programme is read once per event.
    assert queries_for(8) - queries_for(3) == 5 * 2
