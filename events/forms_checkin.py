"""Forms of the door (phone check-in page).

Everything the door reads from a request goes through one of these forms first, even
hidden fields: a CharField refuses NUL bytes (PostgreSQL cannot store or compare them,
a 500 otherwise) and a ModelChoiceField refuses a key that is not one ("²".isdigit() is
True, int("²") is not).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import User

from .models import Diet

SEARCH_MAX_LENGTH = 100


class DoorSearchForm(forms.Form):
    """The door's search box, and the search kept in every form of the page (`q`)."""

    q = forms.CharField(label=_("Chercher un nom ou un e-mail"), required=False)

    def clean_q(self) -> str:
        # Cut rather than refuse: a long paste still finds the person.
        return self.cleaned_data["q"][:SEARCH_MAX_LENGTH]


class TicketCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code du billet"),
        max_length=64,
        help_text=_(
            "Les 8 caractères imprimés sous le QR code (par exemple K7M2-9QXD), si l'appareil "
            "photo ne le lit pas : majuscules, tiret, O ou 0, I, L ou 1, peu importe."
        ),
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


class WalkInMemberForm(forms.Form):
    """A member picked among the search's suggestions ("Ajouter sur place")."""

    member = forms.ModelChoiceField(
        # Inactive rows included: walk-ins who came without an email have no login.
        queryset=User.objects.current(),
        error_messages={"invalid_choice": _("Membre introuvable.")},
    )
