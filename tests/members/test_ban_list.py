"""A ban outlives the account: the ban list refuses the address at sign-up, keyed hashes only."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from community.bans import email_fingerprint, normalize_email
from community.models import BannedAddress
from community.services import member_ban, member_delete, member_unban
from members.models import User
from tests.conftest import text
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = "Cette adresse ne peut pas être utilisée pour un compte Clermont'ech."


def _signup(client: Client, email: str):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": "De Retour",
            "password1": "une phrase de passe solide",
            "password2": "une phrase de passe solide",
            "accept_code_of_conduct": "on",
        },
    )


def _delete_account(client: Client) -> None:
    url = reverse("community:delete")
    step1 = client.post(url, {"password": PASSWORD})
    token = re.search(r'name="token" value="([^"]+)"', step1.content.decode()).group(1)
    assert client.post(url, {"token": token}).status_code == 302


@pytest.mark.parametrize(
    ("typed", "normalized"),
    [
        ("Camille@Example.org", "camille@example.org"),
        ("  camille+api@example.org ", "camille@example.org"),
        ("C.A.Mille+x@GoogleMail.com", "camille@gmail.com"),
        ("ca.mille@example.org", "ca.mille@example.org"),  # dots matter outside Gmail
    ],
)
def test_normalized_address_is_the_mailbox(typed, normalized):
    assert normalize_email(typed) == normalized


def test_the_list_keeps_a_keyed_hash_never_the_address(member, organizer):
    member_ban(member=member, reason="Propos insultants", by=organizer)

    [banned] = BannedAddress.objects.all()
    assert banned.fingerprint == email_fingerprint("camille@example.org")
    assert "camille" not in banned.fingerprint
    assert (banned.reason, banned.banned_by, banned.member) == (
        "Propos insultants",
        organizer,
        member,
    )


def test_ban_evasion_delete_then_sign_up_again_is_refused(member, organizer):
    """The tester's scenario: banned, delete the account, sign up again, RSVP and vote."""
    EmailAddress.objects.create(user=member, email="camille.pro@example.org", verified=True)
    member_ban(member=member, reason="Harcèlement à l'API Hour #70", by=organizer)
    client = Client()
    client.force_login(member)
    _delete_account(client)

    for address in ["camille@example.org", "CAMILLE+retour@example.org", "camille.pro@example.org"]:
        response = _signup(Client(), address)
        assert response.status_code == 200, address
        assert REFUSED in text(response), address
    assert User.objects.filter(deleted_at__isnull=True, email__icontains="camille").count() == 0
    # The organizers still know when and why.
    member.refresh_from_db()
    assert member.is_deleted and member.banned_at is not None
    assert member.ban_reason == "Harcèlement à l'API Hour #70"
    assert BannedAddress.objects.count() == 2
    assert set(BannedAddress.objects.values_list("reason", flat=True)) == {
        "Harcèlement à l'API Hour #70"
    }


def test_other_addresses_still_sign_up(member, organizer, client):
    member_ban(member=member, reason="Spam", by=organizer)

    response = _signup(client, "quelquun@example.org")

    assert response.status_code == 302
    assert User.objects.filter(email="quelquun@example.org").exists()


def test_a_banned_address_cannot_be_added_to_another_account(member, organizer, outsider_client):
    member_ban(member=member, reason="Spam", by=organizer)

    response = outsider_client.post(
        reverse("account_email"), {"action_add": "", "email": "camille@example.org"}
    )

    assert REFUSED in text(response)
    assert (
        not EmailAddress.objects.filter(email__iexact="camille@example.org")
        .exclude(user=member)
        .exists()
    )


def test_lifting_the_ban_after_deletion_lets_the_address_back_in(member, organizer, client):
    member_ban(member=member, reason="Malentendu", by=organizer)
    member_delete(member=member)
    member.refresh_from_db()

    member_unban(member=member, by=organizer)

    assert BannedAddress.objects.count() == 0
    assert _signup(client, "camille@example.org").status_code == 302


def test_admin_lists_bans_and_finds_an_address_typed_in_search(member, organizer, organizer_client):
    member_ban(member=member, reason="Propos insultants", by=organizer)
    member_delete(member=member)
    url = reverse("admin:community_bannedaddress_changelist")

    listing = text(organizer_client.get(url))
    found = organizer_client.get(url, {"q": "Camille+x@example.org"})
    missing = organizer_client.get(url, {"q": "autre@example.org"})

    assert "Propos insultants" in listing
    assert "camille@example.org" not in listing
    assert list(found.context["cl"].result_list) == list(BannedAddress.objects.all())
    assert list(missing.context["cl"].result_list) == []


def test_banned_members_who_existed_before_the_list_are_covered_by_the_migration():
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.utils import timezone

    migration = import_module("members.migrations.0007_ban_list_report_reference")
    banned = UserFactory(email="ancien@example.org", banned_at=timezone.now(), ban_reason="Vieux")
    # The models as they were when the migration ran (the tables have not moved since).
    state = MigrationLoader(connection).project_state(("members", "0007_ban_list_report_reference"))

    migration.backfill(state.apps, None)

    [row] = BannedAddress.objects.matching("ancien@example.org")
    assert (row.member, row.reason) == (banned, "Vieux")
