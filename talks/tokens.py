"""Signed links sent by email: the confirmation of an accepted talk, co-speaker invitations.

The one-click confirmation link sent with an acceptance.

The link carries a signed token (django.core.signing): it names the talk and
cannot be forged or altered. It leads to a page with a button; only the POST
from that button confirms, so a mail scanner that follows links changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from .models import CoSpeakerInvitation, Talk

SALT = "talks.confirm"
# Long enough for a speaker back from holidays; after that, "My proposals" still works.
MAX_AGE = timedelta(days=90)


class InvalidToken(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def confirm_token(talk: Talk) -> str:
    return signing.dumps({"talk": talk.pk}, salt=SALT, compress=True)


def talk_from_confirm_token(token: str) -> Talk:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidToken(expired=True) from None
    except signing.BadSignature:
        raise InvalidToken() from None
    try:
        return Talk.objects.select_related("event").get(pk=data["talk"])
    except (Talk.DoesNotExist, KeyError, TypeError):
        raise InvalidToken() from None


# Co-speaker invitations ---------------------------------------------------------
# The link of the invitation email. It names the invitation; the invitation page
# only shows it and offers two buttons (a mail scanner's GET changes nothing).
# Declining needs nothing more than the link; accepting needs the invitee logged
# in with the invited address verified (talks.services.invitation_accept).

INVITATION_SALT = "talks.invitation"
INVITATION_MAX_AGE = timedelta(days=30)


def invitation_token(invitation: CoSpeakerInvitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token: str) -> CoSpeakerInvitation:
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidToken(expired=True) from None
    except signing.BadSignature:
        raise InvalidToken() from None
    try:
        return CoSpeakerInvitation.objects.select_related("talk", "invited_by").get(
            pk=int(data["invitation"])
        )
    except (CoSpeakerInvitation.DoesNotExist, KeyError, TypeError, ValueError):
        raise InvalidToken() from None
