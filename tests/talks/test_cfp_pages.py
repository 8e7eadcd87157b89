"""The call for proposals: who may propose, see, edit, withdraw and confirm what."""

import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from talks.models import Speaker, Talk, TalkStatusChange
from tests.conftest import text
from tests.factories import EventFactory, SpeakerFactory, TopicFactory

S = Talk.Status

PROPOSAL = {
    "title": "Rust pour les gens pressés",
    "abstract": "Ownership, emprunts et durées de vie expliqués en quinze minutes, avec des "
    "exemples tirés d'un vrai projet.",
    "format": "short",
    "language": "fr",
    "level": "beginner",
    "co_speakers": "",
    "bio": "Développeuse à Clermont.",
    "first_time": "on",
    "wants_mentor": "on",
    "availability": "Pas en juillet",
    "notes": "J'aurai besoin d'un adaptateur HDMI.",
}


def login_url(next_path: str) -> str:
    return f"{reverse('account_login')}?next={next_path}"


# Proposing ------------------------------------------------------------------


def test_propose_anonymous_is_sent_to_log_in_and_back(client):
    response = client.get(reverse("talks:propose") + "?topic=3")

    assert response.status_code == 302
    assert response.url == login_url("/talks/propose/%3Ftopic%3D3")


def test_propose_form_shows_for_verified_member(member_client):
    response = member_client.get(reverse("talks:propose"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Envoyer ma proposition" in html
    assert 'name="abstract"' in html


def test_propose_creates_talk_speaker_profile_and_emails(member, member_client, run_on_commit):
    event = EventFactory(title="API Hour #73")
    data = {**PROPOSAL, "preferred_events": [event.pk]}

    with run_on_commit():
        response = member_client.post(reverse("talks:propose"), data)

    assert response.status_code == 302
    assert response.url == reverse("talks:mine")
    talk = Talk.objects.get()
    assert (talk.title, talk.status, talk.submitted_by) == (
        "Rust pour les gens pressés",
        S.SUBMITTED,
        member,
    )
    assert (talk.first_time, talk.wants_mentor) == (True, True)
    assert talk.slug == "rust-pour-les-gens-presses"
    assert list(talk.preferred_events.all()) == [event]
    speaker = Speaker.objects.get(user=member)
    assert (speaker.name, speaker.slug, speaker.bio) == (
        "Camille",
        "camille",
        "Développeuse à Clermont.",
    )
    assert talk.speaker_list == [speaker]
    assert TalkStatusChange.objects.get(talk=talk).to_status == S.SUBMITTED
    to_organizers, to_speaker = mail.outbox
    assert to_organizers.to == ["orgas@clermontech.test"]
    assert to_organizers.subject == (
        "[Clermont'ech] Nouvelle proposition de talk : Rust pour les gens pressés"
    )
    assert "J'aurai besoin d'un adaptateur HDMI." in to_organizers.body
    assert f"https://clermontech.test/admin/talks/talk/{talk.pk}/change/" in to_organizers.body
    assert to_speaker.to == ["camille@example.org"]
    assert "https://clermontech.test/talks/mine/" in to_speaker.body


def test_propose_same_title_twice_gets_two_addresses(member_client):
    member_client.post(reverse("talks:propose"), PROPOSAL)
    member_client.post(reverse("talks:propose"), PROPOSAL)
    member_client.post(reverse("talks:propose"), {**PROPOSAL, "title": "Propose"})

    assert sorted(Talk.objects.values_list("slug", flat=True)) == [
        "propose-talk",
        "rust-pour-les-gens-presses",
        "rust-pour-les-gens-presses-2",
    ]


def test_propose_preview_renders_abstract_and_saves_nothing(member_client):
    data = {**PROPOSAL, "abstract": PROPOSAL["abstract"] + "\n\n**Venez nombreux**", "preview": "1"}

    response = member_client.post(reverse("talks:propose"), data)

    assert response.status_code == 200
    assert "<strong>Venez nombreux</strong>" in response.content.decode()
    assert Talk.objects.count() == 0
    assert mail.outbox == []


def test_propose_invalid_form_explains_and_saves_nothing(member_client):
    data = {**PROPOSAL, "title": "Go", "abstract": "Trop court", "format": "keynote"}

    response = member_client.post(reverse("talks:propose"), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Votre proposition n&#x27;a pas été envoyée : voir ci-dessous." in html
    assert "Le titre est trop court (5 caractères au moins)." in html
    assert "Le résumé est trop court" in html
    assert "Sélectionnez un choix valide" in html
    assert Talk.objects.count() == 0
    assert Speaker.objects.count() == 0


def test_propose_refused_to_banned_member_writes_nothing(member, member_client):
    member.banned_at = timezone.now()
    member.save()

    page = member_client.get(reverse("talks:propose"))
    response = member_client.post(reverse("talks:propose"), PROPOSAL)

    assert "Envoyer ma proposition" not in page.content.decode()
    assert "ne permet plus de participer aux propositions" in page.content.decode()
    assert response.status_code == 403
    assert "ne permet plus de participer aux propositions" in response.content.decode()
    assert Talk.objects.count() == 0
    assert Speaker.objects.count() == 0
    assert mail.outbox == []


def test_propose_needs_a_verified_email(member, member_client):
    EmailAddress.objects.filter(user=member).update(verified=False)

    page = member_client.get(reverse("talks:propose"))
    response = member_client.post(reverse("talks:propose"), PROPOSAL)

    assert "Confirmez d&#x27;abord votre adresse e-mail" in page.content.decode()
    assert response.status_code == 403
    assert Talk.objects.count() == 0


def test_propose_with_co_speakers_by_email_invites_and_by_name_adds(
    member, outsider, member_client, run_on_commit
):
    """Was: an address with an account put that member on the talk without asking."""
    data = {
        **PROPOSAL,
        "co_speakers": "DOMINIQUE@example.org\nAlex Martin <alex@example.net>\nSam Leroy",
    }

    with run_on_commit():
        member_client.post(reverse("talks:propose"), data)

    talk = Talk.objects.get()
    assert [s.name for s in talk.speaker_list] == ["Camille", "Sam Leroy"]
    assert [(i.email, i.name, i.status, i.invited_by) for i in talk.invitations.all()] == [
        ("DOMINIQUE@example.org", "", "pending", member),
        ("alex@example.net", "Alex Martin", "pending", member),
    ]
    invited = sorted(m.to[0] for m in mail.outbox if "Invitation" in m.subject)
    assert invited == ["DOMINIQUE@example.org", "alex@example.net"]


def test_propose_co_speaker_invalid_email_is_explained(member_client):
    data = {**PROPOSAL, "co_speakers": "inconnu@example.net\nnot-an-email@"}

    response = member_client.post(reverse("talks:propose"), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "« not-an-email@ » n&#x27;est pas une adresse e-mail valide." in html
    assert "Aucun compte" not in html
    assert Talk.objects.count() == 0


def test_propose_too_many_co_speakers_is_refused(member_client):
    data = {**PROPOSAL, "co_speakers": "A Un\nB Deux\nC Trois\nD Quatre"}

    response = member_client.post(reverse("talks:propose"), data)

    assert response.status_code == 400
    assert "3 co-intervenant·es au plus." in response.content.decode()


def test_propose_never_links_member_to_archive_speaker_of_same_name(
    member, member_client, run_on_commit
):
    """Was: the archive speaker of the same name became the member's (a takeover)."""
    archive = SpeakerFactory(name="camille", bio="Déjà venue en 2014.")

    with run_on_commit():
        member_client.post(reverse("talks:propose"), PROPOSAL)

    archive.refresh_from_db()
    assert (archive.user, archive.bio) == (None, "Déjà venue en 2014.")
    own = Speaker.objects.get(user=member)
    assert (own.slug, own.bio) == ("camille-2", "Développeuse à Clermont.")
    assert Talk.objects.get().speaker_list == [own]
    assert [m.subject for m in mail.outbox if "rattaché" in m.subject] == []


def test_propose_from_wishlist_topic_is_prefilled_and_linked(member_client):
    topic = TopicFactory(title="Les tests de mutation")

    page = member_client.get(reverse("talks:propose") + f"?topic={topic.pk}")
    member_client.post(reverse("talks:propose"), {**PROPOSAL, "topic": topic.pk})

    html = page.content.decode()
    assert 'value="Les tests de mutation"' in html
    assert "pour le sujet « Les tests de mutation »" in html
    assert Talk.objects.get().topic == topic


# My proposals: the permission matrix ----------------------------------------


def test_mine_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("talks:mine"))

    assert response.status_code == 302
    assert response.url == login_url("/talks/mine/")


def test_mine_lists_only_own_proposals(make_talk, member_client, outsider_client, organizer_client):
    make_talk(S.SUBMITTED, title="Le talk de Camille")

    own = member_client.get(reverse("talks:mine")).content.decode()
    other = outsider_client.get(reverse("talks:mine")).content.decode()
    orga = organizer_client.get(reverse("talks:mine")).content.decode()

    assert "Le talk de Camille" in own
    assert "Les organisateurs examinent votre proposition." in own
    assert "Le talk de Camille" not in other
    assert "Le talk de Camille" not in orga


@pytest.mark.parametrize("route", ["talks:edit"])
def test_edit_matrix(route, make_talk, client, member_client, outsider_client, organizer_client):
    talk = make_talk(S.SUBMITTED)
    url = reverse(route, args=[talk.pk])

    assert client.get(url).status_code == 302
    assert member_client.get(url).status_code == 200
    assert outsider_client.get(url).status_code == 404
    assert organizer_client.get(url).status_code == 404


def test_edit_updates_own_submitted_proposal(make_talk, member_client):
    talk = make_talk(S.SUBMITTED)
    data = {**PROPOSAL, "title": "Rust, deuxième version", "format": "long"}

    response = member_client.post(reverse("talks:edit", args=[talk.pk]), data)

    assert response.status_code == 302
    talk.refresh_from_db()
    assert (talk.title, talk.format) == ("Rust, deuxième version", "long")


def test_edit_keeps_co_speakers_listed_by_name(make_talk, member_speaker, member_client):
    namesake_a = SpeakerFactory(name="Alex Martin")
    talk = make_talk(S.SUBMITTED, speakers=[member_speaker, namesake_a])

    page = member_client.get(reverse("talks:edit", args=[talk.pk]))
    member_client.post(
        reverse("talks:edit", args=[talk.pk]), {**PROPOSAL, "co_speakers": "Alex Martin\nSam"}
    )

    assert "Alex Martin</textarea>" in page.content.decode()
    talk.refresh_from_db()
    assert [s.name for s in talk.speaker_list] == ["Camille", "Alex Martin", "Sam"]
    assert talk.speaker_list[1] == namesake_a


def test_edit_other_members_proposal_is_404_and_unchanged(make_talk, outsider_client):
    talk = make_talk(S.SUBMITTED, title="Le talk de Camille")

    response = outsider_client.post(reverse("talks:edit", args=[talk.pk]), PROPOSAL)

    assert response.status_code == 404
    talk.refresh_from_db()
    assert talk.title == "Le talk de Camille"


def test_edit_after_decision_is_refused(make_talk, member_client):
    talk = make_talk(S.ACCEPTED, title="Le talk de Camille")

    response = member_client.post(reverse("talks:edit", args=[talk.pk]), PROPOSAL, follow=True)

    assert "Ce talk est accepté : il n&#x27;est plus modifiable." in response.content.decode()
    talk.refresh_from_db()
    assert talk.title == "Le talk de Camille"


@pytest.mark.parametrize(
    ("route", "from_status", "to_status"),
    [
        ("talks:withdraw", S.SUBMITTED, S.WITHDRAWN),
        ("talks:withdraw", S.ACCEPTED, S.WITHDRAWN),
        ("talks:confirm", S.ACCEPTED, S.CONFIRMED),
    ],
)
def test_speaker_actions_matrix(
    route,
    from_status,
    to_status,
    make_talk,
    client,
    member_client,
    outsider_client,
    organizer_client,
    run_on_commit,
):
    talk = make_talk(from_status)
    url = reverse(route, args=[talk.pk])

    assert client.post(url).status_code == 302  # to the login page
    assert outsider_client.post(url).status_code == 404
    assert organizer_client.post(url).status_code == 404  # organizers use the admin
    assert member_client.get(url).status_code == 405
    talk.refresh_from_db()
    assert talk.status == from_status

    with run_on_commit():
        response = member_client.post(url)

    assert response.status_code == 302
    talk.refresh_from_db()
    assert talk.status == to_status
    assert mail.outbox[0].to == ["orgas@clermontech.test"]


def test_confirm_before_acceptance_is_refused_with_message(make_talk, member_client):
    talk = make_talk(S.SUBMITTED, title="Le talk de Camille")

    response = member_client.post(reverse("talks:confirm", args=[talk.pk]), follow=True)

    assert (
        "Le talk « Le talk de Camille » est soumis : il ne peut pas passer à « confirmé »."
        in response.content.decode()
    )
    talk.refresh_from_db()
    assert talk.status == S.SUBMITTED


def test_mine_shows_the_actions_each_status_allows(make_talk, member_client):
    submitted = make_talk(S.SUBMITTED)
    accepted = make_talk(S.ACCEPTED)
    rejected = make_talk(S.REJECTED)

    html = member_client.get(reverse("talks:mine")).content.decode()

    assert reverse("talks:edit", args=[submitted.pk]) in html
    assert reverse("talks:withdraw", args=[submitted.pk]) in html
    assert reverse("talks:confirm", args=[submitted.pk]) not in html
    assert reverse("talks:confirm", args=[accepted.pk]) in html
    assert reverse("talks:withdraw", args=[accepted.pk]) in html
    assert reverse("talks:edit", args=[accepted.pk]) not in html
    assert reverse("talks:withdraw", args=[rejected.pk]) not in html


# The talk page before it is public --------------------------------------------


def test_unpublished_talk_page_matrix(
    make_talk, client, member_client, outsider_client, organizer_client
):
    talk = make_talk(S.SUBMITTED)
    url = talk.get_absolute_url()

    assert client.get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404
    own = member_client.get(url)
    assert own.status_code == 200
    assert "Aperçu : ce talk n'est pas public (statut : soumis)." in own.content.decode()
    assert organizer_client.get(url).status_code == 200


# The confirmation link ------------------------------------------------------


def test_confirm_token_tampered_is_refused(make_talk, client):
    from talks.tokens import confirm_token

    talk = make_talk(S.ACCEPTED)
    token = confirm_token(talk)

    response = client.post(reverse("talks:confirm-token", args=[token[:-2] + "xx"]))

    assert response.status_code == 400
    assert "Ce lien de confirmation n'est pas valide" in response.content.decode()
    talk.refresh_from_db()
    assert talk.status == S.ACCEPTED


def test_confirm_token_expired_is_explained(make_talk, client):
    class NinetyOneDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 91 * 24 * 3600)

    talk = make_talk(S.ACCEPTED)
    old = NinetyOneDaysAgo(salt="talks.confirm").sign_object({"talk": talk.pk}, compress=True)

    response = client.post(reverse("talks:confirm-token", args=[old]))

    assert response.status_code == 400
    assert "Ce lien de confirmation a expiré." in response.content.decode()
    talk.refresh_from_db()
    assert talk.status == S.ACCEPTED


def test_confirm_token_by_logged_in_speaker_records_them(make_talk, member, member_client):
    from talks.tokens import confirm_token

    talk = make_talk(S.ACCEPTED)

    member_client.post(reverse("talks:confirm-token", args=[confirm_token(talk)]))

    change = TalkStatusChange.objects.get(talk=talk)
    assert (change.to_status, change.changed_by) == (S.CONFIRMED, member)


# Editing while events are announced (was a 500) -------------------------------


@pytest.fixture
def talk_preferring_a_past_event(make_talk):
    """A proposal whose chosen date has passed, while the next API Hour is announced."""
    upcoming = EventFactory(title="API Hour #80")
    passed = EventFactory(title="API Hour #79", past=True)
    talk = make_talk(S.SUBMITTED)
    talk.preferred_events.set([passed])
    return talk, upcoming, passed


def test_edit_page_lists_upcoming_and_previously_chosen_past_events(
    talk_preferring_a_past_event, member_client
):
    talk, upcoming, passed = talk_preferring_a_past_event

    response = member_client.get(reverse("talks:edit", args=[talk.pk]))

    assert response.status_code == 200
    page = text(response)
    # In date order: the past one first, still ticked.
    box = 'name="preferred_events" value="{}"  id="id_preferred_events_{}"'
    assert box.format(passed.pk, 0) + " checked>" in page
    assert box.format(upcoming.pk, 1) + ">" in page
    assert "API Hour #80 — " in page
    assert "API Hour #79 — " in page


def test_edit_post_keeps_the_past_date_and_adds_the_upcoming_one(
    talk_preferring_a_past_event, member_client
):
    talk, upcoming, passed = talk_preferring_a_past_event
    data = {**PROPOSAL, "preferred_events": [upcoming.pk, passed.pk]}

    response = member_client.post(reverse("talks:edit", args=[talk.pk]), data)

    assert response.status_code == 302
    assert set(talk.preferred_events.all()) == {upcoming, passed}
