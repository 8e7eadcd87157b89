"""allauth's hooks for accounts: the visitor's address behind the proxy."""

from __future__ import annotations

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: the one the nearest trusted proxy saw, i.e. the
    TRUSTED_PROXY_COUNT-th address from the right of X-Forwarded-For; REMOTE_ADDR when
    no proxy is trusted, or when the header is missing, short or malformed (a request
    that bypassed the proxy). Never an address the visitor could write themselves."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
    candidate = forwarded[-count] if count and len(forwarded) >= count else remote
    for value in (candidate, remote):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    raise PermissionDenied("Unable to determine the client's address.")


class AccountAdapter(DefaultAccountAdapter):
    """allauth's hooks that belong to the account itself (community.adapter adds the
    ban list on top)."""

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials) -> str:
        """allauth counts failed logins per account (5 in 5 minutes, then "too many
        attempts"): we count them per account *and* visitor address, so that someone who
        types a member's address with wrong passwords locks out only themselves, never
        the member. (A private hook of allauth: tests/members/test_rate_limits.py fails
        if an upgrade drops it.)"""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials) -> None:
        """And a much higher bound on one account from everywhere together
        (ACCOUNT_RATE_LIMITS["login_account"]): a guess spread over many addresses."""
        super().pre_authenticate(request, **credentials)
        login = (credentials.get("email") or credentials.get("username") or "").lower()
        if login and not ratelimit.consume(request, action="login_account", key=login):
            raise self.validation_error("too_many_login_attempts")
