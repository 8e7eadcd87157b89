"""Benchmarks: `make bench` (SQLite) or `DATABASE_URL=postgres://... make bench`.

Runs on a throw-away test database, prints one line per measurement, and exits
non-zero when a target is missed. Targets (the organizers' real situation):

- registration opening: 200 people for 50 seats are all answered, correctly,
  within a few seconds (TARGET_RSVP_SECONDS) with 40 concurrent connections;
- public pages with the full archive (80 events, 50 RSVPs each, 240 talks by
  150 speakers): median render
  under TARGET_PAGE_MS and a constant number of queries;
- memory: rendering the events list allocates under TARGET_PAGE_MEMORY_MB;
- the evening's messages (`manage.py send_event_mail`): the day's run for a full event
  (50 reminders, 150 live stream links) under TARGET_EVENT_MAIL_SECONDS, and a second run
  that sends nothing;
- the draw (events/draw.py): 1,000 requests drawn for 50 seats, the draw and its 1,000
  emails queued in one transaction under TARGET_DRAW_SECONDS (then the emails delivered,
  timed apart), and draw_replay's MATCH;
- the Jekyll archive import (`manage.py import_jekyll`): 88 API Hours and 264 talks
  (352 posts, like the real archive) imported in under TARGET_IMPORT_SECONDS, and a
  second run (nothing to change) too.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import threading
import time
import tracemalloc
from datetime import timedelta

import django

TARGET_RSVP_SECONDS = 10.0
TARGET_PAGE_MS = 150.0
TARGET_PAGE_MEMORY_MB = 20.0
CONNECTIONS = 40
TARGET_IMPORT_SECONDS = 20.0
TARGET_EVENT_MAIL_SECONDS = 10.0
TARGET_DRAW_SECONDS = 10.0


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clermontech.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALLOWED_HOSTS = ["*"]
    settings.WHITENOISE_USE_FINDERS = True
    if connection.vendor == "sqlite":
        settings.DATABASES["default"]["TEST"]["NAME"] = str(settings.BASE_DIR / ".bench-db.sqlite3")
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor} ({name})")
        failures = [
            bench_rsvp_rush(),
            *bench_pages(),
            bench_event_mail(),
            bench_draw(),
            bench_jekyll_import(),
        ]
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
    missed = [f for f in failures if f]
    for line in missed:
        print("MISSED:", line)
    return 1 if missed else 0


def _users(n: int, prefix: str, **fields):
    from allauth.account.models import EmailAddress

    from members.models import User

    users = User.objects.bulk_create(
        [
            User(email=f"{prefix}{i}@bench.example", display_name=f"B {i}", **fields)
            for i in range(n)
        ]
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
    )
    return users


def _event(number: int, **kwargs):
    from django.utils import timezone

    from events.models import Event

    starts = kwargs.pop("starts_at", timezone.now() + timedelta(days=10))
    return Event.objects.create(
        number=number,
        title=f"API Hour #{number}",
        slug=f"api-hour-{number}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=Event.Status.PUBLISHED,
        **kwargs,
    )


def bench_rsvp_rush() -> str | None:
    from django.db import connection

    from events.models import RSVP
    from events.services import rsvp_create

    event = _event(9000, capacity=50)
    users = _users(200, "rush")
    barrier = threading.Barrier(len(users))
    slots = threading.BoundedSemaphore(CONNECTIONS)
    latencies: list[float] = []
    errors: list[BaseException] = []

    def worker(user):
        barrier.wait()
        with slots:
            started = time.perf_counter()
            try:
                rsvp_create(event=event, member=user)
            except BaseException as error:  # noqa: BLE001 - counted below
                errors.append(error)
            finally:
                latencies.append(time.perf_counter() - started)
                connection.close()

    threads = [threading.Thread(target=worker, args=(u,)) for u in users]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = time.perf_counter() - started
    confirmed = RSVP.objects.filter(event=event).confirmed().count()
    waiting = RSVP.objects.filter(event=event).waitlisted().count()
    p95 = statistics.quantiles(latencies, n=20)[18]
    print(
        f"rsvp rush: 200 RSVPs for 50 seats in {total:.2f}s "
        f"(p95 per request {p95 * 1000:.0f} ms), {confirmed} confirmed, {waiting} waiting, "
        f"{len(errors)} errors"
    )
    if errors or confirmed != 50 or waiting != 150:
        return f"rsvp rush incorrect: {confirmed}/{waiting}, errors {errors[:1]}"
    if total > TARGET_RSVP_SECONDS:
        return f"rsvp rush took {total:.1f}s > {TARGET_RSVP_SECONDS}s"
    return None


def bench_pages() -> list[str | None]:
    from django.core.signals import request_started
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from events.models import RSVP, Event

    # Count from an empty log (it is a bounded deque: a full one would count 0).
    request_started.disconnect(reset_queries)

    from talks.models import Speaker, Talk, TalkSpeaker

    members = _users(60, "page")
    speakers = Speaker.objects.bulk_create(
        [Speaker(name=f"Intervenant {i}", slug=f"intervenant-{i}") for i in range(150)]
    )
    for number in range(1, 81):
        when = timezone.now() - timedelta(days=45 * (81 - number))
        if number == 80:
            when = timezone.now() + timedelta(days=20)
        event = _event(number, starts_at=when)
        RSVP.objects.bulk_create(
            [RSVP(event=event, member=m, status="confirmed") for m in members[:50]]
        )
        talks = Talk.objects.bulk_create(
            [
                Talk(
                    title=f"Talk {number}.{i}",
                    slug=f"talk-{number}-{i}",
                    abstract="Un résumé.",
                    status=Talk.Status.CONFIRMED,
                    event=event,
                    position=i,
                )
                for i in range(3)
            ]
        )
        TalkSpeaker.objects.bulk_create(
            [
                TalkSpeaker(talk=t, speaker=speakers[(number * 3 + i) % 150], position=0)
                for i, t in enumerate(talks)
            ]
        )
    client = Client()
    client.force_login(members[0])
    staff = Client()
    staff.force_login(_users(1, "orga", is_staff=True, is_superuser=True)[0])
    upcoming = Event.objects.get(number=80)
    results = []
    for label, url, who in [
        ("home", "/", client),
        ("events list", "/events/", client),
        ("event page", "/events/api-hour-80/", client),
        ("past event", "/events/api-hour-12/", client),
        ("talks archive", "/talks/", client),
        ("talks search", "/talks/?q=Intervenant+12", client),
        ("speakers", "/speakers/", client),
        ("speaker page", "/speakers/intervenant-12/", client),
        ("calendar feed", "/events/calendar.ics", client),
        ("atom feed", "/events/feed.atom", client),
        ("door page (50)", "/events/api-hour-80/checkin/", staff),
        ("catering", f"/admin/events/event/{upcoming.pk}/catering/", staff),
    ]:
        client = who
        client.get(url)
        timings = []
        for _ in range(20):
            reset_queries()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        tracemalloc.start()
        client.get(url)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        median = statistics.median(timings)
        peak_mb = peak / 1e6
        print(
            f"{label}: median {median:.1f} ms, {len(queries.captured_queries)} queries, "
            f"peak {peak_mb:.1f} MB"
        )
        if median > TARGET_PAGE_MS:
            results.append(f"{label} median {median:.0f} ms > {TARGET_PAGE_MS} ms")
        if peak_mb > TARGET_PAGE_MEMORY_MB:
            results.append(f"{label} peak {peak_mb:.1f} MB > {TARGET_PAGE_MEMORY_MB} MB")
    return results or [None]


def bench_event_mail() -> str | None:
    from datetime import datetime
    from datetime import time as clock

    from django.core import mail
    from django.core.management import call_command
    from django.utils import timezone

    from events.models import RSVP

    day = timezone.localdate() + timedelta(days=12)
    starts = timezone.make_aware(datetime.combine(day, clock(19)))
    event = _event(2000, starts_at=starts, livestream_url="https://example.org/live")
    people = _users(200, "mail")
    RSVP.objects.bulk_create(
        RSVP(event=event, member=m, status="confirmed" if i < 50 else "waitlisted")
        for i, m in enumerate(people)
    )
    mail.outbox = []
    timings = []
    for minute in (0, 5):
        moment = timezone.make_aware(datetime.combine(day, clock(10, minute)))
        started = time.perf_counter()
        call_command("send_event_mail", now=moment.isoformat(), stdout=io.StringIO())
        timings.append(time.perf_counter() - started)
        if minute == 0:
            sent_first = len(mail.outbox)
    sent_second = len(mail.outbox) - sent_first
    print(
        f"send_event_mail: {sent_first} emails (50 reminders, 150 stream links) in "
        f"{timings[0]:.2f}s, second run {timings[1]:.2f}s with {sent_second} sent"
    )
    if sent_first != 200 or sent_second:
        return f"send_event_mail incorrect: {sent_first} then {sent_second}"
    if timings[0] > TARGET_EVENT_MAIL_SECONDS:
        return f"send_event_mail took {timings[0]:.1f}s > {TARGET_EVENT_MAIL_SECONDS}s"
    return None


def bench_draw() -> str | None:
    from django.conf import settings
    from django.core import mail
    from django.test.utils import override_settings
    from django.utils import timezone

    from core.models import OutboxMessage
    from core.outbox import outbox_deliver
    from events.draw import draw_replay, draw_run
    from events.models import RSVP, DrawRequest, Event

    people = _users(1000, "draw")
    past = _event(3000, starts_at=timezone.now() - timedelta(days=30), capacity=400)
    # 400 regulars (checked in last time), 600 who never came: the newcomer weight matters.
    RSVP.objects.bulk_create(
        RSVP(event=past, member=m, status="confirmed", checked_in_at=past.starts_at)
        for m in people[:400]
    )
    event = _event(
        3001,
        capacity=50,
        allocation=Event.Allocation.DRAW,
        registration_opens_at=timezone.now() - timedelta(days=2),
    )
    DrawRequest.objects.bulk_create(DrawRequest(event=event, member=m) for m in people)
    mail.outbox = []
    held = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=held):
        started = time.perf_counter()
        draw = draw_run(event=event)
        drawn = time.perf_counter() - started
    queued = OutboxMessage.objects.filter(group=event.outbox_group).count()
    started = time.perf_counter()
    while outbox_deliver(now=timezone.now()):
        pass
    delivered = time.perf_counter() - started
    started = time.perf_counter()
    replay = draw_replay(draw)
    replayed = time.perf_counter() - started
    newcomers = RSVP.objects.filter(event=event, status="confirmed", member__in=people[400:])
    print(
        f"draw: 1000 requests for 50 seats drawn and {queued} emails queued in {drawn:.2f}s "
        f"({newcomers.count()} of the 50 seats to the 600 newcomers, weight "
        f"{event.draw_weight_newcomer}); {len(mail.outbox)} emails delivered in "
        f"{delivered:.2f}s; replay {'MATCH' if replay.match else 'MISMATCH'} in "
        f"{replayed:.2f}s ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})"
    )
    seated = RSVP.objects.filter(event=event, status="confirmed").count()
    if draw is None or seated != 50 or queued != 1000 or not replay.match:
        return f"draw incorrect: {seated} seats, {queued} emails queued, replay {replay.match}"
    if drawn > TARGET_DRAW_SECONDS:
        return f"draw took {drawn:.1f}s > {TARGET_DRAW_SECONDS}s"
    return None


def bench_jekyll_import() -> str | None:
    import tempfile
    from pathlib import Path

    from benchmarks.jekyll_site import write_site
    from talks.jekyll_import import jekyll_import
    from talks.models import Talk

    with tempfile.TemporaryDirectory() as tmp:
        # Numbers above the page benchmark's events (1-80), like a separate archive.
        posts = write_site(Path(tmp), events=88, talks_per_event=3, first=1001)
        timings = []
        for _run in ("first", "second"):
            started = time.perf_counter()
            report = jekyll_import(posts_dir=Path(tmp) / "_posts")
            timings.append(time.perf_counter() - started)
        talks = Talk.objects.filter(event__number__gt=1000).count()
    print(
        f"jekyll import: {posts} posts in {timings[0]:.2f}s, second run {timings[1]:.2f}s "
        f"({talks} talks, {report.count('talk', 'unchanged')} unchanged on the second run, "
        f"{len(report.skipped)} skipped)"
    )
    if talks != 264 or report.skipped or report.count("talk", "unchanged") != 264:
        return f"jekyll import incorrect: {talks} talks, {len(report.skipped)} skipped"
    if max(timings) > TARGET_IMPORT_SECONDS:
        return f"jekyll import took {max(timings):.1f}s > {TARGET_IMPORT_SECONDS}s"
    return None


if __name__ == "__main__":
    sys.exit(main())
