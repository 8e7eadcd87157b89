"""Two workers running the same batch at once still send each email once."""

import threading

import pytest
from django.core import mail
from django.db import connection

from community.models import Announcement, Delivery
from community.services import announcement_deliver_batch
from tests.factories import AnnouncementFactory, UserFactory


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_announcement_batch_run_twice_in_parallel_sends_each_email_once():
    members = UserFactory.create_batch(12)
    announcement = AnnouncementFactory(status=Announcement.Status.SENDING)
    ids = [Delivery.objects.create(announcement=announcement, member=m).pk for m in members]
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            announcement_deliver_batch(announcement_id=announcement.pk, delivery_ids=ids)
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
