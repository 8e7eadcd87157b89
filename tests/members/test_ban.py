import pytest
from django.core import mail
from django.urls import reverse

from community.services import MemberError, member_ban, member_unban
from events.models import RSVP
from events.services import RSVPError, rsvp_create
from members.models import User
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_event(member, outsider):
    """One seat, taken by the member; the outsider waits."""
    event = EventFactory(capacity=1)
    RSVPFactory(event=event, member=member, status=RSVP.Status.CONFIRMED)
    RSVPFactory(event=event, member=outsider, status=RSVP.Status.WAITLISTED)
    return event


def test_ban_from_the_user_page_cancels_future_rsvps_and_moves_the_waiting_list_up(
    organizer_client, member, outsider, full_event, django_capture_on_commit_callbacks
):
    past = EventFactory(past=True)
    RSVPFactory(event=past, member=member)

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("admin:members_user_ban", args=[member.pk]),
            {"reason": "Propos sexistes répétés à l'API Hour #41", "message": ""},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:members_user_change", args=[member.pk])
    member.refresh_from_db()
    assert member.is_banned
    assert member.ban_reason == "Propos sexistes répétés à l'API Hour #41"
    assert RSVP.objects.get(event=full_event, member=member).status == RSVP.Status.CANCELLED
    assert RSVP.objects.get(event=full_event, member=outsider).status == RSVP.Status.CONFIRMED
    assert RSVP.objects.get(event=past, member=member).status == RSVP.Status.CONFIRMED
    [ban_email] = [m for m in mail.outbox if m.to == ["camille@example.org"]]
    assert ban_email.subject == "[Clermont'ech] Votre compte Clermont'ech"
    assert "n'est pas compatible avec notre code de conduite" in ban_email.body
    assert full_event.title in ban_email.body
    assert "sexistes" not in ban_email.body  # the reason stays with the organizers
    assert [m.to for m in mail.outbox if m.to != ["camille@example.org"]] == [
        ["dominique@example.org"]
    ]


def test_banned_member_cannot_rsvp(member, organizer, event):
    member_ban(member=member, reason="Harcèlement", by=organizer)

    with pytest.raises(RSVPError, match="ne permet plus de s'inscrire"):
        rsvp_create(event=event, member=member)


def test_ban_message_to_the_member_is_added_to_the_email(
    member, organizer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_ban(
            member=member,
            reason="Interne",
            message="Vous avez photographié des participantes contre leur gré.",
            by=organizer,
        )

    [email] = mail.outbox
    assert "Vous avez photographié des participantes contre leur gré." in email.body
    assert "Interne" not in email.body


def test_ban_without_reason_shows_an_error_and_changes_nothing(organizer_client, member):
    response = organizer_client.post(
        reverse("admin:members_user_ban", args=[member.pk]), {"reason": "  ", "message": ""}
    )

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    member.refresh_from_db()
    assert not member.is_banned


def test_ban_refuses_oneself_and_a_second_ban(member, organizer):
    with pytest.raises(MemberError, match="Vous ne pouvez pas vous exclure vous-même."):
        member_ban(member=organizer, reason="x", by=organizer)
    member_ban(member=member, reason="x", by=organizer)
    with pytest.raises(MemberError, match="Ce membre est déjà exclu."):
        member_ban(member=member, reason="y", by=organizer)


def test_unban_from_the_user_page_restores_the_member(
    organizer_client, member, organizer, event, django_capture_on_commit_callbacks
):
    member_ban(member=member, reason="Erreur de personne", by=organizer)

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(reverse("admin:members_user_unban", args=[member.pk]))

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.banned_at, member.ban_reason) == (None, "")
    assert [m.subject for m in mail.outbox] == [
        "[Clermont'ech] Votre compte Clermont'ech est rétabli"
    ]
    assert rsvp_create(event=event, member=member).created


def test_unban_a_member_not_banned_is_refused(member, organizer):
    with pytest.raises(MemberError, match="Ce membre n'est pas exclu."):
        member_unban(member=member, by=organizer)


def test_ban_action_on_the_user_list_opens_the_ban_form_for_one_member(
    organizer_client, member, outsider
):
    url = reverse("admin:members_user_changelist")

    one = organizer_client.post(url, {"action": "ban_member", "_selected_action": [member.pk]})
    two = organizer_client.post(
        url, {"action": "ban_member", "_selected_action": [member.pk, outsider.pk]}, follow=True
    )

    assert one["Location"] == reverse("admin:members_user_ban", args=[member.pk])
    assert "Choisissez un seul membre" in two.content.decode()


def test_ban_page_is_for_staff_with_change_permission_only(client, member):
    staff_without_permission = UserFactory(is_staff=True)
    client.force_login(staff_without_permission)

    response = client.post(
        reverse("admin:members_user_ban", args=[member.pk]), {"reason": "x", "message": ""}
    )

    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.is_banned


def test_user_page_shows_the_ban_button(organizer_client, member):
    response = organizer_client.get(reverse("admin:members_user_change", args=[member.pk]))

    assert reverse("admin:members_user_ban", args=[member.pk]) in response.content.decode()


def test_users_cannot_be_hard_deleted_from_the_admin(organizer_client, member):
    response = organizer_client.post(
        reverse("admin:members_user_delete", args=[member.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert User.objects.filter(pk=member.pk, is_active=True).exists()


def test_erase_from_the_admin_anonymises_the_member(organizer_client, member):
    response = organizer_client.post(reverse("admin:members_user_erase", args=[member.pk]))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.email == f"deleted-{member.pk}@invalid"
