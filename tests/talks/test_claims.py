"""Speakers of the archive are never taken over: claims ("C'est moi") and their decisions.

Before: a member who set their display name to a past speaker's name and opened
/talks/speaker-profile/ was linked to that speaker at once, and could rewrite the
public bio, read and withdraw proposals naming them, and erase them from the
archive by deleting their account.
"""

import html
import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community.services import member_delete
from talks.models import Speaker, SpeakerClaim, Talk
from talks.services import (
    TalkError,
    speaker_claim_approve,
    speaker_claim_create,
    speaker_claim_reject,
    speaker_claim_undo,
    speaker_for_member,
    talk_submit,
)
from tests.conftest import text
from tests.factories import SpeakerFactory, StaffFactory, TalkFactory, UserFactory
from tests.members.test_profile import profile_data as account_data
from tests.talks.test_cfp_pages import PROPOSAL

S = Talk.Status
C = SpeakerClaim.Status
ADMIN_CLAIMS = "admin:talks_speakerclaim_changelist"


@pytest.fixture
def ada(db):
    """A speaker of the archive, without an account: a talk given, a proposal under review."""
    speaker = SpeakerFactory(
        name="Ada Lovelace",
        bio="Pionnière de la programmation.",
        github_url="https://github.com/ada",
        email="ada@archive.example",
    )
    TalkFactory(title="Le moteur analytique", given=True, speakers=[speaker])
    TalkFactory(
        title="La proposition d'Ada",
        status=S.SUBMITTED,
        speakers=[speaker],
        notes="Note privée d'Ada pour les organisateurs",
        availability="Jamais le lundi",
    )
    return speaker


def visible(response) -> str:
    """The words a person reads on the page: no tags, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def claim_url(speaker) -> str:
    return reverse("talks:speaker-claim", args=[speaker.slug])


def decide_url(claim) -> str:
    return reverse("admin:talks_speakerclaim_decide", args=[claim.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def speaker_data(**changes) -> dict:
    return {
        "name": "Ada Lovelace",
        "bio": "",
        "website_url": "",
        "mastodon_url": "",
        "bluesky_url": "",
        "github_url": "",
        "gitlab_url": "",
        "linkedin_url": "",
        **changes,
    }


def assert_ada_untouched(ada) -> None:
    ada.refresh_from_db()
    assert (ada.user, ada.name, ada.slug) == (None, "Ada Lovelace", "ada-lovelace")
    assert (ada.bio, ada.github_url) == ("Pionnière de la programmation.", "https://github.com/ada")
    assert sorted(ada.talks.values_list("title", flat=True)) == [
        "La proposition d'Ada",
        "Le moteur analytique",
    ]


# The takeover, end to end ------------------------------------------------------------


def test_renaming_yourself_after_a_past_speaker_takes_nothing_over(
    member, member_client, ada, run_on_commit
):
    ada_proposal = Talk.objects.get(title="La proposition d'Ada")
    # 1. The member renames themselves after the past speaker.
    member_client.post(reverse("members:profile"), account_data(display_name="Ada Lovelace"))
    member.refresh_from_db()
    assert member.display_name == "Ada Lovelace"

    # 2. They open their speaker profile and have it created: a profile of their own.
    with run_on_commit():
        member_client.get(reverse("talks:speaker-profile"))
        member_client.post(reverse("talks:speaker-profile"))
    own = Speaker.objects.get(user=member)
    assert (own.name, own.slug) == ("Ada Lovelace", "ada-lovelace-2")

    # 3. Editing "their" profile edits their own, never the archive's.
    response = member_client.post(
        reverse("talks:speaker-profile"), speaker_data(bio="Bio réécrite par quelqu'un d'autre")
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.bio == "Bio réécrite par quelqu'un d'autre"

    # 4. They propose a talk: it is theirs, under their own profile.
    with run_on_commit():
        member_client.post(reverse("talks:propose"), PROPOSAL)
    proposal = Talk.objects.get(title=PROPOSAL["title"])
    assert proposal.speaker_list == [own]

    # 5. Nothing of the past speaker's proposals is theirs to see or change.
    mine = text(member_client.get(reverse("talks:mine")))
    assert "La proposition d'Ada" not in mine
    assert member_client.get(reverse("talks:edit", args=[ada_proposal.pk])).status_code == 404
    assert member_client.post(reverse("talks:withdraw", args=[ada_proposal.pk])).status_code == 404
    assert member_client.get(ada_proposal.get_absolute_url()).status_code == 404
    export = member_client.get(reverse("community:export")).content.decode()
    assert "Note privée d'Ada" not in export
    assert "Jamais le lundi" not in export
    assert "La proposition d'Ada" not in export

    # 6. Deleting their account leaves the past speaker and their talks as they were.
    with run_on_commit():
        member_delete(member=member, keep_talks=False)
    assert_ada_untouched(ada)
    ada_proposal.refresh_from_db()
    assert ada_proposal.status == S.SUBMITTED
    assert not Speaker.objects.filter(pk=own.pk, user__isnull=False).exists()
    assert [m for m in mail.outbox if "revendique" in m.subject or "relié" in m.subject] == []


def test_namesake_keeps_their_name_on_their_own_profile(member, member_client, ada):
    member.display_name = "Ada Lovelace"
    member.save()
    own = speaker_for_member(member=member)

    response = member_client.post(reverse("talks:speaker-profile"), speaker_data(bio="Moi."))

    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.slug, own.bio) == ("Ada Lovelace", "ada-lovelace-2", "Moi.")
    assert_ada_untouched(ada)


def test_speaker_profile_points_to_an_archive_namesake(member, member_client, ada):
    member.display_name = "Ada Lovelace"
    member.save()

    response = member_client.get(reverse("talks:speaker-profile"))

    assert "Un profil « Ada Lovelace » existe dans les archives. Est-ce vous ?" in visible(response)
    assert f'href="{ada.get_absolute_url()}">Est-ce vous ?</a>' in text(response)


# Asking ------------------------------------------------------------------------------


def test_claim_button_on_the_page_of_a_speaker_without_account(
    client, member_client, outsider, ada
):
    linked = SpeakerFactory(name="Dominique", user=outsider)
    TalkFactory(given=True, speakers=[linked])

    anonymous = text(client.get(ada.get_absolute_url()))
    logged_in = text(member_client.get(ada.get_absolute_url()))
    has_account = text(member_client.get(linked.get_absolute_url()))

    assert "Connectez-vous pour le revendiquer." in anonymous
    assert f'action="{claim_url(ada)}"' not in anonymous
    assert f'action="{claim_url(ada)}"' in logged_in
    assert "C'est moi</button>" in logged_in
    assert 'data-testid="speaker-claim"' not in has_account


def test_claim_is_sent_to_the_organizers_and_changes_nothing_yet(
    member, member_client, ada, run_on_commit
):
    with run_on_commit():
        response = member_client.post(
            claim_url(ada), {"message": "C'était moi, en 2014, avec le moteur."}, follow=True
        )

    assert messages_of(response) == [
        "Demande envoyée : les organisateurs vérifient que le profil « Ada Lovelace » est "
        "bien le vôtre et vous répondent par e-mail. D'ici là, rien ne change."
    ]
    claim = SpeakerClaim.objects.get()
    assert (claim.member, claim.speaker, claim.status) == (member, ada, C.PENDING)
    assert claim.message == "C'était moi, en 2014, avec le moteur."
    assert_ada_untouched(ada)
    (to_organizers,) = mail.outbox
    assert to_organizers.to == ["orgas@clermontech.test"]
    assert to_organizers.subject == (
        "[Clermont'ech] « C'est moi » : Camille revendique le profil d'Ada Lovelace"
    )
    assert "Camille (camille@example.org) dit être l'intervenant·e « Ada Lovelace »" in (
        to_organizers.body
    )
    assert "C'était moi, en 2014, avec le moteur." in to_organizers.body
    assert (
        f"https://clermontech.test/admin/talks/speakerclaim/{claim.pk}/change/"
        in to_organizers.body
    )
    page = text(response)
    assert "Demande envoyée le " in page
    assert "C'est moi</button>" not in page
    profile = visible(member_client.get(reverse("talks:speaker-profile")))
    assert "Vos demandes en attente" in profile
    assert "Ada Lovelace — demande envoyée le " in profile


def test_claiming_twice_keeps_one_pending_claim(member, member_client, ada, run_on_commit):
    with run_on_commit():
        member_client.post(claim_url(ada))
        member_client.post(claim_url(ada))

    assert SpeakerClaim.objects.count() == 1
    assert len(mail.outbox) == 1


def test_claim_refused_to_a_banned_member(member, member_client, ada):
    member.banned_at = timezone.now()
    member.save()

    page = text(member_client.get(ada.get_absolute_url()))
    response = member_client.post(claim_url(ada), follow=True)

    assert "C'est moi</button>" not in page
    assert "ne permet plus de participer aux propositions" in page
    assert messages_of(response) == [
        "Votre compte ne permet plus de participer aux propositions de Clermont'ech. "
        "Pour en parler, écrivez aux organisateurs."
    ]
    assert not SpeakerClaim.objects.exists()


def test_claim_refused_to_an_unverified_member(member, member_client, ada):
    EmailAddress.objects.filter(user=member).update(verified=False)

    response = member_client.post(claim_url(ada), follow=True)

    assert messages_of(response) == [
        "Confirmez d'abord votre adresse e-mail : le lien est dans le message reçu."
    ]
    assert not SpeakerClaim.objects.exists()


def test_claim_refused_when_the_speaker_has_an_account(member_client, outsider):
    linked = SpeakerFactory(name="Dominique", user=outsider)
    TalkFactory(given=True, speakers=[linked])

    response = member_client.post(claim_url(linked), follow=True)

    assert messages_of(response) == [
        "Ce profil est déjà relié à un compte. Si c'est le vôtre, écrivez aux organisateurs."
    ]
    assert not SpeakerClaim.objects.exists()


def test_claim_matrix_anonymous_get_and_hidden_speakers(client, member_client, ada):
    hidden = SpeakerFactory(name="Sans talk public")

    assert client.post(claim_url(ada)).status_code == 302  # to the login page
    assert member_client.get(claim_url(ada)).status_code == 405
    assert member_client.post(claim_url(hidden)).status_code == 404
    assert member_client.post("/speakers/personne/claim/").status_code == 404
    assert not SpeakerClaim.objects.exists()


def test_claim_form_message_too_long_is_explained(member_client, ada):
    response = member_client.post(claim_url(ada), {"message": "x" * 1001}, follow=True)

    assert messages_of(response) == [
        "Assurez-vous que cette valeur comporte au plus 1000 caractères (actuellement 1001)."
    ]
    assert not SpeakerClaim.objects.exists()


# Proven by email -----------------------------------------------------------------------


def test_claim_proven_by_a_verified_address_is_approved_at_once(
    member, member_client, ada, run_on_commit
):
    ada.email = "CAMILLE@example.org"
    ada.save()

    with run_on_commit():
        response = member_client.post(claim_url(ada), follow=True)

    assert messages_of(response) == [
        "C'est fait : le profil « Ada Lovelace » est relié à votre compte (son adresse de "
        "contact est l'une de vos adresses confirmées)."
    ]
    ada.refresh_from_db()
    assert ada.user == member
    claim = SpeakerClaim.objects.get()
    assert (claim.status, claim.proven_by_email, claim.decided_by) == (C.APPROVED, True, None)
    to_member, to_organizers = mail.outbox
    assert to_member.to == ["camille@example.org"]
    assert to_member.subject == (
        "[Clermont'ech] Votre profil d'intervenant·e est relié à votre compte : Ada Lovelace"
    )
    assert to_organizers.to == ["orgas@clermontech.test"]
    assert to_organizers.subject == (
        "[Clermont'ech] Profil d'intervenant·e relié à un compte (adresse prouvée) : Ada Lovelace"
    )
    assert "Si c'est une erreur, annulez la revendication" in to_organizers.body


def test_a_second_verified_address_proves_it_too(member, member_client, ada):
    EmailAddress.objects.create(user=member, email="ada@archive.example", verified=True)

    member_client.post(claim_url(ada))

    ada.refresh_from_db()
    assert ada.user == member


def test_an_unverified_matching_address_proves_nothing(member, member_client, ada):
    EmailAddress.objects.create(user=member, email="ada@archive.example", verified=False)

    member_client.post(claim_url(ada))

    assert SpeakerClaim.objects.get().status == C.PENDING
    assert_ada_untouched(ada)


def test_approving_without_an_organizer_needs_the_email_proof(member, ada):
    claim = speaker_claim_create(member=member, speaker=ada)

    with pytest.raises(TalkError, match="Seuls les organisateurs approuvent"):
        speaker_claim_approve(claim=claim, by=None)

    assert_ada_untouched(ada)


# Approving -------------------------------------------------------------------------------


def test_approval_links_the_speaker_merges_the_provisional_profile_and_lets_them_edit(
    member, member_client, organizer, organizer_client, ada, run_on_commit
):
    own = speaker_for_member(member=member)
    own.bio, own.website_url = "Ma bio provisoire.", "https://camille.example.org"
    own.save()
    solo = TalkFactory(title="Mon talk", submitted_by=member, speakers=[own])
    shared = TalkFactory(title="À deux", submitted_by=member, speakers=[own, ada])
    claim = speaker_claim_create(member=member, speaker=ada, message="C'est moi.")

    with run_on_commit():
        response = organizer_client.post(
            reverse(ADMIN_CLAIMS),
            {"action": "approve_selected", "_selected_action": [claim.pk]},
            follow=True,
        )

    assert messages_of(response) == ["1 revendication approuvée."]
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.proven_by_email) == (
        C.APPROVED,
        organizer,
        False,
    )
    ada.refresh_from_db()
    assert ada.user == member
    # The archive's public texts stay; what was empty is filled from the provisional one.
    assert (ada.name, ada.bio, ada.github_url, ada.website_url) == (
        "Ada Lovelace",
        "Pionnière de la programmation.",
        "https://github.com/ada",
        "https://camille.example.org",
    )
    assert not Speaker.objects.filter(pk=own.pk).exists()
    assert solo.speaker_list == [ada]
    assert shared.speaker_list == [ada]  # one link, not two
    (to_member,) = mail.outbox
    assert to_member.to == ["camille@example.org"]
    assert "https://clermontech.test/talks/speaker-profile/" in to_member.body

    # The member now edits that profile, and sees its proposals.
    response = member_client.post(
        reverse("talks:speaker-profile"), speaker_data(bio="Ma nouvelle présentation.")
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert (ada.slug, ada.bio) == ("ada-lovelace", "Ma nouvelle présentation.")
    assert "La proposition d&#x27;Ada" in member_client.get(reverse("talks:mine")).content.decode()


def test_other_claims_stay_pending_and_can_be_decided_once_an_approval_is_undone(
    member, outsider, organizer, ada, run_on_commit
):
    """The QA walk: approving one claim used to refuse the others for good, so the real
    person could never claim again once the approval was undone."""
    mine = speaker_claim_create(member=member, speaker=ada)
    theirs = speaker_claim_create(member=outsider, speaker=ada)

    with run_on_commit():
        speaker_claim_approve(claim=mine, by=organizer)

    theirs.refresh_from_db()
    assert theirs.status == C.PENDING
    assert [(m.to[0], m.subject) for m in mail.outbox] == [
        (
            "camille@example.org",
            "[Clermont'ech] Votre profil d'intervenant·e est relié à votre compte : Ada Lovelace",
        )
    ]
    with pytest.raises(TalkError, match="est déjà relié à un compte"):
        speaker_claim_approve(claim=theirs, by=organizer)

    speaker_claim_undo(claim=mine, by=organizer)
    speaker_claim_approve(claim=theirs, by=organizer)

    ada.refresh_from_db()
    assert ada.user == outsider


@pytest.mark.parametrize("decide", [speaker_claim_approve, speaker_claim_reject])
def test_nobody_decides_their_own_claim(organizer, ada, decide):
    claim = speaker_claim_create(member=organizer, speaker=ada)

    with pytest.raises(TalkError, match="Personne ne décide de sa propre revendication"):
        decide(claim=claim, by=organizer)

    claim.refresh_from_db()
    assert claim.status == C.PENDING
    assert_ada_untouched(ada)


def test_approval_refused_when_the_member_already_holds_an_archive_profile(member, organizer, ada):
    babbage = SpeakerFactory(name="Charles Babbage")
    TalkFactory(given=True, speakers=[babbage])
    speaker_claim_approve(claim=speaker_claim_create(member=member, speaker=babbage), by=organizer)

    with pytest.raises(
        TalkError, match="Votre compte est déjà relié au profil « Charles Babbage »"
    ):
        speaker_claim_create(member=member, speaker=ada)

    assert_ada_untouched(ada)


def test_approval_refused_for_a_member_banned_meanwhile(member, organizer, ada):
    claim = speaker_claim_create(member=member, speaker=ada)
    member.banned_at = timezone.now()
    member.save()

    with pytest.raises(TalkError, match="est exclu ou désactivé"):
        speaker_claim_approve(claim=claim, by=organizer)

    assert_ada_untouched(ada)


# Rejecting and undoing -------------------------------------------------------------------


def test_rejection_changes_nothing_and_tells_the_member_neutrally(
    member, member_client, organizer, organizer_client, ada, run_on_commit
):
    claim = speaker_claim_create(member=member, speaker=ada)

    with run_on_commit():
        response = organizer_client.post(decide_url(claim), {"decision": "reject"}, follow=True)

    assert messages_of(response) == ["1 revendication refusée."]
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (C.REJECTED, organizer)
    assert_ada_untouched(ada)
    (to_member,) = mail.outbox
    assert to_member.to == ["camille@example.org"]
    assert to_member.subject == "[Clermont'ech] Votre demande sur le profil d'Ada Lovelace"
    assert "Nous n'avons pas pu le faire." in to_member.body
    # Asking again goes to the organizers by email, not through a new claim.
    again = member_client.post(claim_url(ada), follow=True)
    assert messages_of(again) == [
        "Les organisateurs ont déjà examiné votre demande pour ce profil. "
        "Pour en reparler, écrivez-leur."
    ]
    assert SpeakerClaim.objects.count() == 1


def test_undo_unlinks_the_speaker_and_gives_the_member_their_proposals_back(
    member, member_client, organizer, organizer_client, ada, run_on_commit
):
    claim = speaker_claim_create(member=member, speaker=ada)
    speaker_claim_approve(claim=claim, by=organizer)
    proposal = talk_submit(
        member=member,
        title="Après l'approbation",
        abstract=PROPOSAL["abstract"],
        format="short",
        language="fr",
        level="beginner",
    )
    assert proposal.speaker_list == [ada]
    mail.outbox = []

    with run_on_commit():
        response = organizer_client.post(
            reverse(ADMIN_CLAIMS),
            {"action": "undo_selected", "_selected_action": [claim.pk]},
            follow=True,
        )

    assert messages_of(response) == ["1 revendication annulée."]
    claim.refresh_from_db()
    assert (claim.status, claim.undone_by, claim.decided_by) == (C.UNDONE, organizer, organizer)
    ada.refresh_from_db()
    assert ada.user is None
    own = Speaker.objects.get(user=member)
    assert (own.name, own.slug) == ("Camille", "camille")
    proposal.refresh_from_db()
    assert proposal.speaker_list == [own]
    assert sorted(ada.talks.values_list("title", flat=True)) == [
        "La proposition d'Ada",
        "Le moteur analytique",
    ]
    (to_member,) = mail.outbox
    assert to_member.subject == (
        "[Clermont'ech] Le profil d'Ada Lovelace n'est plus relié à votre compte"
    )
    mine = member_client.get(reverse("talks:mine")).content.decode()
    assert "Après l&#x27;approbation" in mine
    assert "La proposition d&#x27;Ada" not in mine


def test_undo_without_own_talks_creates_no_profile_until_needed(member, organizer, ada):
    claim = speaker_claim_create(member=member, speaker=ada)
    speaker_claim_approve(claim=claim, by=organizer)

    speaker_claim_undo(claim=claim, by=organizer)

    assert not Speaker.objects.filter(user=member).exists()
    assert speaker_for_member(member=member).slug == "camille"


def test_only_a_pending_claim_is_decided_and_only_an_approved_one_undone(member, organizer, ada):
    claim = speaker_claim_create(member=member, speaker=ada)

    with pytest.raises(TalkError, match="Seule une revendication approuvée peut être annulée"):
        speaker_claim_undo(claim=claim, by=organizer)
    speaker_claim_reject(claim=claim, by=organizer)
    with pytest.raises(TalkError, match="est déjà refusée"):
        speaker_claim_approve(claim=claim, by=organizer)


# Who may decide --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "service", [speaker_claim_approve, speaker_claim_reject, speaker_claim_undo]
)
def test_only_organizers_decide_through_the_services(member, outsider, ada, service):
    claim = speaker_claim_create(member=member, speaker=ada)
    staff = StaffFactory()

    for by in (member, outsider, staff):
        with pytest.raises(TalkError, match="Seuls les organisateurs"):
            service(claim=claim, by=by)

    claim.refresh_from_db()
    assert claim.status == C.PENDING
    assert_ada_untouched(ada)


def test_admin_claims_closed_to_members_and_to_staff_without_rights(
    member, client, member_client, outsider_client, ada
):
    claim = speaker_claim_create(member=member, speaker=ada)
    staff_client = client
    staff_client.force_login(StaffFactory())

    for other in (member_client, outsider_client):
        assert other.get(reverse(ADMIN_CLAIMS)).status_code == 302  # to the admin login
        assert other.post(decide_url(claim), {"decision": "approve"}).status_code == 302
    assert staff_client.get(reverse(ADMIN_CLAIMS)).status_code == 403
    assert staff_client.post(decide_url(claim), {"decision": "approve"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == C.PENDING
    assert_ada_untouched(ada)


def test_members_never_see_the_claims_of_others(member, outsider_client, ada):
    speaker_claim_create(member=member, speaker=ada, message="Mon message privé")

    profile = text(outsider_client.get(reverse("talks:speaker-profile")))
    page = text(outsider_client.get(ada.get_absolute_url()))

    assert "Vos demandes en attente" not in profile
    assert "Mon message privé" not in profile + page
    assert "Demande envoyée le" not in page
    assert "C'est moi</button>" in page  # they may still ask for themselves


def test_admin_decide_is_post_only_and_refuses_unknown_decisions(member, organizer_client, ada):
    claim = speaker_claim_create(member=member, speaker=ada)

    assert organizer_client.get(decide_url(claim)).status_code == 405
    response = organizer_client.post(decide_url(claim), {"decision": "delete"}, follow=True)

    assert messages_of(response) == ["Décision inconnue."]
    claim.refresh_from_db()
    assert claim.status == C.PENDING


# The admin pages ---------------------------------------------------------------------------


def test_admin_claim_pages_explain_and_link_from_the_speaker(member, organizer_client, ada):
    claim = speaker_claim_create(member=member, speaker=ada, message="C'est moi.")

    changelist = text(organizer_client.get(reverse(ADMIN_CLAIMS)))
    change = text(organizer_client.get(reverse("admin:talks_speakerclaim_change", args=[claim.pk])))
    speaker_page = text(organizer_client.get(reverse("admin:talks_speaker_change", args=[ada.pk])))

    assert "Rien ne change tant que vous n'avez pas décidé." in changelist
    assert "Camille <camille@example.org>" in changelist
    assert "Approuver : relier le profil au compte (e-mail au membre)" in changelist
    assert "C'est moi." in change
    assert "ada@archive.example" in change
    assert 'value="approve"' in change and 'value="reject"' in change
    link = reverse(ADMIN_CLAIMS) + f"?speaker__id__exact={ada.pk}"
    assert f'<a href="{link}">1 en attente de décision</a>' in speaker_page
    filtered = organizer_client.get(link)
    assert filtered.status_code == 200
    assert "Camille <camille@example.org>" in text(filtered)


# The data export ---------------------------------------------------------------------------


def test_export_keeps_private_notes_for_the_proposer_only(member, member_client, organizer, ada):
    speaker_claim_approve(claim=speaker_claim_create(member=member, speaker=ada), by=organizer)
    TalkFactory(
        title="Proposé par moi",
        submitted_by=member,
        speakers=[ada],
        notes="Ma note",
        availability="Le jeudi",
    )

    data = json.loads(member_client.get(reverse("community:export")).content)

    proposals = {t["title"]: t for t in data["talk_proposals"]}
    assert proposals["Proposé par moi"]["notes_for_organizers"] == "Ma note"
    assert proposals["Proposé par moi"]["availability"] == "Le jeudi"
    assert proposals["Proposé par moi"]["proposed_by_me"] is True
    assert proposals["La proposition d'Ada"]["proposed_by_me"] is False
    assert "notes_for_organizers" not in proposals["La proposition d'Ada"]
    assert "availability" not in proposals["La proposition d'Ada"]
    assert [(c["speaker"], c["status"]) for c in data["speaker_claims"]] == [
        ("Ada Lovelace", "approved")
    ]


def test_export_of_a_co_speaker_carries_no_private_notes(member, member_client, outsider):
    own = SpeakerFactory(name="Camille", user=member)
    TalkFactory(
        title="Le talk de Dominique",
        submitted_by=outsider,
        speakers=[SpeakerFactory(), own],
        notes="Note de Dominique",
        availability="Le jeudi",
    )

    response = member_client.get(reverse("community:export"))

    (talk,) = json.loads(response.content)["talk_proposals"]
    assert talk["title"] == "Le talk de Dominique"
    assert "notes_for_organizers" not in talk
    assert "availability" not in talk
    assert "Note de Dominique" not in response.content.decode()


def test_account_deletion_deletes_the_members_claims(member, outsider, ada):
    speaker_claim_create(member=member, speaker=ada, message="Mon message")
    speaker_claim_create(member=outsider, speaker=ada)

    member_delete(member=member)

    assert list(SpeakerClaim.objects.values_list("member", flat=True)) == [outsider.pk]
    assert_ada_untouched(ada)


def test_two_members_with_one_name_and_the_archive(member, ada):
    """UserFactory's namesake: three Ada Lovelace, three profiles, one archive."""
    member.display_name = "Ada Lovelace"
    member.save()
    other = UserFactory(display_name="Ada Lovelace")

    slugs = [speaker_for_member(member=m).slug for m in (member, other)]

    assert slugs == ["ada-lovelace-2", "ada-lovelace-3"]
    assert_ada_untouched(ada)


def test_naming_a_past_speaker_with_an_address_plants_no_proof(
    member, member_client, ada, run_on_commit
):
    """Was: "Ada Lovelace <address>" as co-speaker wrote that address on the archive
    speaker; with that address verified on one's account, a claim would be "proven"."""
    ada.email = ""
    ada.save()
    data = {**PROPOSAL, "co_speakers": "Ada Lovelace <plant@example.net>"}

    with run_on_commit():
        member_client.post(reverse("talks:propose"), data)
    EmailAddress.objects.create(user=member, email="plant@example.net", verified=True)
    member_client.post(claim_url(ada))

    ada.refresh_from_db()
    assert (ada.email, ada.user) == ("", None)
    assert SpeakerClaim.objects.get().status == C.PENDING
