"""Limits on what sends email or writes rows on a member's behalf (reports, proposals,
wishlist topics): allauth's limiter, the one that already guards logins and sign-ups,
with our actions in settings.ACCOUNT_RATE_LIMITS. Counted in the shared cache, per
visitor address (behind the proxy: TRUSTED_PROXY_COUNT) or per member."""

from __future__ import annotations

from allauth.core import ratelimit
from allauth.core.internal import ratelimit as allauth_ratelimit
from django.http import HttpRequest
from django.utils.translation import gettext as _


def rate_limit_refusal(
    request: HttpRequest, *, action: str, count_reads: bool = False
) -> str | None:
    """Count one `action` for this visitor; the message to show when over the limit,
    None when allowed. Call it once the input is valid, just before writing.
    allauth leaves GET requests alone; `count_reads=True` counts them too (the public
    API, which only reads), through allauth's own limiter (its internal `limit_get`)."""
    if count_reads:
        usage = allauth_ratelimit.consume(
            request, app="allauth.account", action=action, limit_get=True
        )
        if usage:
            return None
    elif ratelimit.consume(request, action=action):
        return None
    return _(
        "Vous avez fait beaucoup de demandes de ce type ces dernières heures : "
        "réessayez plus tard. Si c'est urgent, écrivez aux organisateurs."
    )
