"""Forms of the door (phone check-in page)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Diet


class TicketCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code du billet"),
        max_length=64,
        help_text=_("Le code imprimé sous le QR code, si l'appareil photo ne le lit pas."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off"}),
    )


class WalkInForm(forms.Form):
    name = forms.CharField(
        label=_("Nom"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("E-mail (facultatif)"),
        required=False,
        help_text=_(
            "Si un compte existe avec cette adresse, il est utilisé ; sinon un compte est "
            "créé, que la personne pourra récupérer avec « mot de passe oublié »."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    diet = forms.ChoiceField(
        label=_("Régime alimentaire"), choices=Diet.choices, initial=Diet.NONE, required=False
    )

    def clean(self):
        cleaned = super().clean()
        no_name = not (cleaned.get("name") or "").strip()
        if no_name and not cleaned.get("email") and not self.has_error("email"):
            self.add_error("name", _("Indiquez le nom de la personne."))
        return cleaned
