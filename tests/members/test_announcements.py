import re

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks.signals import task_enqueued

from community.models import Announcement
from community.services import (
    AnnouncementError,
    announcement_retry,
    announcement_send,
    announcement_send_test,
    member_unsubscribe,
    unsubscribe_url,
)
from core import outbox
from core.models import OutboxMessage
from tests.factories import AnnouncementFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tested(announcement, organizer):
    announcement_send_test(announcement=announcement, to=organizer)
    return announcement


def _status(announcement) -> list[tuple[str, str]]:
    """(address, state) of each email of the announcement in the outbox."""
    return sorted(announcement.messages().values_list("to", "status"))


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
    assert _status(announcement) == [
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

    assert not announcement.messages().exists()
    assert mail.outbox == []


def test_announcement_test_send_goes_to_the_organizer_only(
    organizer, member, django_capture_on_commit_callbacks
):
    announcement = AnnouncementFactory(subject="Essai")

    with django_capture_on_commit_callbacks(execute=True):
        announcement_send_test(announcement=announcement, to=organizer)

    assert [m.to for m in mail.outbox] == [["orga@example.org"]]
    assert mail.outbox[0].subject == "[Clermont'ech] [TEST] Essai"
    announcement.refresh_from_db()
    assert announcement.is_tested
    assert not announcement.messages().exists()  # a test is not one of its emails


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
    # Running the delivery again on every message, as a worker replaying a batch would:
    outbox.outbox_deliver(ids=list(announcement.messages().values_list("pk", flat=True)))

    assert retried == 0
    assert len(mail.outbox) == 3
    assert set(announcement.messages().values_list("attempts", flat=True)) == {1}


def test_announcement_failure_for_one_address_does_not_stop_the_others_and_retry_sends_only_it(
    organizer, member, outsider, refusing_backend, django_capture_on_commit_callbacks
):
    announcement = _tested(AnnouncementFactory(), organizer)
    refusing_backend.add("camille@example.org")

    _send(announcement, organizer, django_capture_on_commit_callbacks)

    assert _recipients() == ["dominique@example.org", "orga@example.org"]
    failed = announcement.messages().get(recipient=member)
    assert failed.status == OutboxMessage.Status.FAILED
    assert "camille@example.org" in failed.last_error
    assert "5.1.1 Mailbox unavailable" in failed.last_error
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT

    refusing_backend.clear()  # the mailbox is fixed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        retried = announcement_retry(announcement=announcement)

    assert retried == 1
    assert _recipients() == ["camille@example.org"]
    failed.refresh_from_db()
    assert (failed.status, failed.last_error) == (OutboxMessage.Status.SENT, "")
    assert set(announcement.messages().values_list("status", flat=True)) == {"sent"}


def test_announcement_is_sent_in_batches(
    monkeypatch, organizer, member, outsider, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(outbox, "BATCH_SIZE", 2)
    UserFactory.create_batch(3)
    announcement = _tested(AnnouncementFactory(), organizer)
    batches = []

    def record(sender, task_result, **kwargs):
        batches.append(len(task_result.args[0]))

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
    assert announcement.messages().get(recipient=member).status == OutboxMessage.Status.SKIPPED


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
