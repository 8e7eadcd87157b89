from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.models import Event
from members.models import User

from .images import speaker_photo_process
from .models import Speaker, Talk, Topic, speaker_slug
from .services import MAX_SPEAKERS, CoSpeaker

NAME_WITH_EMAIL = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>$")


def https_by_default(db_field, **kwargs):
    """formfield_callback: an address typed without a scheme gets https:// (Django 6 default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class PhotoFieldMixin:
    """A newly uploaded speaker photo goes through the shared image checks
    (members.images): PNG, JPEG or WebP by content, size and pixel limits, then
    re-encoded as a 400×400 WebP without its metadata (no EXIF, no GPS position).
    The replaced file is deleted once the new one is saved."""

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return speaker_photo_process(photo)
        return photo

    def save(self, commit: bool = True):
        previous = self.initial.get("photo")
        previous_name = getattr(previous, "name", previous) or ""
        speaker = super().save(commit=commit)
        if commit and previous_name and previous_name != speaker.photo.name:
            transaction.on_commit(lambda: default_storage.delete(previous_name))
        return speaker


def upcoming_events():
    return Event.objects.published().upcoming()


class ProposalForm(forms.ModelForm):
    """The call for proposals. Never saved directly: the view calls talks.services."""

    co_speakers = forms.CharField(
        label=_("Co-intervenant·es"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            # &lt; &gt;: crispy-forms renders help texts as HTML.
            "Une personne par ligne : son adresse e-mail si elle a un compte sur le site, "
            "sinon « Prénom Nom » ou « Prénom Nom &lt;adresse&gt; ». "
            "Laissez vide si vous êtes seul·e."
        ),
    )
    bio = forms.CharField(
        label=_("Quelques mots sur vous"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Affichés avec votre talk s'il est retenu (Markdown). Ils mettent à jour votre "
            "profil d'intervenant·e."
        ),
    )
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.visible(), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Talk
        fields = [
            "title", "abstract", "format", "language", "level", "first_time", "wants_mentor",
            "preferred_events", "availability", "notes",
        ]  # fmt: skip
        labels = {
            "title": _("Titre"),
            "abstract": _("Résumé"),
            "first_time": _("C'est mon premier talk"),
            "wants_mentor": _("J'aimerais l'aide d'un mentor pour le préparer"),
            "preferred_events": _("Dates qui me conviennent"),
            "availability": _("Autres disponibilités ou contraintes"),
            "notes": _("Notes pour les organisateurs"),
        }
        help_texts = {
            "title": _("Court et parlant : c'est ce qui donne envie de venir."),
            "abstract": _(
                "De quoi parlerez-vous, pour qui, et que retiendra le public ? "
                "Markdown accepté : **gras**, *italique*, [lien](https://…), listes. "
                "Le HTML est retiré."
            ),
            "first_time": _(
                "Aucune expérience n'est nécessaire : les API Hours sont faites pour ça."
            ),
            "wants_mentor": _(
                "Une personne qui a déjà parlé à une API Hour relit votre plan, vos slides, "
                "vous fait répéter."
            ),
            "preferred_events": _("Les prochaines API Hours annoncées. Aucune case : peu importe."),
            "availability": _(
                "Jamais publiées. Exemple : « pas en juillet », « plutôt un jeudi »."
            ),
            "notes": _("Jamais publiées : besoins techniques, contexte, questions…"),
        }
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 10}),
            "format": forms.RadioSelect,
            "language": forms.RadioSelect,
            "level": forms.RadioSelect,
            "preferred_events": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, member: User, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.editing = editing
        events = upcoming_events()
        if self.instance.pk:
            # Keep dates chosen earlier, even if the event has since passed.
            events = Event.objects.filter(
                pk__in=[*events.values("pk"), *self.instance.preferred_events.values("pk")]
            ).order_by("starts_at")
        self.fields["preferred_events"].queryset = events
        self.fields["preferred_events"].label_from_instance = lambda e: (
            f"{e.title} — {timezone.localtime(e.starts_at):%d/%m/%Y}"
        )
        self.fields["abstract"].required = True
        # Speakers already on the talk, matched by their exact name when the form comes back.
        self.current_co_speakers = self.instance.speaker_list[1:] if self.instance.pk else []
        if editing:
            del self.fields["bio"]
            del self.fields["topic"]
            self.initial.setdefault(
                "co_speakers", "\n".join(s.name for s in self.current_co_speakers)
            )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 5:
            raise ValidationError(_("Le titre est trop court (5 caractères au moins)."))
        return title

    def clean_abstract(self) -> str:
        abstract = self.cleaned_data["abstract"].strip()
        if len(abstract) < 50:
            raise ValidationError(
                _(
                    "Le résumé est trop court : quelques phrases (50 caractères au moins) aident "
                    "les organisateurs et le public."
                )
            )
        return abstract

    def clean_co_speakers(self) -> list[CoSpeaker]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["co_speakers"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_SPEAKERS - 1:
            raise ValidationError(
                _("%(max)d co-intervenant·es au plus.") % {"max": MAX_SPEAKERS - 1}
            )
        known = {s.name: s for s in self.current_co_speakers}
        result: list[CoSpeaker] = []
        errors: list[str] = []
        for line in lines:
            if line in known:
                result.append(CoSpeaker(speaker=known[line]))
                continue
            match = NAME_WITH_EMAIL.match(line)
            if match:
                name, email = match["name"].strip(), match["email"].strip()
            elif "@" in line and " " not in line:
                name, email = "", line
            else:
                name, email = line, ""
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    errors.append(
                        _("« %(email)s » n'est pas une adresse e-mail valide.") % {"email": email}
                    )
                    continue
                member = User.objects.filter(email__iexact=email, is_active=True).first()
                if member is not None:
                    if member != self.member:
                        result.append(CoSpeaker(member=member))
                    continue
                if not name:
                    errors.append(
                        _(
                            "Aucun compte n'utilise l'adresse %(email)s. Écrivez "
                            "« Prénom Nom <%(email)s> » pour ajouter cette personne quand même."
                        )
                        % {"email": email}
                    )
                    continue
            if len(name) > 120:
                errors.append(_("« %(name)s… » : nom trop long.") % {"name": name[:30]})
            elif not speaker_slug(name):
                errors.append(
                    _("« %(name)s » : écrivez le nom en lettres latines, ou son adresse e-mail.")
                    % {"name": name}
                )
            else:
                result.append(CoSpeaker(name=name, email=email))
        if errors:
            raise ValidationError(errors)
        return result

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {field: data[field] for field in self.Meta.fields}
        kwargs["co_speakers"] = data["co_speakers"]
        if not self.editing:
            kwargs["topic"] = data.get("topic")
            kwargs["bio"] = data.get("bio", "")
        return kwargs


class SpeakerProfileForm(PhotoFieldMixin, forms.ModelForm):
    """A speaker edits their own public profile."""

    class Meta:
        model = Speaker
        formfield_callback = https_by_default
        fields = [
            "name", "bio", "photo", "website_url", "mastodon_url", "bluesky_url", "github_url",
            "gitlab_url", "linkedin_url", "twitter_url", "is_mentor", "mentor_topics",
        ]  # fmt: skip
        labels = {"is_mentor": _("Je veux bien accompagner une personne qui prépare son talk")}
        widgets = {"bio": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, can_mentor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _(
            "Tel qu'il apparaîtra dans le programme. Il donne aussi l'adresse de votre page."
        )
        self.fields["bio"].help_text = _("Markdown accepté ; le HTML est retiré.")
        if not can_mentor and not self.instance.is_mentor:
            del self.fields["is_mentor"]
            del self.fields["mentor_topics"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        slug = speaker_slug(name)
        if not slug:
            raise ValidationError(_("Écrivez votre nom en lettres latines."))
        if slug != self.instance.slug:
            if Speaker.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
                raise ValidationError(
                    _(
                        "Un autre profil d'intervenant·e porte déjà ce nom. Si c'est vous, "
                        "écrivez aux organisateurs pour réunir les deux profils."
                    )
                )
            self.instance.slug = slug
        return name


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title", "description"]
        labels = {"title": _("Sujet"), "description": _("Précisions (facultatif)")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < 3:
            raise ValidationError(_("Le sujet est trop court."))
        return title


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("Année"), required=False, coerce=int, empty_value=None)
    event = forms.ChoiceField(label=_("Événement"), required=False)

    def __init__(self, *args, years: list[int], events: list[Event], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Titre ou intervenant·e")
        self.fields["year"].choices = [("", _("Toutes"))] + [(y, str(y)) for y in years]
        self.fields["event"].choices = [("", _("Tous"))] + [(e.slug, e.title) for e in events]
