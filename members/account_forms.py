"""allauth's account forms (settings.ACCOUNT_FORMS), with our words: the email field is
"Adresse e-mail" in its label as in its placeholder (allauth's French says "Courriel").

A module of its own: allauth.account.forms builds its sign-up form on
members.forms.SignupForm (ACCOUNT_SIGNUP_FORM_CLASS), so members.forms cannot import it.
"""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL_LABEL = _("Adresse e-mail")


class _EmailLabelMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.EmailField) or name == "login":
                field.label = EMAIL_LABEL
                field.widget.attrs["placeholder"] = EMAIL_LABEL


class LoginForm(_EmailLabelMixin, allauth_forms.LoginForm):
    pass


class SignupForm(_EmailLabelMixin, allauth_forms.SignupForm):
    pass


class AddEmailForm(_EmailLabelMixin, allauth_forms.AddEmailForm):
    pass


class ResetPasswordForm(_EmailLabelMixin, allauth_forms.ResetPasswordForm):
    pass
