import re

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks.signals import task_enqueued

from community.models import Announcement, Delivery
from community.services import (
    AnnouncementError,
    announcement_retry,
    announcement_send,
    announcement_send_test,
    member_unsubscribe,
    unsubscribe_url,
)
from community.tasks import announcement_deliver
from tests.factories import AnnouncementFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tested(announcement, organizer):
    announcement_send_test(announcement=announcement, to=organizer)
    mail.outbox.clear()
    return announcement


def _send(announcement, organizer, capture):
    with capture(execute=True):
        return announcement_send(announcement=announcement, by=organizer)


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_announcement_send_reaches_only_opted_in_verified_active_members(
    organizer, member, outsider, django_capture_on_commit_callbacks
):
    outsider.receives_announcements = False
    outsider.save()
    UserFactory(email="unverified@example.org", verified=False)
    UserFactory(email="banned@example.org", banned_at=timezone.now(), ban_reason="x")
    UserFactory(email="inactive@example.org", is_active=False)
    UserFactory(email="deleted-9@invalid", deleted_at=timezone.now())
    announcement = _tested(AnnouncementFactory(), organizer)

    count = _send(announcement, organizer, django_capture_on_commit_callbacks)

    assert count == 2
    assert _recipients() == ["camille@example.org", "orga@example.org"]
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    assert announcement.send_finished_at is not None
    assert sorted(announcement.deliveries.values_list("member__email", "status")) == [
        ("camille@example.org", "sent"),
        ("orga@example.org", "sent"),
    ]


def test_announcement_email_is_multipart_with_one_click_unsubscribe_headers(
    organizer, member, django_capture_on_commit_callbacks
):
    event = EventFactory(title="API Hour #77")
    announcement = _tested(
        AnnouncementFactory(
            subject="Venez !", body="Du **gras** et <script>x</script>", event=event
        ),
        organizer,
    )

    _send(announcement, organizer, django_capture_on_commit_callbacks)

    message = next(m for m in mail.outbox if m.to == ["camille@example.org"])
    assert message.subject == "[Clermont'ech] Venez !"
    link = unsubscribe_url(member)
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = message.message()
    assert raw["List-Unsubscribe"] == f"<{link}>"
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Du **gras**" in message.body
    assert link in message.body
    assert "http://127.0.0.1:8000/events/" + event.slug + "/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<strong>gras</strong>" in html
    assert "<script>" not in html
    assert f'href="{link}"' in html


def test_announcement_send_refuses_untested_text_and_a_text_changed_after_the_test(
    organizer, member, django_capture_on_commit_callbacks
):
    announcement = AnnouncementFactory()
    with pytest.raises(AnnouncementError, match="Envoyez-vous d'abord un test"):
        announcement_send(announcement=announcement, by=organizer)

    _tested(announcement, organizer)
    announcement.body += "\n\nPS : un oubli."
    announcement.save()
    with pytest.raises(AnnouncementError, match="Envoyez-vous d'abord un test"):
        announcement_send(announcement=announcement, by=organizer)

    assert Delivery.objects.count() == 0
    assert mail.outbox == []


def test_announcement_test_send_goes_to_the_organizer_only(organizer, member):
    announcement = AnnouncementFactory(subject="Essai")

    announcement_send_test(announcement=announcement, to=organizer)

    assert [m.to for m in mail.outbox] == [["orga@example.org"]]
    assert mail.outbox[0].subject == "[Clermont'ech] [TEST] Essai"
    announcement.refresh_from_db()
    assert announcement.is_tested
    assert Delivery.objects.count() == 0


def test_announcement_send_twice_is_refused(organizer, member, django_capture_on_commit_callbacks):
    announcement = _tested(AnnouncementFactory(), organizer)
    _send(announcement, organizer, django_capture_on_commit_callbacks)

    with pytest.raises(AnnouncementError, match="déjà été envoyée"):
        announcement_send(announcement=announcement, by=organizer)

    assert len(mail.outbox) == 2


def test_announcement_retry_sends_nothing_twice(
    organizer, member, outsider, django_capture_on_commit_callbacks
):
    announcement = _tested(AnnouncementFactory(), organizer)
    _send(announcement, organizer, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3

    with django_capture_on_commit_callbacks(execute=True):
        retried = announcement_retry(announcement=announcement)
    # Running the task again on every delivery, as a worker replaying a batch would:
    all_ids = list(announcement.deliveries.values_list("pk", flat=True))
    announcement_deliver.enqueue(announcement.pk, all_ids)

    assert retried == 0
    assert len(mail.outbox) == 3
    assert set(announcement.deliveries.values_list("attempts", flat=True)) == {1}


def test_announcement_failure_for_one_address_does_not_stop_the_others_and_retry_sends_only_it(
    organizer, member, outsider, refusing_backend, django_capture_on_commit_callbacks
):
    announcement = _tested(AnnouncementFactory(), organizer)
    refusing_backend.add("camille@example.org")

    _send(announcement, organizer, django_capture_on_commit_callbacks)

    assert _recipients() == ["dominique@example.org", "orga@example.org"]
    failed = announcement.deliveries.get(member=member)
    assert failed.status == Delivery.Status.FAILED
    assert "camille@example.org" in failed.error
    assert "5.1.1 Mailbox unavailable" in failed.error
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT

    refusing_backend.clear()  # the mailbox is fixed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        retried = announcement_retry(announcement=announcement)

    assert retried == 1
    assert _recipients() == ["camille@example.org"]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error) == (Delivery.Status.SENT, 2, "")
    assert set(announcement.deliveries.values_list("status", flat=True)) == {"sent"}


def test_announcement_is_sent_in_batches(
    settings, organizer, member, outsider, django_capture_on_commit_callbacks
):
    settings.ANNOUNCEMENT_BATCH_SIZE = 2
    UserFactory.create_batch(3)
    announcement = _tested(AnnouncementFactory(), organizer)
    batches = []

    def record(sender, task_result, **kwargs):
        batches.append(len(task_result.args[1]))

    task_enqueued.connect(record)
    try:
        _send(announcement, organizer, django_capture_on_commit_callbacks)
    finally:
        task_enqueued.disconnect(record)

    assert batches == [2, 2, 2]
    assert len(mail.outbox) == 6


def test_announcement_skips_a_member_who_unsubscribed_before_their_batch(
    organizer, member, outsider, django_capture_on_commit_callbacks
):
    announcement = _tested(AnnouncementFactory(), organizer)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        announcement_send(announcement=announcement, by=organizer)
    member_unsubscribe(member=member)

    for callback in queued:
        callback()

    assert _recipients() == ["dominique@example.org", "orga@example.org"]
    assert announcement.deliveries.get(member=member).status == Delivery.Status.SKIPPED


def test_announcement_send_refuses_a_draft_event(organizer, member):
    announcement = AnnouncementFactory(event=EventFactory(draft=True))

    with pytest.raises(AnnouncementError, match="n'est pas publié"):
        announcement_send_test(announcement=announcement, to=organizer)

    assert mail.outbox == []


def test_announcement_unsubscribe_link_in_the_email_works_logged_out(
    client, organizer, member, django_capture_on_commit_callbacks
):
    announcement = _tested(AnnouncementFactory(), organizer)
    _send(announcement, organizer, django_capture_on_commit_callbacks)
    message = next(m for m in mail.outbox if m.to == ["camille@example.org"])
    path = re.search(r"http://127\.0\.0\.1:8000(/desabonnement/\S+/)", message.body).group(1)

    response = client.post(path)

    assert response.status_code == 200
    assert "C'est fait" in response.content.decode()
    member.refresh_from_db()
    assert member.receives_announcements is False
