"""Co-speakers are invited, never added without their consent.

Before: naming a member's address as co-speaker put the talk in their "My proposals"
at once, and the form answered differently for an address with an account ("Aucun
compte n'utilise l'adresse …"), telling anyone which addresses are members.
"""

import html
import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from talks.models import CoSpeakerInvitation, Speaker, Talk
from talks.services import TalkError, invitation_accept, invitation_decline
from talks.tokens import invitation_token
from tests.conftest import count_queries, text
from tests.factories import EventFactory, SpeakerFactory, TalkFactory, UserFactory
from tests.talks.test_cfp_pages import PROPOSAL

S = Talk.Status
I = CoSpeakerInvitation.Status  # noqa: E741


def visible(response) -> str:
    """The words a person reads on the page: no tags, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def invitation_link(message) -> str:
    """The path of the invitation page, as found in the email."""
    return re.search(r"https://clermontech\.test(/talks/invitation/[^/\s]+/)", message.body)[1]


@pytest.fixture
def propose(member_client, run_on_commit):
    """propose(co_speakers): the member proposes PROPOSAL naming these co-speakers."""

    def send(co_speakers: str, **changes):
        with run_on_commit():
            response = member_client.post(
                reverse("talks:propose"), {**PROPOSAL, "co_speakers": co_speakers, **changes}
            )
        return response

    return send


@pytest.fixture
def invited(member, member_speaker, outsider, run_on_commit):
    """A proposal of the member, Dominique (outsider, a member) invited by email."""
    talk = TalkFactory(
        title="Rust à deux",
        status=S.SUBMITTED,
        submitted_by=member,
        speakers=[member_speaker],
        notes="Note privée de Camille",
    )
    invitation = CoSpeakerInvitation.objects.create(
        talk=talk, email="dominique@example.org", name="Dominique", invited_by=member
    )
    return invitation


# The form answers the same for every valid address ----------------------------------


def _run(client, propose, address: str) -> dict:
    """Propose with this address as co-speaker; what the proposer sees and what is sent."""
    mail.outbox = []
    posted = propose(f"Alex Martin <{address}>")
    mine = client.get(posted.url)
    preview = client.post(
        reverse("talks:propose"),
        {**PROPOSAL, "co_speakers": f"Alex Martin <{address}>", "preview": "1"},
    )
    invalid = client.post(
        reverse("talks:propose"), {**PROPOSAL, "co_speakers": address, "title": "Go"}
    )
    sent = [
        (m.to == [address], m.subject, re.sub(r"/talks/invitation/[^/\s]+/", "/LINK/", m.body))
        for m in mail.outbox
        if "Invitation" in m.subject
    ]
    Talk.objects.all().delete()  # the next run starts from the same state
    return {
        "post": (posted.status_code, posted.url),
        "messages": messages_of(mine),
        "mine": visible(mine).replace(address, "ADDRESS"),
        "preview": (preview.status_code, visible(preview).replace(address, "ADDRESS")),
        "invalid": (invalid.status_code, visible(invalid).replace(address, "ADDRESS")),
        "sent": [(to, subject, body.replace(address, "ADDRESS")) for to, subject, body in sent],
    }


def test_form_answers_the_same_for_an_address_with_and_without_account(
    member_client, propose, outsider
):
    with_account = _run(member_client, propose, "dominique@example.org")
    without_account = _run(member_client, propose, "personne@example.net")

    assert with_account == without_account
    assert with_account["post"] == (302, reverse("talks:mine"))
    assert with_account["messages"][0].startswith("Merci ! Votre proposition")
    assert (
        "Invitation envoyée à Alex Martin <ADDRESS>, en attente de sa réponse."
        in (with_account["mine"])
    )
    assert with_account["invalid"][0] == 400
    assert "Aucun compte" not in with_account["invalid"][1]
    assert with_account["sent"][0][:2] == (
        True,
        "[Clermont'ech] Invitation à présenter un talk à plusieurs : Rust pour les gens pressés",
    )


def test_invitation_email_is_the_same_whoever_the_address_belongs_to(
    propose, outsider, run_on_commit
):
    propose("dominique@example.org\npersonne@example.net")

    first, second = [m for m in mail.outbox if "Invitation" in m.subject]
    normalized = [
        re.sub(r"/talks/invitation/[^/\s]+/", "/LINK/", m.body).replace(m.to[0], "ADDRESS")
        for m in (first, second)
    ]
    assert normalized[0] == normalized[1]
    assert "Camille propose un talk pour une API Hour de Clermont'ech" in first.body
    assert "Le lien est valable 30 jours." in first.body
    assert "personne n'est ajouté à un talk sans son accord" in first.body


def test_own_address_among_co_speakers_is_ignored(member, propose):
    propose("CAMILLE@example.org")

    talk = Talk.objects.get()
    assert [s.name for s in talk.speaker_list] == ["Camille"]
    assert not CoSpeakerInvitation.objects.exists()


# Until they accept, the invitee has nothing of the talk --------------------------------


def test_invitee_sees_only_the_invitation_before_accepting(invited, outsider_client):
    talk = invited.talk

    response = outsider_client.get(reverse("talks:mine"))

    page = visible(response)
    assert "Invitations à présenter un talk" in page
    assert (
        "« Rust à deux » Camille vous invite à présenter ce talk (invitation envoyée à "
        "dominique@example.org). Vous n'y serez ajouté·e que si vous acceptez."
    ) in page
    assert "Vous n'avez encore proposé aucun talk." in page
    html = response.content.decode()
    assert reverse("talks:edit", args=[talk.pk]) not in html
    assert f'id="talk-{talk.pk}"' not in html
    assert "Note privée de Camille" not in html
    assert outsider_client.get(reverse("talks:edit", args=[talk.pk])).status_code == 404
    assert outsider_client.get(talk.get_absolute_url()).status_code == 404
    assert outsider_client.post(reverse("talks:withdraw", args=[talk.pk])).status_code == 404
    assert outsider_client.get(reverse("community:export")).content.decode().count("Rust") == 0


def test_proposer_sees_the_invitation_pending(invited, member_client):
    page = visible(member_client.get(reverse("talks:mine")))

    assert "Invitation envoyée à Dominique <dominique@example.org>, en attente de sa réponse." in (
        page
    )


# Accepting -------------------------------------------------------------------------------


def test_accept_from_my_proposals_adds_the_invitee_and_tells_the_proposer(
    invited, outsider, outsider_client, run_on_commit
):
    url = reverse("talks:my-invitation-accept", args=[invited.pk])

    with run_on_commit():
        response = outsider_client.post(url, follow=True)

    assert messages_of(response) == [
        "Bienvenue sur « Rust à deux » : vous le présentez désormais, il est dans vos propositions."
    ]
    invited.refresh_from_db()
    assert (invited.status, invited.accepted_by) == (I.ACCEPTED, outsider)
    own = Speaker.objects.get(user=outsider)
    assert [s.name for s in invited.talk.speaker_list] == ["Camille", own.name]
    (to_proposer,) = mail.outbox
    assert to_proposer.to == ["camille@example.org"]
    assert to_proposer.subject == "[Clermont'ech] Dominique présentera « Rust à deux » avec vous"
    assert reverse("talks:edit", args=[invited.talk.pk]) in response.content.decode()
    assert "Invitations à présenter un talk" not in visible(response)

    with run_on_commit():
        again = outsider_client.post(url, follow=True)

    assert messages_of(again) == ["Vous présentez déjà « Rust à deux »."]
    assert invited.talk.speaker_links.count() == 2
    assert len(mail.outbox) == 1


def test_accept_from_the_email_link_after_logging_in(
    member, member_speaker, outsider, client, run_on_commit
):
    talk = TalkFactory(title="Rust à deux", submitted_by=member, speakers=[member_speaker])
    with run_on_commit():
        from talks.services import talk_update

        talk_update(
            talk=talk,
            member=member,
            **{k: PROPOSAL[k] for k in ("title", "abstract", "format", "language", "level")},
            first_time=False,
            wants_mentor=False,
            notes="",
            availability="",
            preferred_events=[],
            co_speakers=_co("Dominique <dominique@example.org>"),
        )
    (email,) = mail.outbox
    link = invitation_link(email)

    page = client.get(link)

    assert page.status_code == 200
    assert "« Rust pour les gens pressés »" in visible(page)
    assert "Me connecter pour accepter" in visible(page)
    assert 'value="Refuser"' not in text(page)  # a button, not an input
    assert "Refuser</button>" in text(page)
    invitation = CoSpeakerInvitation.objects.get()
    assert invitation.status == I.PENDING  # a GET changes nothing
    response = client.post(link + "accept/")
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?{urlencode({'next': link})}"
    invitation.refresh_from_db()
    assert invitation.status == I.PENDING

    client.force_login(outsider)
    assert "Accepter</button>" in text(client.get(link))
    with run_on_commit():
        response = client.post(link + "accept/")

    assert response.status_code == 302
    assert response.url == reverse("talks:mine")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (I.ACCEPTED, outsider)
    talk.refresh_from_db()
    assert [s.user for s in talk.speaker_list] == [member, outsider]
    assert "Vous avez accepté cette invitation" in visible(client.get(link))


def _co(*lines: str):
    """The co-speakers as ProposalForm.clean_co_speakers returns them."""
    from talks.forms import NAME_WITH_EMAIL
    from talks.services import CoSpeaker

    result = []
    for line in lines:
        match = NAME_WITH_EMAIL.match(line)
        result.append(CoSpeaker(name=match["name"], email=match["email"]))
    return result


def test_email_link_refused_to_another_member_without_the_address(invited, outsider, run_on_commit):
    """The link is a bearer token: a forwarded link must not put someone else on the talk."""
    stranger = UserFactory(email="claude@example.org", display_name="Claude")
    link = reverse("talks:invitation", args=[invitation_token(invited)])
    from django.test import Client

    client = Client()
    client.force_login(stranger)

    page = visible(client.get(link))
    with run_on_commit():
        response = client.post(link + "accept/", follow=True)

    assert "Vous êtes connecté·e avec un compte qui n'a pas l'adresse dominique@example.org" in (
        page
    )
    assert "Accepter</button>" not in page
    assert messages_of(response) == [
        "Cette invitation a été envoyée à dominique@example.org, qui n'est pas une adresse "
        "confirmée de votre compte. Ajoutez cette adresse à votre compte et confirmez-la, ou "
        "connectez-vous avec le compte qui l'utilise."
    ]
    invited.refresh_from_db()
    assert invited.status == I.PENDING
    assert invited.talk.speaker_links.count() == 1
    assert mail.outbox == []

    # The same member, once the address is verified on their account, may accept.
    EmailAddress.objects.create(user=stranger, email="Dominique@Example.org", verified=True)
    client.post(link + "accept/")
    invited.refresh_from_db()
    assert (invited.status, invited.accepted_by) == (I.ACCEPTED, stranger)


def test_an_unverified_matching_address_is_not_enough(invited, outsider):
    EmailAddress.objects.filter(user=outsider).update(verified=False)

    with pytest.raises(TalkError):
        invitation_accept(invitation=invited, member=outsider)

    invited.refresh_from_db()
    assert invited.status == I.PENDING


# Declining -------------------------------------------------------------------------------


def test_decline_from_the_email_link_without_logging_in(invited, client, run_on_commit):
    link = reverse("talks:invitation", args=[invitation_token(invited)])

    with run_on_commit():
        response = client.post(link + "decline/", follow=True)

    assert messages_of(response) == [
        "Invitation déclinée : « Rust à deux » se fera sans vous. La personne qui vous a "
        "invité·e est prévenue."
    ]
    assert "Cette invitation a été déclinée." in visible(response)
    invited.refresh_from_db()
    assert (invited.status, invited.accepted_by) == (I.DECLINED, None)
    assert invited.answered_at is not None
    assert invited.talk.speaker_links.count() == 1
    (to_proposer,) = mail.outbox
    assert to_proposer.to == ["camille@example.org"]
    assert to_proposer.subject == (
        "[Clermont'ech] Dominique <dominique@example.org> a décliné votre invitation : Rust à deux"
    )

    with run_on_commit():
        again = client.post(link + "decline/", follow=True)
    assert messages_of(again) == ["Vous aviez déjà décliné cette invitation."]
    assert len(mail.outbox) == 1


def test_decline_from_my_proposals(invited, outsider_client, member_client):
    response = outsider_client.post(
        reverse("talks:my-invitation-decline", args=[invited.pk]), follow=True
    )

    assert "Invitation déclinée" in messages_of(response)[0]
    invited.refresh_from_db()
    assert invited.status == I.DECLINED
    assert "Dominique <dominique@example.org> a décliné l'invitation." in visible(
        member_client.get(reverse("talks:mine"))
    )


def test_declined_address_is_not_invited_again(invited, member_client):
    invitation_decline(invitation=invited)

    response = member_client.post(
        reverse("talks:edit", args=[invited.talk.pk]),
        {**PROPOSAL, "co_speakers": "Dominique <dominique@example.org>"},
    )

    assert response.status_code == 400
    assert "dominique@example.org a décliné l'invitation à présenter ce talk." in text(response)
    assert CoSpeakerInvitation.objects.count() == 1


def test_accept_after_decline_is_refused(invited, outsider):
    invitation_decline(invitation=invited)

    with pytest.raises(TalkError, match="Cette invitation a été déclinée."):
        invitation_accept(invitation=invited, member=outsider)


# Links that are not valid ------------------------------------------------------------------


def test_forged_link_is_a_400_with_a_clear_message(invited, client, outsider_client):
    token = invitation_token(invited)
    forged = token[:-2] + ("xx" if not token.endswith("xx") else "yy")

    for response in (
        client.get(reverse("talks:invitation", args=[forged])),
        client.post(reverse("talks:invitation-decline", args=[forged])),
        outsider_client.post(reverse("talks:invitation-accept", args=[forged])),
        client.get(reverse("talks:invitation", args=["pas-un-jeton"])),
    ):
        assert response.status_code == 400
        assert "Ce lien d'invitation n'est pas valide" in text(response)
    invited.refresh_from_db()
    assert invited.status == I.PENDING


def test_expired_link_is_a_400_with_a_clear_message(invited, client):
    class ThirtyOneDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 31 * 24 * 3600)

    old = ThirtyOneDaysAgo(salt="talks.invitation").sign_object(
        {"invitation": invited.pk}, compress=True
    )

    page = client.get(reverse("talks:invitation", args=[old]))
    response = client.post(reverse("talks:invitation-decline", args=[old]))

    assert page.status_code == 400
    assert "Ce lien d'invitation a expiré (il était valable 30 jours)." in text(page)
    assert response.status_code == 400
    invited.refresh_from_db()
    assert invited.status == I.PENDING


def test_confirm_token_is_not_an_invitation_token(invited, client):
    """Two salts: the link confirming talk N does not open invitation N."""
    from talks.tokens import confirm_token

    token = confirm_token(invited.talk)

    assert client.get(reverse("talks:invitation", args=[token])).status_code == 400


# Who may answer -----------------------------------------------------------------------------


def test_my_invitation_urls_matrix(invited, client, member_client, outsider_client):
    accept = reverse("talks:my-invitation-accept", args=[invited.pk])
    decline = reverse("talks:my-invitation-decline", args=[invited.pk])
    stranger = UserFactory(email="claude@example.org")
    from django.test import Client

    stranger_client = Client()
    stranger_client.force_login(stranger)

    assert client.post(accept).status_code == 302  # to the login page
    assert outsider_client.get(accept).status_code == 405
    for other in (member_client, stranger_client):  # the proposer, and a stranger
        assert other.post(accept).status_code == 404
        assert other.post(decline).status_code == 404
        assert "Invitations à présenter un talk" not in visible(other.get(reverse("talks:mine")))
    assert outsider_client.post(
        reverse("talks:my-invitation-accept", args=[10**9])
    ).status_code == (404)
    invited.refresh_from_db()
    assert invited.status == I.PENDING
    assert invited.talk.speaker_links.count() == 1


def test_banned_invitee_cannot_accept(invited, outsider, outsider_client):
    outsider.banned_at = timezone.now()
    outsider.save()

    response = outsider_client.post(
        reverse("talks:my-invitation-accept", args=[invited.pk]), follow=True
    )

    assert "ne permet plus de participer aux propositions" in messages_of(response)[0]
    invited.refresh_from_db()
    assert invited.status == I.PENDING


# Talks that are no longer open ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (S.WITHDRAWN, "Ce talk est retiré : l'invitation ne peut plus être acceptée."),
        (S.REJECTED, "Ce talk est refusé : l'invitation ne peut plus être acceptée."),
        (S.CANCELLED, "Ce talk est annulé : l'invitation ne peut plus être acceptée."),
    ],
)
def test_invitation_to_a_closed_talk_is_refused(
    invited, outsider, outsider_client, status, message
):
    Talk.objects.filter(pk=invited.talk_id).update(status=status)
    link = reverse("talks:invitation", args=[invitation_token(invited)])

    listed = visible(outsider_client.get(reverse("talks:mine")))
    page = visible(outsider_client.get(link))
    response = outsider_client.post(link + "accept/", follow=True)

    assert "Invitations à présenter un talk" not in listed
    assert message in page
    assert "Accepter</button>" not in page
    assert message in messages_of(response)
    invited.refresh_from_db()
    assert invited.status == I.PENDING
    assert invited.talk.speaker_links.count() == 1


def test_invitation_to_a_talk_whose_event_started_is_refused(invited, outsider):
    event = EventFactory(starts_at=timezone.now() - timedelta(minutes=5))
    Talk.objects.filter(pk=invited.talk_id).update(status=S.ACCEPTED, event=event)

    with pytest.raises(TalkError, match="L'événement de ce talk a commencé"):
        invitation_accept(invitation=invited, member=outsider)


def test_removing_the_line_cancels_the_pending_invitation(invited, member_client, outsider):
    talk = invited.talk
    page = text(member_client.get(reverse("talks:edit", args=[talk.pk])))
    assert "Dominique <dominique@example.org></textarea>" in page

    member_client.post(reverse("talks:edit", args=[talk.pk]), {**PROPOSAL, "co_speakers": ""})

    invited.refresh_from_db()
    assert invited.status == I.CANCELLED
    with pytest.raises(TalkError, match="annulée par la personne qui l'avait envoyée"):
        invitation_accept(invitation=invited, member=outsider)


def test_keeping_the_line_keeps_the_invitation_without_a_new_email(
    invited, member_client, run_on_commit
):
    talk = invited.talk
    data = {**PROPOSAL, "co_speakers": "Dominique <DOMINIQUE@example.org>\nSam Leroy"}

    with run_on_commit():
        member_client.post(reverse("talks:edit", args=[talk.pk]), data)

    assert list(CoSpeakerInvitation.objects.values_list("status", flat=True)) == [I.PENDING]
    assert [s.name for s in talk.speaker_list] == ["Camille", "Sam Leroy"]
    assert mail.outbox == []


# The four-speaker limit counts pending invitations --------------------------------------------


def test_pending_invitations_count_towards_the_limit(member, member_speaker, member_client):
    talk = TalkFactory(
        submitted_by=member,
        speakers=[member_speaker, SpeakerFactory(name="Bea"), SpeakerFactory(name="Cem")],
    )
    CoSpeakerInvitation.objects.create(talk=talk, email="d@example.net", invited_by=member)

    response = member_client.post(
        reverse("talks:edit", args=[talk.pk]),
        {**PROPOSAL, "co_speakers": "Bea\nCem\nd@example.net\ne@example.net"},
    )

    assert response.status_code == 400
    assert "3 co-intervenant·es au plus." in text(response)
    assert CoSpeakerInvitation.objects.count() == 1


def test_accept_refused_when_the_talk_is_full(invited, outsider):
    for name in ("Bea", "Cem", "Dan"):
        invited.talk.speaker_links.create(speaker=SpeakerFactory(name=name), position=9)

    with pytest.raises(TalkError, match="Ce talk a déjà 4 intervenant·es"):
        invitation_accept(invitation=invited, member=outsider)

    invited.refresh_from_db()
    assert invited.status == I.PENDING


# Organizers ------------------------------------------------------------------------------------


def test_admin_talk_page_lists_the_invitations(invited, organizer_client):
    page = text(organizer_client.get(reverse("admin:talks_talk_change", args=[invited.talk.pk])))

    assert "Invitations à co-présenter (la personne n'est ajoutée que si elle accepte)" in page
    assert "dominique@example.org" in page


def test_undoing_a_claim_moves_talks_joined_by_invitation_too(
    invited, outsider, organizer, run_on_commit
):
    """The talks a member joined by saying yes follow them when their claim is undone."""
    from talks.services import speaker_claim_approve, speaker_claim_create, speaker_claim_undo

    archive = SpeakerFactory(name="Dominique D.")
    TalkFactory(given=True, speakers=[archive])
    claim = speaker_claim_create(member=outsider, speaker=archive)
    speaker_claim_approve(claim=claim, by=organizer)
    invitation_accept(invitation=invited, member=outsider)
    assert invited.talk.speaker_list[1] == archive

    speaker_claim_undo(claim=claim, by=organizer)

    own = Speaker.objects.get(user=outsider)
    assert invited.talk.speaker_list[1] == own
    assert archive.talks.count() == 1


# Query counts ------------------------------------------------------------------------------------


def _talks_with_invitations(member, speaker, n: int) -> None:
    inviter = UserFactory()
    for i in range(n):
        talk = TalkFactory(submitted_by=member, speakers=[speaker, SpeakerFactory()])
        CoSpeakerInvitation.objects.create(talk=talk, email=f"x{i}@example.net", invited_by=member)
        CoSpeakerInvitation.objects.create(
            talk=talk, email=f"y{i}@example.net", invited_by=member, status=I.DECLINED
        )
        # And an invitation to the member, on someone else's talk.
        other = TalkFactory(submitted_by=inviter)
        CoSpeakerInvitation.objects.create(
            talk=other, email="camille@example.org", invited_by=inviter
        )


def test_mine_query_count_does_not_grow_with_talks_and_invitations(
    member, member_speaker, member_client
):
    _talks_with_invitations(member, member_speaker, 1)
    one = count_queries(member_client, reverse("talks:mine"))
    _talks_with_invitations(member, member_speaker, 4)

    page = visible(member_client.get(reverse("talks:mine")))
    assert page.count("Invitation envoyée à x") == 5
    assert page.count("vous invite à présenter ce talk") == 5
    assert count_queries(member_client, reverse("talks:mine")) == one


# Found by the newcomer's walk through the site ----------------------------------------


def test_a_bare_name_never_puts_a_member_with_an_account_on_a_talk(propose, outsider):
    """Typing a member's name used to attach their account's speaker profile at once:
    the talk showed in their "Mes propositions" and they could edit or withdraw it."""
    SpeakerFactory(name="Dominique", user=outsider)

    response = propose("Dominique")

    assert response.status_code == 400
    assert "invitez-la avec son adresse, sur une ligne « Dominique <adresse> »" in visible(response)
    assert not Talk.objects.exists()
    assert mail.outbox == []


def test_a_bare_name_still_adds_a_speaker_of_the_archive(propose, member):
    SpeakerFactory(name="Ada Lovelace")

    propose("Ada Lovelace")

    talk = Talk.objects.get()
    assert [s.name for s in talk.speaker_list] == ["Camille", "Ada Lovelace"]


def test_a_co_speaker_never_sees_nor_changes_the_proposers_notes(
    invited, outsider, outsider_client, run_on_commit
):
    invitation_accept(invitation=invited, member=outsider)
    talk = invited.talk
    url = reverse("talks:edit", args=[talk.pk])

    page = outsider_client.get(url)
    data = {**PROPOSAL, "title": "Rust à deux, revu", "co_speakers": "",
            "notes": "changé par Dominique", "availability": "changé"}  # fmt: skip
    outsider_client.post(url, data)

    assert page.status_code == 200
    assert "Note privée de Camille" not in page.content.decode()
    assert 'name="notes"' not in page.content.decode()
    talk.refresh_from_db()
    assert (talk.title, talk.notes) == ("Rust à deux, revu", "Note privée de Camille")


def test_a_ban_cancels_the_invitations_the_member_sent(invited, member, outsider, organizer):
    from community.services import member_ban

    member_ban(member=member, reason="Harcèlement", by=organizer)

    invited.refresh_from_db()
    assert invited.status == I.CANCELLED
    with pytest.raises(TalkError):
        invitation_accept(invitation=invited, member=outsider)
    assert not Talk.objects.filter(speakers__user=outsider).exists()


def test_deleting_the_account_wipes_the_notes_of_proposals_kept_by_co_speakers(
    invited, member, outsider
):
    from community.services import member_delete

    invitation_accept(invitation=invited, member=outsider)
    CoSpeakerInvitation.objects.create(
        talk=invited.talk, email="troisieme@example.org", invited_by=member
    )

    member_delete(member=member)

    talk = Talk.objects.get(pk=invited.talk_id)
    assert (talk.notes, talk.availability, talk.submitted_by) == ("", "", None)
    assert [s.user for s in talk.speaker_list] == [outsider]
    assert not CoSpeakerInvitation.objects.pending().exists()


def test_taking_an_address_off_and_back_sends_no_second_email(
    member, member_client, invited, run_on_commit
):
    url = reverse("talks:edit", args=[invited.talk_id])
    base = {**PROPOSAL, "title": invited.talk.title}

    with run_on_commit():
        member_client.post(url, {**base, "co_speakers": ""})
        member_client.post(url, {**base, "co_speakers": "Dominique <dominique@example.org>"})
        member_client.post(url, {**base, "co_speakers": ""})
        member_client.post(url, {**base, "co_speakers": "Dominique <dominique@example.org>"})

    invited.refresh_from_db()
    assert invited.status == I.PENDING
    assert CoSpeakerInvitation.objects.count() == 1
    assert mail.outbox == []  # the first email (made by the fixture) is the only one


def test_invitations_are_capped_per_member_and_day(member, member_client, run_on_commit):
    from talks.services import INVITATIONS_PER_DAY

    sent = 0
    for n in range(INVITATIONS_PER_DAY // 3 + 2):
        lines = "\n".join(f"P{n}-{k} <p{n}-{k}@example.org>" for k in range(3))
        with run_on_commit():
            response = member_client.post(
                reverse("talks:propose"), {**PROPOSAL, "title": f"Talk {n}", "co_speakers": lines}
            )
        if response.status_code == 302:
            sent += 3

    assert sent == INVITATIONS_PER_DAY // 3 * 3
    assert CoSpeakerInvitation.objects.count() == sent
    assert len(mail.outbox) >= sent  # the invitations, and the proposals' own emails
    last = member_client.post(
        reverse("talks:propose"),
        {
            **PROPOSAL,
            "title": "Encore",
            "co_speakers": "Zoé <zoe@example.org>\nYves <yves@example.org>",
        },
    )
    assert "beaucoup d'invitations aujourd'hui" in visible(last)
