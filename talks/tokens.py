"""The one-click confirmation link sent with an acceptance.

The link carries a signed token (django.core.signing): it names the talk and
cannot be forged or altered. It leads to a page with a button; only the POST
from that button confirms, so a mail scanner that follows links changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from .models import Talk

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
