"""Signed links of the community's emails (unsubscribe)."""

from __future__ import annotations

from django.core import signing
from django.urls import reverse

from core.links import absolute_url
from members.models import User

_UNSUBSCRIBE_SALT = "members.unsubscribe"


def unsubscribe_token_make(member: User) -> str:
    """A signed token naming the member: it works without logging in and cannot be
    changed into another member's token without the SECRET_KEY. It does not expire,
    so the link in an old email still works."""
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(str(member.pk))


def unsubscribe_token_member(token: str) -> User | None:
    """The member a token was made for, or None when the token is forged or stale."""
    try:
        pk = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return User.objects.current().filter(pk=int(pk)).first()


def unsubscribe_url(member: User) -> str:
    return absolute_url(reverse("community:unsubscribe", args=[unsubscribe_token_make(member)]))
