"""Forms of the community features: incident report, account deletion, ban."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from members.models import User

# How far back the incident form offers events; older ones: "not a specific event".
REPORT_EVENTS_DAYS = 365
# Time between the two steps of the account deletion.
DELETE_CONFIRMATION_MAX_AGE = 15 * 60
_DELETE_SALT = "members.delete"


class IncidentReportForm(forms.Form):
    event = forms.ModelChoiceField(
        label=_("Lors de quel événement ?"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("Aucun en particulier, ou en dehors d'un événement"),
    )
    what_happened = forms.CharField(
        label=_("Que s'est-il passé ?"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
        help_text=_(
            "Décrivez les faits, le moment, le lieu et, si vous le souhaitez, les personnes "
            "concernées. Seuls les organisateurs chargés du code de conduite le liront."
        ),
        error_messages={"required": _("Décrivez ce qui s'est passé.")},
    )
    contact_email = forms.EmailField(
        label=_("E-mail pour vous répondre (facultatif)"),
        required=False,
        help_text=_("Laissez vide pour rester anonyme : nous ne pourrons pas vous répondre."),
    )
    identify = forms.BooleanField(
        label=_("Joindre mon nom au signalement"),
        required=False,
        help_text=_("Sinon, le signalement est anonyme, même si vous êtes connecté·e."),
    )

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        since = timezone.now() - timedelta(days=REPORT_EVENTS_DAYS)
        self.fields["event"].queryset = (
            Event.objects.public().filter(starts_at__gte=since).order_by("-starts_at")
        )
        if user is None or not user.is_authenticated:
            del self.fields["identify"]

    def clean_what_happened(self) -> str:
        text = self.cleaned_data["what_happened"].strip()
        if not text:
            raise forms.ValidationError(_("Décrivez ce qui s'est passé."))
        return text


class DeleteAccountForm(forms.Form):
    """First step: the password (or, for a GitHub-only account, the email address)."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, member: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        if not member.has_usable_password():
            # Accounts created through GitHub have no password: the email stands in.
            self.fields["password"] = forms.CharField(
                label=_("Votre adresse e-mail"),
                help_text=_("Votre compte n'a pas de mot de passe : tapez votre adresse."),
            )

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        if self.member.has_usable_password():
            if not self.member.check_password(value):
                raise forms.ValidationError(_("Ce mot de passe n'est pas le bon."))
        elif value.strip().lower() != self.member.email.lower():
            raise forms.ValidationError(_("Ce n'est pas l'adresse de votre compte."))
        return value

    def confirmation_token(self) -> str:
        return signing.TimestampSigner(salt=_DELETE_SALT).sign(str(self.member.pk))


class DeleteAccountConfirmForm(forms.Form):
    """Second step: a button, carrying proof that the first step passed a moment ago."""

    token = forms.CharField(widget=forms.HiddenInput)
    remove_talks = forms.BooleanField(
        label=_("Retirer aussi mon nom des talks que j'ai donnés"),
        required=False,
        widget=forms.CheckboxInput(
            attrs={"class": "form-check-input", "aria-describedby": "remove-talks-help"}
        ),
        help_text=_(
            "Par défaut, vos talks passés restent dans les archives sous votre nom public "
            "(sans photo, présentation ni liens). Cochez pour qu'ils apparaissent sous "
            "« Intervenant·e anonyme »."
        ),
    )

    def __init__(self, member: User, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        try:
            value = signing.TimestampSigner(salt=_DELETE_SALT).unsign(
                token, max_age=DELETE_CONFIRMATION_MAX_AGE
            )
        except signing.BadSignature:
            value = None
        if value != str(self.member.pk):
            raise forms.ValidationError(
                _("La confirmation a expiré : saisissez de nouveau votre mot de passe.")
            )
        return token


class BanForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (entre organisateurs)"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Ce que le membre a fait, et quand. Le membre ne voit pas ce texte."),
    )
    message = forms.CharField(
        label=_("Message au membre (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            "Ajouté à l'e-mail neutre qu'il reçoit. Restez factuel : pas de nom de la "
            "personne qui a signalé."
        ),
    )
