"""Every new address that changes something refuses a POST without the CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from talks.models import CoSpeakerInvitation, SpeakerClaim
from talks.services import speaker_claim_create
from talks.tokens import invitation_token
from tests.factories import SpeakerFactory, TalkFactory


@pytest.fixture
def objects(member, outsider):
    archive = SpeakerFactory(name="Ada Lovelace")
    TalkFactory(given=True, speakers=[archive])
    talk = TalkFactory(submitted_by=member)
    invitation = CoSpeakerInvitation.objects.create(
        talk=talk, email=outsider.email, invited_by=member
    )
    claim = speaker_claim_create(member=member, speaker=archive)
    return archive, invitation, claim


def strict_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_new_post_urls_refuse_a_post_without_csrf_token(objects, member, outsider, organizer):
    archive, invitation, claim = objects
    token = invitation_token(invitation)
    cases = [
        (outsider, reverse("talks:speaker-claim", args=[archive.slug])),
        (outsider, reverse("talks:my-invitation-accept", args=[invitation.pk])),
        (outsider, reverse("talks:my-invitation-decline", args=[invitation.pk])),
        (outsider, reverse("talks:invitation-accept", args=[token])),
        (outsider, reverse("talks:invitation-decline", args=[token])),
        (organizer, reverse("admin:talks_speakerclaim_decide", args=[claim.pk])),
    ]

    for user, url in cases:
        response = strict_client(user).post(url, {"decision": "approve"})
        assert response.status_code == 403, url
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("talks:invitation-decline", args=[token])).status_code == 403

    invitation.refresh_from_db()
    claim.refresh_from_db()
    assert (invitation.status, claim.status) == ("pending", "pending")
    assert SpeakerClaim.objects.count() == 1
