from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.markup import BIO_HELP_TEXT
from events.models import Event
from members.models import User

from .images import speaker_photo_process
from .models import Speaker, Talk, Topic, speaker_slug
from .services import MAX_SPEAKERS, CoSpeaker

NAME_WITH_EMAIL = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>$")
# A database id as a browser sends it: ASCII digits only ("²" and "٣" pass str.isdigit(),
# and int("٣") is 3), 18 at most so that it fits a 64-bit column.
ID_PATTERN = re.compile(r"[0-9]{1,18}")


def parse_id(raw: object) -> int | None:
    """A positive id typed in a query string or a form, or None when it is anything else."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw < 10**18 else None
    if not isinstance(raw, str) or not ID_PATTERN.fullmatch(raw):
        return None
    return int(raw) or None


def visible_topic(raw: object) -> Topic | None:
    """The wishlist topic of "I could talk about this" (?topic=<id>), if it is still there."""
    pk = parse_id(raw)
    if pk is None:
        return None
    return Topic.objects.visible().filter(pk=pk).first()


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that checks the id (parse_id) before asking the database."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if parse_id(value) is None and not isinstance(value, models.Model):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that checks every id (parse_id) before the query: a
    40-digit id would overflow the database integer (a 500, not a form error)."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            for pk in value:
                if parse_id(pk) is None and not isinstance(pk, models.Model):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)


class PhotoFieldMixin:
    """A newly uploaded speaker photo goes through the shared image checks
    (core.images): PNG, JPEG or WebP by content, size and pixel limits, then
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
            "Une personne par ligne : « Prénom Nom &lt;adresse&gt; » ou son adresse e-mail. "
            "Elle reçoit une invitation par e-mail et n'est ajoutée au talk que si elle "
            "l'accepte. Sans adresse, écrivez « Prénom Nom ». "
            "Laissez vide si vous êtes seul·e."
        ),
    )
    bio = forms.CharField(
        label=_("Quelques mots sur vous"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        # Shown with the talk if it is accepted, and they update the speaker profile;
        # pre-filled from the account's presentation, in the same format (Markdown).
        help_text=BIO_HELP_TEXT,
    )
    # The topic comes back in a hidden field: one that left the wishlist meanwhile (or
    # a hand-made value) is dropped, the proposal still goes through.
    topic = forms.CharField(required=False, widget=forms.HiddenInput)

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
        field_classes = {"preferred_events": IdMultipleChoiceField}
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
                Q(pk__in=events.values("pk"))
                | Q(pk__in=self.instance.preferred_events.values("pk"))
            ).order_by("starts_at")
        self.fields["preferred_events"].queryset = events
        self.fields["preferred_events"].label_from_instance = lambda e: (
            f"{e.title} — {timezone.localtime(e.starts_at):%d/%m/%Y}"
        )
        self.fields["abstract"].required = True
        # Speakers already on the talk, matched by their exact name when the form comes back;
        # pending invitations come back as "Name <address>" and stay as they are.
        self.current_co_speakers = self.instance.speaker_list[1:] if self.instance.pk else []
        self.invitations = (
            list(self.instance.invitations.filter(status__in=["pending", "declined"]))
            if self.instance.pk
            else []
        )
        if editing:
            del self.fields["bio"]
            del self.fields["topic"]
            if self.instance.submitted_by_id != member.pk:
                # The proposer's notes to the organizers stay theirs (talk_update).
                del self.fields["notes"]
                del self.fields["availability"]
            lines = [s.name for s in self.current_co_speakers]
            lines += [i.label for i in self.invitations if i.is_pending]
            self.initial.setdefault("co_speakers", "\n".join(lines))

    def clean_topic(self) -> Topic | None:
        return visible_topic(self.cleaned_data.get("topic"))

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
        """One co-speaker per line. An address is an invitation whoever it belongs to:
        the form never looks it up, so it answers the same for every valid address
        and tells nobody which addresses have an account."""
        lines = [" ".join(line.split()) for line in self.cleaned_data["co_speakers"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_SPEAKERS - 1:
            raise ValidationError(
                _("%(max)d co-intervenant·es au plus.") % {"max": MAX_SPEAKERS - 1}
            )
        known = {s.name: s for s in self.current_co_speakers}
        declined = {i.email.lower() for i in self.invitations if i.status == i.Status.DECLINED} - {
            i.email.lower() for i in self.invitations if i.is_pending
        }
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
            if len(name) > 120:
                errors.append(_("« %(name)s… » : nom trop long.") % {"name": name[:30]})
                continue
            if email:
                try:
                    if len(email) > 254:
                        raise ValidationError("too long")
                    validate_email(email)
                except ValidationError:
                    errors.append(
                        _("« %(email)s » n'est pas une adresse e-mail valide.") % {"email": email}
                    )
                    continue
                if email.lower() in declined:
                    errors.append(
                        _("%(email)s a décliné l'invitation à présenter ce talk.")
                        % {"email": email}
                    )
                    continue
                result.append(CoSpeaker(name=name, email=email))
            elif not speaker_slug(name):
                errors.append(
                    _("« %(name)s » : écrivez le nom en lettres latines, ou son adresse e-mail.")
                    % {"name": name}
                )
            else:
                result.append(CoSpeaker(name=name))
        if errors:
            raise ValidationError(errors)
        return result

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {field: data[field] for field in self.Meta.fields if field in self.fields}
        kwargs["co_speakers"] = data["co_speakers"]
        if not self.editing:
            kwargs["topic"] = data.get("topic")
            kwargs["bio"] = data.get("bio", "")
        return kwargs


class SpeakerProfileForm(PhotoFieldMixin, forms.ModelForm):
    """A speaker edits their own public profile."""

    class Meta:
        model = Speaker
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
        self.fields["bio"].help_text = BIO_HELP_TEXT
        if not can_mentor and not self.instance.is_mentor:
            del self.fields["is_mentor"]
            del self.fields["mentor_topics"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        slug = speaker_slug(name)
        if not slug:
            raise ValidationError(_("Écrivez votre nom en lettres latines."))
        # A namesake's profile was given the next free address ("camille-2", see
        # talks.services.speaker_for_member): it keeps it along with its name.
        namesake_slug = re.fullmatch(rf"{re.escape(slug)}-[0-9]+", self.instance.slug or "")
        if slug != self.instance.slug and not namesake_slug:
            if Speaker.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
                raise ValidationError(
                    _(
                        "Un autre profil d'intervenant·e porte déjà ce nom. Si c'est vous, "
                        "écrivez aux organisateurs pour réunir les deux profils."
                    )
                )
            self.instance.slug = slug
        return name


class SpeakerClaimForm(forms.Form):
    """ "C'est moi" on the page of a speaker of the archive."""

    message = forms.CharField(
        label=_("Un mot pour les organisateurs (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Ce qui les aidera à vérifier : le titre d'un de vos talks, l'année, "
            "l'adresse e-mail que vous utilisiez alors…"
        ),
    )


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
