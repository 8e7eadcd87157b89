import html
import json
import os
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail, signing
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from community.services import MemberError, member_delete, member_export
from core.models import OutboxMessage
from events.models import RSVP, Diet, OpeningAlert
from members.models import User
from talks.models import Speaker, Talk, TopicVote
from tests.factories import (
    PASSWORD,
    AnnouncementFactory,
    EventFactory,
    IncidentReportFactory,
    RSVPFactory,
    SpeakerFactory,
    TalkFactory,
    TopicFactory,
    TopicVoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- Export ---------------------------------------------------------------------------


def _announcement_email(announcement, member, **fields) -> OutboxMessage:
    """An announcement's email to a member, as the outbox records it."""
    return OutboxMessage.objects.create(
        kind="community.announcement",
        to=member.email,
        recipient=member,
        group=f"announcement:{announcement.pk}",
        params={"announcement": announcement.pk},
        **fields,
    )


def test_export_requires_login(client):
    response = client.get(reverse("community:export"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_export_holds_everything_about_the_member_and_nothing_of_others(
    member_client, member, outsider, event
):
    member.bio = "Développeuse Python."
    member.save()
    RSVPFactory(event=event, member=member, diet=Diet.OTHER, diet_notes="Sans arachide")
    RSVPFactory(event=event, member=outsider, diet_notes="Secret d'un autre")
    announcement = AnnouncementFactory(subject="Rentrée 2026")
    _announcement_email(announcement, member, status="sent", sent_at=timezone.now())
    _announcement_email(AnnouncementFactory(subject="Autre"), outsider)
    IncidentReportFactory(reporter=member, what_happened="Mon signalement", event=event)
    IncidentReportFactory(reporter=outsider, what_happened="Le signalement d'un autre")
    IncidentReportFactory(what_happened="Un signalement anonyme")
    mine = SpeakerFactory(name="Camille", user=member, bio="Je parle de Python.")
    TalkFactory(title="Mon talk", submitted_by=member, speakers=[mine], notes="Note perso")
    TalkFactory(title="Le talk d'un autre", submitted_by=outsider)
    TopicVoteFactory(topic=TopicFactory(title="Sujet voté"), member=member)
    TopicVoteFactory(topic=TopicFactory(title="Vote d'un autre"), member=outsider)
    TopicFactory(title="Mon sujet", suggested_by=member)
    OpeningAlert.objects.create(event=event, member=member)
    OpeningAlert.objects.create(event=event, member=outsider)

    response = member_client.get(reverse("community:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="clermontech-mes-donnees-'
    )
    data = json.loads(response.content)
    assert sorted(data) == [
        "announcements_received",
        "draw_requests",
        "email_addresses",
        "exported_at",
        "format",
        "incident_reports_filed",
        "opening_alerts",
        "profile",
        "rsvps",
        "social_accounts",
        "speaker_claims",
        "speaker_profile",
        "talk_proposals",
        "wishlist_topics_suggested",
        "wishlist_votes",
    ]
    assert data["profile"]["email"] == "camille@example.org"
    assert data["profile"]["display_name"] == "Camille"
    assert data["profile"]["bio"] == "Développeuse Python."
    assert data["email_addresses"] == [
        {"email": "camille@example.org", "verified": True, "primary": True}
    ]
    assert [(r["event"], r["diet"], r["diet_notes"]) for r in data["rsvps"]] == [
        (event.title, "other", "Sans arachide")
    ]
    assert [(d["subject"], d["status"]) for d in data["announcements_received"]] == [
        ("Rentrée 2026", "sent")
    ]
    assert [(r["what_happened"], r["event"]) for r in data["incident_reports_filed"]] == [
        ("Mon signalement", event.title)
    ]
    assert data["speaker_profile"]["bio"] == "Je parle de Python."
    assert [
        (t["title"], t["status"], t["notes_for_organizers"]) for t in data["talk_proposals"]
    ] == [("Mon talk", "submitted", "Note perso")]
    assert data["wishlist_votes"] == ["Sujet voté"]
    assert data["wishlist_topics_suggested"] == ["Mon sujet"]
    assert [(a["event"], a["sent_at"]) for a in data["opening_alerts"]] == [(event.title, None)]
    text = response.content.decode()
    for foreign in ["dominique", "Dominique", "Secret d'un autre", "d'un autre", "anonyme"]:
        assert foreign not in text


def test_export_query_count_does_not_grow_with_rsvps(member, django_assert_max_num_queries):
    for _ in range(5):
        RSVPFactory(member=member)

    speaker = SpeakerFactory(user=member)
    for _ in range(3):
        TalkFactory(submitted_by=member, speakers=[speaker])
        TopicVoteFactory(member=member)

    # profile, accounts, RSVPs, draw requests, announcements received (their emails, then
    # their subjects), reports, speaker, talks (+history), topics, votes, opening alerts
    with django_assert_max_num_queries(14):
        data = member_export(member=member)

    assert len(data["rsvps"]) == 5


# --- Deletion -------------------------------------------------------------------------


@pytest.fixture
def full_event(member, outsider):
    """One seat, taken by the member; the outsider waits."""
    event = EventFactory(capacity=1)
    RSVPFactory(event=event, member=member, status=RSVP.Status.CONFIRMED)
    RSVPFactory(event=event, member=outsider, status=RSVP.Status.WAITLISTED)
    return event


def _delete_in_two_steps(client, password=PASSWORD):
    url = reverse("community:delete")
    step1 = client.post(url, {"password": password})
    token = re.search(r'name="token" value="([^"]+)"', step1.content.decode())
    if token is None:
        return step1
    return client.post(url, {"token": token.group(1)})


def test_delete_page_lists_future_rsvps_and_links_the_export(member_client, full_event):
    response = member_client.get(reverse("community:delete"))

    page = response.content.decode()
    assert response.status_code == 200
    assert full_event.title in page
    assert reverse("community:export") in page


def test_delete_account_in_two_steps_erases_data_and_moves_the_waiting_list_up(
    member_client, member, outsider, full_event, django_capture_on_commit_callbacks
):
    past = EventFactory(past=True)
    RSVPFactory(
        event=past,
        member=member,
        diet=Diet.OTHER,
        diet_notes="Allergie aux noix",
        checked_in_at=past.starts_at,
    )
    member.avatar.save("camille.png", ContentFile(b"png"), save=False)
    member.bio = "Ma bio"
    member.github_url = "https://github.com/camille"
    member.save()
    avatar_path = member.avatar.path
    SocialAccount.objects.create(user=member, provider="github", uid="123")
    _announcement_email(AnnouncementFactory(), member)
    report = IncidentReportFactory(reporter=member, contact_email="camille@example.org")
    OpeningAlert.objects.create(event=EventFactory(), member=member)

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete_in_two_steps(member_client)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    member.refresh_from_db()
    assert member.email == f"deleted-{member.pk}@invalid"
    assert member.display_name == "Membre supprimé"
    assert (member.bio, member.github_url, member.avatar.name) == ("", "", "")
    assert not member.is_active
    assert not member.has_usable_password()
    assert member.receives_announcements is False
    assert member.deleted_at is not None
    assert not EmailAddress.objects.filter(user=member).exists()
    assert not SocialAccount.objects.filter(user=member).exists()
    assert not OutboxMessage.objects.filter(recipient=member).exists()
    assert not OpeningAlert.objects.filter(member=member).exists()
    report.refresh_from_db()
    assert (report.reporter, report.contact_email) == (None, "")
    assert not os.path.exists(avatar_path)
    # The future seat went to the waiting list; the past attendance stays, anonymous.
    assert RSVP.objects.get(event=full_event, member=member).status == RSVP.Status.CANCELLED
    assert RSVP.objects.get(event=full_event, member=outsider).status == RSVP.Status.CONFIRMED
    kept = RSVP.objects.get(event=past, member=member)
    assert (kept.status, kept.diet, kept.diet_notes) == (RSVP.Status.CONFIRMED, "none", "")
    assert kept.checked_in_at is not None
    assert RSVP.objects.filter(event=past).confirmed().count() == 1
    # Emails: the promoted member, and a goodbye to the former address.
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("camille@example.org", "[Clermont'ech] Votre compte Clermont'ech est supprimé"),
        ("dominique@example.org", f"[Clermont'ech] Une place s'est libérée : {full_event}"),
    ]
    # Logged out: the session is gone.
    assert member_client.get(reverse("community:export")).status_code == 302


def test_delete_account_with_wrong_password_changes_nothing(member_client, member, full_event):
    response = _delete_in_two_steps(member_client, password="not my password")

    assert response.status_code == 400
    assert "Ce mot de passe n&#x27;est pas le bon." in response.content.decode()
    member.refresh_from_db()
    assert member.email == "camille@example.org"
    assert member.is_active
    assert RSVP.objects.get(event=full_event, member=member).status == RSVP.Status.CONFIRMED


def test_delete_account_second_step_refuses_a_forged_token(member_client, member, outsider):
    token = signing.TimestampSigner(salt="members.delete").sign(str(outsider.pk))

    response = member_client.post(reverse("community:delete"), {"token": token})

    assert response.status_code == 400
    assert "La confirmation a expiré" in response.content.decode()
    member.refresh_from_db()
    outsider.refresh_from_db()
    assert member.is_active and outsider.is_active


def test_delete_account_without_password_asks_for_the_email(client):
    github_member = UserFactory(email="gh@example.org", password=None)
    github_member.set_unusable_password()
    github_member.save()
    client.force_login(github_member)

    wrong = client.post(reverse("community:delete"), {"password": "autre@example.org"})
    response = _delete_in_two_steps(client, password="GH@example.org")

    assert wrong.status_code == 400
    assert "Ce n&#x27;est pas l&#x27;adresse de votre compte." in wrong.content.decode()
    assert response.status_code == 302
    github_member.refresh_from_db()
    assert github_member.is_deleted


def test_member_delete_keeps_talks_hook_and_refuses_a_second_time(member):
    member_delete(member=member, keep_talks=False)

    with pytest.raises(MemberError, match="Ce compte est déjà supprimé."):
        member_delete(member=member)
    assert User.objects.filter(pk=member.pk).count() == 1


def test_deleted_member_gets_no_announcement(member, organizer):
    member_delete(member=member)

    assert list(User.objects.announcement_recipients()) == [organizer]


# Deletion and talks


@pytest.fixture
def speaker_with_talks(member, outsider):
    speaker = SpeakerFactory(
        name="Camille Martin", user=member, bio="Bio", website_url="https://camille.example"
    )
    given = TalkFactory(given=True, title="Mon talk passé", speakers=[speaker])
    TalkFactory(title="Ma proposition", submitted_by=member, speakers=[speaker])
    shared = TalkFactory(title="Talk à deux", speakers=[speaker, SpeakerFactory(name="Léa")])
    TopicVoteFactory(topic=TopicFactory(title="Rust"), member=member)
    topic = TopicFactory(title="Zig", suggested_by=member)
    return {
        "speaker": speaker,
        "given": given,
        "shared": shared,
        "topic": topic,
    }


def test_delete_keeps_given_talks_under_the_public_name(
    member, speaker_with_talks, settings, django_capture_on_commit_callbacks
):
    settings.ORGANIZERS_EMAILS = ["orgas@example.org"]

    with django_capture_on_commit_callbacks(execute=True):
        member_delete(member=member)

    speaker = speaker_with_talks["speaker"]
    speaker.refresh_from_db()
    assert (speaker.name, speaker.user, speaker.bio, speaker.website_url) == (
        "Camille Martin", None, "", ""
    )  # fmt: skip
    assert list(speaker.talks.values_list("title", flat=True)) == ["Mon talk passé"]
    assert not Talk.objects.filter(title="Ma proposition").exists()
    shared = speaker_with_talks["shared"]
    assert [s.name for s in shared.speakers.all()] == ["Léa"]
    assert not TopicVote.objects.filter(member=member).exists()
    speaker_with_talks["topic"].refresh_from_db()
    assert speaker_with_talks["topic"].suggested_by is None
    to_organizers = [m for m in mail.outbox if m.to == ["orgas@example.org"]]
    assert len(to_organizers) == 1
    assert "- Ma proposition" in to_organizers[0].body


def test_delete_can_anonymise_given_talks(member, speaker_with_talks):
    member_delete(member=member, keep_talks=False)

    speaker = speaker_with_talks["speaker"]
    speaker.refresh_from_db()
    assert speaker.name == "Intervenant·e anonyme"
    assert speaker.slug.startswith("anonyme-")
    assert speaker.talks.get().title == "Mon talk passé"


def test_delete_form_offers_to_remove_the_name_from_talks(
    member_client, member, speaker_with_talks
):
    step1 = member_client.post(reverse("community:delete"), {"password": PASSWORD})
    token = re.search(r'name="token" value="([^"]+)"', step1.content.decode()).group(1)

    assert "Retirer aussi mon nom des talks que j'ai donnés" in html.unescape(
        step1.content.decode()
    )
    member_client.post(reverse("community:delete"), {"token": token, "remove_talks": "on"})

    speaker_with_talks["speaker"].refresh_from_db()
    assert speaker_with_talks["speaker"].name == "Intervenant·e anonyme"


def test_delete_removes_a_speaker_who_gave_no_talk(member):
    speaker = SpeakerFactory(user=member)
    TalkFactory(submitted_by=member, speakers=[speaker], status="rejected")

    member_delete(member=member)

    assert not Speaker.objects.filter(pk=speaker.pk).exists()
    assert not Talk.objects.exists()
