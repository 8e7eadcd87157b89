from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.images import ACCEPT_ATTRIBUTE, process_image

from .models import Sponsor

# The logo is scaled down to fit this box (never enlarged); its transparency is kept.
LOGO_SIZES = {"logo": (400, 200)}


class SponsorAdminForm(forms.ModelForm):
    logo_upload = forms.FileField(
        label=_("Nouveau logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    remove_logo = forms.BooleanField(label=_("Supprimer le logo actuel"), required=False)

    class Meta:
        model = Sponsor
        fields = ["name", "slug", "tier", "is_active", "website_url", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The resized logo, stored by the admin once everything is valid.
        self.images: dict = {}
        self.fields["logo_upload"].help_text = _(
            "PNG, JPEG ou WebP, %(max)s au plus. Réduit pour tenir dans 400 × 200 pixels ; "
            "la transparence d'un PNG ou d'un WebP est conservée."
        ) % {"max": filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES)}

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if upload:
            self.images = process_image(
                upload,
                sizes=LOGO_SIZES,
                fit="contain",
                keep_alpha=True,
                max_bytes=settings.IMAGE_UPLOAD_MAX_BYTES,
                max_pixels=settings.IMAGE_UPLOAD_MAX_PIXELS,
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("remove_logo"):
            if cleaned.get("logo_upload"):
                self.add_error(
                    "remove_logo",
                    _("Choisissez : envoyer un nouveau logo ou supprimer l'actuel, pas les deux."),
                )
            else:
                self.images = {"logo": None}
        if not cleaned.get("slug") and cleaned.get("name"):
            cleaned["slug"] = Sponsor(name=cleaned["name"]).default_slug()
            if not cleaned["slug"]:
                self.add_error("slug", _("Indiquez une adresse (lettres, chiffres, tirets)."))
            elif Sponsor.objects.filter(slug=cleaned["slug"]).exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "slug",
                    _("L'adresse « %(slug)s » est déjà prise : choisissez-en une autre.")
                    % {"slug": cleaned["slug"]},
                )
        return cleaned
