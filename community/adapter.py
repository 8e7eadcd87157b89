"""allauth's hooks, with the ban list: a banned address is refused at sign-up and when
an address is added or changed (settings.ACCOUNT_ADAPTER points here)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.adapter import AccountAdapter as MembersAccountAdapter

from .models import BannedAddress


class AccountAdapter(MembersAccountAdapter):
    def clean_email(self, email: str) -> str:
        """In neutral words: the ban list itself stays with the organizers."""
        email = super().clean_email(email)
        if BannedAddress.objects.matching(email).exists():
            raise ValidationError(
                _(
                    "Cette adresse ne peut pas être utilisée pour un compte Clermont'ech. "
                    "Pour en parler, écrivez aux organisateurs."
                )
            )
        return email
