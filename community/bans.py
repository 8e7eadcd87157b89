"""The ban list's address fingerprint: a keyed hash of the normalized address.

A ban outlives the account (members.models.BannedAddress) without keeping the address
in clear: the list holds HMAC-SHA256(BAN_LIST_KEY, normalized address). Whoever reads
the database cannot recover the addresses; the site can still tell, at sign-up, that
an address was banned. Pure functions (no models): the migration uses them too.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

# Providers that ignore dots in the local part: "j.doe" and "jdoe" are one mailbox.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalize_email(email: str) -> str:
    """The mailbox an address reaches: lower case, without a "+tag", without the dots
    that Gmail ignores. "J.Doe+api@GoogleMail.com" -> "jdoe@gmail.com"."""
    local, _at, domain = (email or "").strip().lower().rpartition("@")
    if not local:
        return (email or "").strip().lower()
    local = local.split("+", 1)[0]
    if domain in DOTLESS_DOMAINS:
        domain = DOTLESS_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def email_fingerprint(email: str) -> str:
    key = settings.BAN_LIST_KEY.encode()
    return hmac.new(key, normalize_email(email).encode(), hashlib.sha256).hexdigest()
