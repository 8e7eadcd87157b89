"""The organizer's path: announce an event from the admin, preview, test, send."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.models import Announcement
from community.services import announcement_send, announcement_send_test
from core.models import OutboxMessage
from tests.factories import AnnouncementFactory, EventFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_organizer_announces_the_next_event_to_opted_in_members(
    organizer_client, organizer, member, outsider, django_capture_on_commit_callbacks
):
    outsider.receives_announcements = False
    outsider.save()
    event = EventFactory(title="API Hour #60", description="Deux talks sur **Rust**.")

    # 1. From the event list: the "Annoncer cet événement" action.
    response = organizer_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "announce_event", "_selected_action": [event.pk]},
    )
    announcement = Announcement.objects.get()
    preview_url = reverse("admin:community_announcement_preview", args=[announcement.pk])
    assert response["Location"] == preview_url
    assert announcement.event == event
    assert announcement.subject.startswith("API Hour #60, le ")
    assert "Deux talks sur **Rust**." in announcement.body

    # 2. The preview shows the message and the number of recipients; sending waits for a test.
    preview = organizer_client.get(preview_url)
    page = preview.content.decode()
    assert "<strong>Rust</strong>" in page
    assert "2 membres recevront cette annonce" in page
    refused = organizer_client.post(
        reverse("admin:community_announcement_send", args=[announcement.pk]), follow=True
    )
    assert "Envoyez-vous d'abord un test" in " ".join(_messages(refused))
    assert mail.outbox == []

    # 3. Test to themselves, then send to everyone.
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("admin:community_announcement_test", args=[announcement.pk]))
    assert [(m.to, m.subject[:22]) for m in mail.outbox] == [
        (["orga@example.org"], "[Clermont'ech] [TEST] ")
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("admin:community_announcement_send", args=[announcement.pk]))
    after = organizer_client.get(preview_url)

    assert "Envoi lancé pour 2 membres" in " ".join(_messages(after))
    assert sorted(m.to[0] for m in mail.outbox) == ["camille@example.org", "orga@example.org"]
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    assert "2 envoyés · 0 échecs · 0 en attente" in after.content.decode()


def test_announce_action_refuses_several_events_and_drafts(organizer_client):
    first, second = EventFactory(), EventFactory()
    draft = EventFactory(draft=True)
    url = reverse("admin:events_event_changelist")

    several = organizer_client.post(
        url, {"action": "announce_event", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    unpublished = organizer_client.post(
        url, {"action": "announce_event", "_selected_action": [draft.pk]}, follow=True
    )

    assert "Choisissez un seul événement à annoncer." in _messages(several)
    assert "Publiez d'abord l'événement, puis annoncez-le." in _messages(unpublished)
    assert Announcement.objects.count() == 0


def test_event_admin_keeps_its_own_actions(organizer_client, event):
    response = organizer_client.get(reverse("admin:events_event_changelist"))

    page = response.content.decode()
    assert 'value="export_attendees"' in page
    assert 'value="announce_event"' in page


def test_saving_an_announcement_opens_its_preview(organizer_client):
    response = organizer_client.post(
        reverse("admin:community_announcement_add"),
        {"subject": "Rentrée", "body": "Bonjour !", "event": "", "_save": "Enregistrer"},
    )

    announcement = Announcement.objects.get()
    assert response["Location"] == reverse(
        "admin:community_announcement_preview", args=[announcement.pk]
    )
    assert announcement.created_by.email == "orga@example.org"


def test_sent_announcement_is_read_only_and_cannot_be_deleted(
    organizer_client, organizer, member, django_capture_on_commit_callbacks
):
    announcement = AnnouncementFactory(subject="Partie")
    announcement_send_test(announcement=announcement, to=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        announcement_send(announcement=announcement, by=organizer)

    organizer_client.post(
        reverse("admin:community_announcement_change", args=[announcement.pk]),
        {"subject": "Changée", "body": "Autre", "event": ""},
    )
    deleted = organizer_client.post(
        reverse("admin:community_announcement_delete", args=[announcement.pk]), {"post": "yes"}
    )

    announcement.refresh_from_db()
    assert announcement.subject == "Partie"
    assert deleted.status_code == 403


def test_retry_button_sends_only_the_failed_delivery(
    organizer_client, organizer, member, refusing_backend, django_capture_on_commit_callbacks
):
    announcement = AnnouncementFactory()
    with django_capture_on_commit_callbacks(execute=True):
        announcement_send_test(announcement=announcement, to=organizer)
    refusing_backend.add("camille@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        announcement_send(announcement=announcement, by=organizer)
    preview = organizer_client.get(
        reverse("admin:community_announcement_preview", args=[announcement.pk])
    )
    assert "1 envoyés · 1 échecs · 0 en attente" in preview.content.decode()
    refusing_backend.clear()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(reverse("admin:community_announcement_retry", args=[announcement.pk]))

    assert [m.to for m in mail.outbox] == [["camille@example.org"]]
    assert set(announcement.messages().values_list("status", flat=True)) == {"sent"}


def test_announcement_admin_list_query_count_does_not_grow(
    organizer_client, organizer, django_assert_num_queries
):
    url = reverse("admin:community_announcement_changelist")
    AnnouncementFactory(event=EventFactory())
    with CaptureQueriesContext(connection) as one:
        assert organizer_client.get(url).status_code == 200
    for _ in range(3):
        announcement = AnnouncementFactory(event=EventFactory(), status="sent")
        OutboxMessage.objects.create(
            kind="community.announcement", to="x@example.org", status="sent",
            group=f"announcement:{announcement.pk}", params={"announcement": announcement.pk},
        )  # fmt: skip

    with django_assert_num_queries(len(one)):
        response = organizer_client.get(url)

    assert len(response.context["cl"].result_list) == 4


def test_announcement_admin_is_for_staff_only(member_client):
    announcement = AnnouncementFactory()

    response = member_client.get(
        reverse("admin:community_announcement_preview", args=[announcement.pk])
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
