from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, LAST_YEAR, RSVP, Diet, Draw, DrawRequest, Event

_UNREAD = object()  # RSVPForm.initial_for: the newest RSVP is not known yet


class RSVPForm(forms.Form):
    diet = forms.ChoiceField(
        label=_("Régime alimentaire"),
        choices=Diet.choices,
        initial=Diet.NONE,
        widget=forms.RadioSelect,
    )
    diet_notes = forms.CharField(
        label=_("Précisions (allergies, autre régime)"),
        max_length=200,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if "diet" in cleaned and (
            refusal := Diet.refusal(cleaned["diet"], cleaned.get("diet_notes"))
        ):
            self.add_error("diet_notes", refusal)
        return cleaned

    @classmethod
    def initial_for(cls, member, latest_rsvp: RSVP | None | object = _UNREAD) -> dict:
        """Prefill with the member's default diet (profile), else their previous RSVP's
        (`latest_rsvp` when the caller has read it already: their newest RSVP, or None)."""
        if member.default_diet in Diet.values:
            notes = member.default_diet_notes if member.default_diet == Diet.OTHER else ""
            return {"diet": member.default_diet, "diet_notes": notes}
        previous = latest_rsvp
        if previous is _UNREAD:
            previous = RSVP.objects.filter(member=member).order_by("-id").first()
        if previous is None:
            return {"diet": Diet.NONE}
        return {"diet": previous.diet, "diet_notes": previous.diet_notes}


# Pages under /events/ whose address would hide an event's (see events/urls.py).
RESERVED_SLUGS = {"mine", "reconfirm", "billet", "calendar", "feed"}


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = [
            "number", "title", "slug", "status", "description", "starts_at", "ends_at", "venue",
            "room", "capacity", "registration_opens_at", "registration_closes_at", "held_seats",
            "held_until", "livestream_url", "photos_url",
            # The draw (events/draw.py).
            "allocation", "draw_closes_at", "draw_weight_newcomer", "draw_weight_waitlisted",
            "draw_weight_no_shows",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        for name in [
            "starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "held_until"
        ]:  # fmt: skip
            # The form reads dates in the current time zone: .year is the local year (no
            # conversion, which would overflow on 01/01/0001).
            moment = cleaned.get(name)
            if moment and not FIRST_YEAR <= moment.year <= LAST_YEAR:
                self.add_error(  # also removes the value: the checks below skip it
                    name,
                    _("Vérifiez l'année : elle doit être comprise entre %(first)d et %(last)d.")
                    % {"first": FIRST_YEAR, "last": LAST_YEAR},
                )
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("La fin doit être après le début."))
        opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("La clôture doit être après l'ouverture."))
        if closes and ends_at and closes > ends_at:
            self.add_error(
                "registration_closes_at",
                _("Les inscriptions doivent fermer au plus tard à la fin de l'événement."),
            )
        self._clean_held_seats(cleaned)
        capacity = cleaned.get("capacity")
        if self.instance.pk and capacity is not None:
            confirmed = self.instance.rsvps.filter(status=RSVP.Status.CONFIRMED).count()
            if refusal := Event.capacity_refusal(capacity, confirmed):
                self.add_error("capacity", refusal)
        self._clean_draw(cleaned)
        if not cleaned.get("slug") and cleaned.get("title"):
            candidate = Event(number=cleaned.get("number"), title=cleaned["title"])
            cleaned["slug"] = candidate.default_slug()
            clash = Event.objects.filter(slug=cleaned["slug"]).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("slug", _("Cette adresse est déjà prise : choisissez-en une."))
        if cleaned.get("slug") in RESERVED_SLUGS:
            self.add_error(
                "slug",
                _("« %(slug)s » est réservé à une page du site : choisissez une autre adresse.")
                % {"slug": cleaned["slug"]},
            )
        return cleaned

    def _clean_held_seats(self, cleaned: dict) -> None:
        held, capacity = cleaned.get("held_seats") or 0, cleaned.get("capacity")
        if held and "capacity" in cleaned and capacity is None:
            self.add_error(
                "held_seats", _("Sans limite de places, il n'y a pas de place à réserver.")
            )
        elif held and capacity is not None and held > capacity:
            self.add_error(
                "held_seats",
                _("Pas plus de places réservées que de places (%(capacity)d).")
                % {"capacity": capacity},
            )
        held_until, starts_at = cleaned.get("held_until"), cleaned.get("starts_at")
        if held_until and starts_at and held_until > starts_at:
            self.add_error(
                "held_until", _("Les places réservées doivent être libérées avant le début.")
            )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a form (an older script, a partial POST): the event keeps its value.
        for name in self.DRAW_FIELDS:
            if name in self.fields:
                self.fields[name].required = False

    def clean_allocation(self):
        return self.cleaned_data.get("allocation") or self.instance.allocation

    def _kept_weight(self, name: str):
        value = self.cleaned_data.get(name)
        return getattr(self.instance, name) if value is None else value

    def clean_draw_weight_newcomer(self):
        return self._kept_weight("draw_weight_newcomer")

    def clean_draw_weight_waitlisted(self):
        return self._kept_weight("draw_weight_waitlisted")

    def clean_draw_weight_no_shows(self):
        return self._kept_weight("draw_weight_no_shows")

    DRAW_FIELDS = (
        "allocation",
        "draw_closes_at",
        "draw_weight_newcomer",
        "draw_weight_waitlisted",
        "draw_weight_no_shows",
    )

    def _clean_draw(self, cleaned: dict) -> None:
        """The draw's settings: a window inside the registration period, and nothing of
        the draw changes once it has run (its record says which weights were used)."""
        drawn = self.instance.pk and Draw.objects.filter(event_id=self.instance.pk).exists()
        if drawn:
            for name in self.DRAW_FIELDS:
                if name in self.changed_data:
                    self.add_error(
                        name, _("Le tirage a eu lieu : ses réglages ne peuvent plus changer.")
                    )
            return
        if cleaned.get("allocation") != Event.Allocation.DRAW:
            if (
                self.instance.pk
                and DrawRequest.objects.active().filter(event_id=self.instance.pk).exists()
            ):
                self.add_error(
                    "allocation",
                    _(
                        "Des membres ont déjà demandé une place : écartez leurs demandes avant "
                        "de revenir au premier arrivé, premier servi."
                    ),
                )
            return
        opens = cleaned.get("registration_opens_at")
        if opens is None and "registration_opens_at" not in self.errors:
            self.add_error(
                "registration_opens_at",
                _("Le tirage au sort a besoin d'une date d'ouverture des inscriptions."),
            )
        closes_at = cleaned.get("draw_closes_at")
        if closes_at and not FIRST_YEAR <= closes_at.year <= LAST_YEAR:
            self.add_error(
                "draw_closes_at",
                _("Vérifiez l'année : elle doit être comprise entre %(first)d et %(last)d.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR},
            )
            return
        end = cleaned.get("registration_closes_at") or cleaned.get("starts_at")
        if closes_at and opens and closes_at <= opens:
            self.add_error("draw_closes_at", _("La fin des demandes doit être après l'ouverture."))
        elif closes_at and end and closes_at > end:
            self.add_error(
                "draw_closes_at",
                _("La fin des demandes doit précéder la clôture des inscriptions."),
            )
