from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _


def _coc_help() -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("code-of-conduct"), _("Lire le code de conduite")
    )


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Nom affiché"),
        max_length=80,
        help_text=_("Votre prénom et nom, ou un pseudonyme."),
    )
    accept_code_of_conduct = forms.BooleanField(
        label=_("J'ai lu et j'accepte le code de conduite de Clermont'ech"),
        help_text=lazy(_coc_help, SafeString)(),
        required=True,
        error_messages={
            "required": _("Vous devez accepter le code de conduite pour créer un compte.")
        },
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Indiquez un nom."))
        return name

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.accepted_code_of_conduct_at = timezone.now()
        user.save(update_fields=["display_name", "accepted_code_of_conduct_at"])
