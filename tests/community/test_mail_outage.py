"""The community's emails when the mail server fails: an announcement to 200 members,
a ban, a report. Read from a real SMTP server (tests/smtp.py), never a mock."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from community.services import announcement_send, announcement_send_test, member_ban
from core.models import OutboxMessage
from core.outbox import outbox_deliver, outbox_flush
from tests.factories import AnnouncementFactory, OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _later(minutes: int):
    return timezone.now() + timedelta(minutes=minutes)


def test_an_announcement_to_200_members_survives_an_outage_and_arrives_once(smtp_server):
    organizer = OrganizerFactory(receives_announcements=False)
    members = UserFactory.create_batch(200)
    announcement = AnnouncementFactory()
    announcement_send_test(announcement=announcement, to=organizer)
    smtp_server.received.clear()
    smtp_server.stop()  # the mail server goes down as the organizer presses "send"

    count = announcement_send(announcement=announcement, by=organizer)

    assert count == 200
    assert set(announcement.messages().values_list("status", flat=True)) == {"failed"}
    smtp_server.start()
    outbox_flush(now=_later(2))
    outbox_flush(now=_later(30))  # a second cron run finds nothing left to send

    assert sorted(smtp_server.recipients()) == sorted(m.email for m in members)
    assert set(announcement.messages().values_list("status", flat=True)) == {"sent"}


def test_two_workers_on_one_announcement_send_each_email_once(smtp_server):
    organizer = OrganizerFactory(receives_announcements=False)
    members = UserFactory.create_batch(30)
    announcement = AnnouncementFactory()
    announcement_send_test(announcement=announcement, to=organizer)
    smtp_server.stop()
    announcement_send(announcement=announcement, by=organizer)
    smtp_server.start()
    smtp_server.received.clear()
    ids = list(announcement.messages().values_list("pk", flat=True))
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait(timeout=10)
        try:
            outbox_deliver(ids=ids, now=_later(2))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(smtp_server.recipients()) == sorted(m.email for m in members)
    assert set(announcement.messages().values_list("status", "attempts")) == {("sent", 2)}


def test_a_ban_during_an_outage_is_done_and_the_member_told_once(smtp_server):
    organizer, member = OrganizerFactory(), UserFactory(email="mallory@example.org")
    smtp_server.stop()

    with transaction.atomic():
        member_ban(member=member, reason="Propos insultants", by=organizer)

    member.refresh_from_db()
    assert member.is_banned
    smtp_server.start()
    outbox_flush(now=_later(2))
    outbox_flush(now=_later(30))
    assert smtp_server.subjects_to("mallory@example.org") == [
        "[Clermont'ech] Votre compte Clermont'ech"
    ]


def test_a_report_during_an_outage_is_recorded_and_the_organizers_told_once(smtp_server, settings):
    settings.ORGANIZERS_EMAILS = ["coc@clermontech.org", "orga2@clermontech.org"]
    smtp_server.stop()

    response = Client().post(
        reverse("community:report"), {"what_happened": "Des remarques déplacées à la pause."}
    )

    assert response.status_code == 302
    smtp_server.start()
    smtp_server.refuse("orga2@clermontech.org")  # one organizer's mailbox is broken
    outbox_flush(now=_later(2))

    assert smtp_server.recipients() == ["coc@clermontech.org"]
    refused = OutboxMessage.objects.get(to="orga2@clermontech.org")
    assert refused.status == OutboxMessage.Status.FAILED
