from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.images import ACCEPT_ATTRIBUTE, process_image
from core.markup import BIO_HELP_TEXT

from .models import Diet, User


def _coc_help() -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("code-of-conduct"), _("Lire le code de conduite")
    )


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    # allauth builds its sign-up form on this class; the code of conduct comes last,
    # just above the button.
    field_order = [
        "email", "display_name", "password1", "password2", "receives_announcements",
        "accept_code_of_conduct",
    ]  # fmt: skip

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

    # Consent: unticked unless the person ticks it; the profile has the same switch.
    receives_announcements = forms.BooleanField(
        label=_("Recevoir par e-mail les annonces des événements"),
        help_text=_("Une annonce par soirée, environ. Modifiable à tout moment sur votre profil."),
        required=False,
        initial=False,
    )

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Indiquez un nom."))
        return name

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.accepted_code_of_conduct_at = timezone.now()
        user.receives_announcements = self.cleaned_data["receives_announcements"]
        user.save(
            update_fields=["display_name", "accepted_code_of_conduct_at", "receives_announcements"]
        )


# Profiles


AVATAR_SIZES = {"avatar": (400, 400), "avatar_thumb": (96, 96)}


def _url_field(label: str, help_text: str = "") -> forms.URLField:
    return forms.URLField(label=label, required=False, max_length=200, help_text=help_text)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class ProfileForm(forms.ModelForm):
    """What a member edits on /members/me/. The avatar goes through core.images."""

    field_order = [
        "display_name", "avatar", "remove_avatar", "bio", "website_url", "mastodon_url",
        "github_url", "linkedin_url", "default_diet", "default_diet_notes",
        "receives_announcements", "profile_public",
    ]  # fmt: skip

    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    remove_avatar = forms.BooleanField(label=_("Supprimer mon avatar"), required=False)
    website_url = _url_field(_("Site web"))
    mastodon_url = _url_field(_("Mastodon"), _("Par exemple https://piaille.fr/@pseudo"))
    github_url = _url_field(_("GitHub"), _("Par exemple https://github.com/pseudo"))
    linkedin_url = _url_field(_("LinkedIn"), _("Par exemple https://www.linkedin.com/in/pseudo"))
    default_diet = forms.ChoiceField(
        label=_("Régime alimentaire par défaut"),
        choices=[("", _("Non renseigné (reprendre ma dernière inscription)")), *Diet.choices],
        required=False,
        help_text=_("Pré-rempli dans le formulaire d'inscription à chaque événement."),
    )

    class Meta:
        model = User
        fields = [
            "display_name", "bio", "website_url", "mastodon_url", "github_url", "linkedin_url",
            "default_diet", "default_diet_notes", "receives_announcements", "profile_public",
        ]  # fmt: skip
        labels = {
            "display_name": _("Nom affiché"),
            "bio": _("Présentation"),
            "default_diet_notes": _("Précisions sur le régime (allergies, autre régime)"),
            "receives_announcements": _("Recevoir par e-mail les annonces des événements"),
            "profile_public": _("Rendre mon profil public"),
        }
        help_texts = {
            "receives_announcements": "",
            "bio": BIO_HELP_TEXT,
            "profile_public": _(
                "Sinon, seuls les organisateurs voient votre profil. Votre adresse e-mail "
                "et vos inscriptions ne sont jamais publiques."
            ),
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The resized files, ready to store once the whole form is valid
        # ({field name: file}, or None to clear the field).
        self.images: dict = {}
        if self.instance.avatar:
            self.fields["avatar"].label = _("Remplacer mon avatar")
        else:
            del self.fields["remove_avatar"]
        self.fields["avatar"].help_text = _(
            "PNG, JPEG ou WebP, %(max)s au plus. Recadré en carré autour du centre."
        ) % {"max": filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)}

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Indiquez un nom."))
        return name

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if upload:
            self.images = process_image(
                upload,
                sizes=AVATAR_SIZES,
                fit="cover",
                keep_alpha=False,
                max_bytes=settings.IMAGE_UPLOAD_MAX_BYTES,
                max_pixels=settings.IMAGE_UPLOAD_MAX_PIXELS,
            )
        return upload

    def clean_website_url(self) -> str:
        return self._clean_url("website_url")

    def clean_mastodon_url(self) -> str:
        return self._clean_url("mastodon_url")

    def clean_github_url(self) -> str:
        url = self._clean_url("github_url")
        if url and _host(url) not in {"github.com", "www.github.com"}:
            raise forms.ValidationError(_("Indiquez une adresse sur github.com."))
        return url

    def clean_linkedin_url(self) -> str:
        url = self._clean_url("linkedin_url")
        host = _host(url)
        if url and host != "linkedin.com" and not host.endswith(".linkedin.com"):
            raise forms.ValidationError(_("Indiquez une adresse sur linkedin.com."))
        return url

    def _clean_url(self, name: str) -> str:
        url = self.cleaned_data.get(name) or ""
        if url and urlsplit(url).scheme not in {"http", "https"}:
            raise forms.ValidationError(_("Indiquez une adresse qui commence par https://"))
        return url

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_avatar"):
            if cleaned.get("avatar"):
                self.add_error(
                    "remove_avatar",
                    _("Choisissez : envoyer un nouvel avatar ou supprimer l'actuel, pas les deux."),
                )
            else:
                self.images = {"avatar": None, "avatar_thumb": None}
        diet = cleaned.get("default_diet")
        notes = cleaned.get("default_diet_notes") or ""
        if diet and (refusal := Diet.refusal(diet, notes)):
            self.add_error("default_diet_notes", refusal)
        # As on an RSVP, the notes only go with "other".
        cleaned["default_diet_notes"] = Diet.kept_notes(diet, notes)
        return cleaned
