from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.french import de
from members.models import Diet  # noqa: F401  (a person's diet: the account's, RSVPs copy it)

from .ticket_codes import display_short_code, new_short_code

DEFAULT_CAPACITY = 50

# Show rate assumed for catering when no past event has tracked its attendance:
# at free meetups a fifth to a half of those who RSVP do not come; 80 % is the
# cautious end (better a few sandwiches too many than hungry attendees).
DEFAULT_SHOW_RATE = Fraction(4, 5)
# How many recent events (with check-in) the catering estimate averages over.
SHOW_RATE_RECENT_EVENTS = 5
# Events take place between these years (inclusive). A typo such as 0026 or 20026 in a
# date is refused, and nothing downstream (calendars with a year of margin, reminders
# 48 h before, the admin's year filters) meets a date at the edge of what Python and the
# databases can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Seats held for first-timers are kept until this long before the start, unless the
# event says otherwise (Event.held_until): the day before, when the waiting list can
# still make plans for the evening.
HELD_SEATS_DEFAULT_BEFORE = timedelta(hours=24)

# The draw (events/draw.py): the request window lasts this long after the opening unless
# the organizers set its end; the weights' defaults and bounds (see Event.draw_weight_*).
DRAW_WINDOW = timedelta(hours=24)
DRAW_WEIGHT_MIN, DRAW_WEIGHT_MAX = Decimal("0.1"), Decimal("10")


def new_draw_secret() -> str:
    """The draw's secret value (256 bits): its SHA-256 is public before the draw, the value
    itself is revealed at the draw and goes into the seed (commit-reveal, events/draw.py)."""
    return secrets.token_hex(32)


def _draw_weight_field(label, default: str, help_text):
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(DRAW_WEIGHT_MIN), MaxValueValidator(DRAW_WEIGHT_MAX)],
        help_text=help_text,
    )


class Venue(models.Model):
    name = models.CharField(_("nom"), max_length=120)
    address = models.TextField(_("adresse"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    accessibility_notes = models.TextField(
        _("accessibilité"),
        blank=True,
        help_text=_("Accès en fauteuil, ascenseur, transports en commun, stationnement…"),
    )
    capacity = models.PositiveIntegerField(
        _("capacité de la salle"), null=True, blank=True, help_text=_("Nombre de places assises.")
    )

    class Meta:
        verbose_name = _("lieu")
        verbose_name_plural = _("lieux")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-90) & Q(latitude__lte=90))
                & (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="venue_coordinates_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def one_line_address(self) -> str:
        """The address on one line: "9 rue Kessler, 63000 Clermont-Ferrand"."""
        return ", ".join(line.strip() for line in self.address.splitlines() if line.strip())

    @property
    def map_url(self) -> str:
        """OpenStreetMap: a marker on the coordinates, else a search for the address."""
        if self.latitude is not None and self.longitude is not None:
            query = urlencode({"mlat": self.latitude, "mlon": self.longitude})
            return f"https://www.openstreetmap.org/?{query}#map=18/{self.latitude}/{self.longitude}"
        return "https://www.openstreetmap.org/search?" + urlencode({"query": self.one_line_address})


class EventQuerySet(models.QuerySet):
    def published(self) -> EventQuerySet:
        return self.filter(status=Event.Status.PUBLISHED)

    def public(self) -> EventQuerySet:
        """What visitors may see: published events, and cancelled ones (so the news travels)."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def upcoming(self) -> EventQuerySet:
        return self.filter(ends_at__gte=timezone.now()).order_by("starts_at")

    def past(self) -> EventQuerySet:
        return self.filter(ends_at__lt=timezone.now()).order_by("-starts_at")

    def with_seat_counts(self) -> EventQuerySet:
        """Annotate confirmed_count and waitlist_count in the same query."""
        return self.annotate(
            confirmed_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.CONFIRMED)),
            waitlist_count=Count("rsvps", filter=Q(rsvps__status=RSVP.Status.WAITLISTED)),
        )

    def with_attendance(self) -> EventQuerySet:
        """Annotate the counts behind Event.show_rate, in the same query:
        checked_in_count (everyone checked in, walk-ins included),
        rsvp_confirmed_count and rsvp_present_count (people who RSVPed: walk-ins excluded)."""
        confirmed = Q(rsvps__status=RSVP.Status.CONFIRMED)
        checked_in = Q(rsvps__checked_in_at__isnull=False)
        rsvped = Q(rsvps__walk_in=False)
        return self.annotate(
            checked_in_count=Count("rsvps", filter=confirmed & checked_in),
            rsvp_confirmed_count=Count("rsvps", filter=confirmed & rsvped),
            rsvp_present_count=Count("rsvps", filter=confirmed & rsvped & checked_in),
        )

    def tracked(self) -> EventQuerySet:
        """Events whose attendance was tracked: at least one person was checked in.
        An archive event nobody checked in at says nothing about who came."""
        return self.filter(Exists(RSVP.objects.present().filter(event=OuterRef("pk"))))

    def show_rate_estimate(self, limit: int = SHOW_RATE_RECENT_EVENTS) -> ShowRateEstimate:
        """The show rate of the `limit` most recent past events of this queryset that
        tracked their attendance, pooled (all present / all confirmed, walk-ins excluded),
        or DEFAULT_SHOW_RATE when there is none. One query."""
        events = list(
            self.filter(ends_at__lt=timezone.now())
            .tracked()
            .with_attendance()
            .filter(rsvp_confirmed_count__gt=0)
            .order_by("-starts_at")[:limit]
        )
        confirmed = sum(e.rsvp_confirmed_count for e in events)
        if not confirmed:
            return ShowRateEstimate(rate=DEFAULT_SHOW_RATE, events=[])
        present = sum(e.rsvp_present_count for e in events)
        return ShowRateEstimate(rate=Fraction(present, confirmed), events=events)


@dataclass(frozen=True)
class ShowRateEstimate:
    """How many of those who hold a seat are expected to come."""

    rate: Fraction
    events: list[Event] = field(default_factory=list)  # empty: the default rate

    @property
    def is_default(self) -> bool:
        return not self.events

    @property
    def percent(self) -> int:
        return round(self.rate * 100)

    def expected(self, confirmed: int) -> int:
        """Rounded up: nobody goes without food because of a fraction."""
        return math.ceil(confirmed * self.rate)  # exact: Fraction, no float error


class Event(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        PUBLISHED = "published", _("publié")
        CANCELLED = "cancelled", _("annulé")

    class Allocation(models.TextChoices):
        FIRST_COME = "first_come", _("premier arrivé, premier servi")
        DRAW = "draw", _("tirage au sort")

    class RegistrationState(models.TextChoices):
        OPEN = "open", _("Inscriptions ouvertes")
        NOT_YET_OPEN = "not_yet_open", _("Inscriptions pas encore ouvertes")
        CLOSED = "closed", _("Inscriptions closes")
        PAST = "past", _("Événement passé")
        CANCELLED = "cancelled", _("Événement annulé")
        DRAFT = "draft", _("Événement non publié")

    number = models.PositiveIntegerField(
        _("numéro"),
        null=True,
        blank=True,
        unique=True,
        help_text=_("API Hour n°N. Laisser vide pour un événement spécial."),
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(
        _("adresse de la page (URL)"),
        max_length=200,
        unique=True,
        blank=True,
        help_text=_("api-hour-N pour une API Hour numérotée ; déduit du titre si laissé vide."),
    )
    description = models.TextField(_("description"), blank=True, help_text=_("En Markdown."))
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    venue = models.ForeignKey(
        Venue,
        verbose_name=_("lieu"),
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )
    room = models.CharField(
        _("salle"),
        max_length=120,
        blank=True,
        help_text=_("La salle dans le lieu, quand elle compte : « salle 4 », « Amphi A »."),
    )
    # None: no limit (an evening online). The seat service confirms everyone then.
    capacity = models.PositiveIntegerField(
        _("places"),
        default=DEFAULT_CAPACITY,
        null=True,
        blank=True,
        help_text=_(
            "Nombre de places ; vide : sans limite de places (un événement en ligne). Ne peut "
            "pas descendre sous le nombre de places déjà confirmées ; l'augmenter confirme "
            "d'office les premiers de la liste d'attente."
        ),
    )
    registration_opens_at = models.DateTimeField(
        _("ouverture des inscriptions"),
        null=True,
        blank=True,
        help_text=_("Vide : ouvertes dès la publication."),
    )
    registration_closes_at = models.DateTimeField(
        _("clôture des inscriptions"),
        null=True,
        blank=True,
        help_text=_("Vide : au début de l'événement."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Seats held for first-timers (issue 13): see Event.seats_open_to, the one home of
    # the rule, and events/opening.py for their release at the deadline.
    held_seats = models.PositiveIntegerField(
        _("places réservées aux nouveaux venus"),
        default=0,
        help_text=_(
            "Optionnel : combien de places sont gardées pour des membres qui ne sont encore "
            "jamais venus (par exemple 5 sur 50). Jusqu'à la date limite, un habitué n'obtient "
            "une place que s'il en reste hors de celles-ci ; sinon il passe en liste "
            "d'attente. Un nouveau venu peut prendre n'importe quelle place. 0 : aucune."
        ),
    )
    held_until = models.DateTimeField(
        _("places réservées jusqu'au"),
        null=True,
        blank=True,
        help_text=_(
            "Vide : la veille, 24 h avant le début. À cette date, les places réservées "
            "encore libres vont à la liste d'attente, dans l'ordre, et chaque personne "
            "reçoit un e-mail (commande send_event_mail, toutes les 5 minutes)."
        ),
    )
    held_released_at = models.DateTimeField(
        _("places réservées libérées le"), null=True, blank=True, editable=False
    )
    livestream_url = models.URLField(_("lien du direct"), blank=True)
    photos_url = models.URLField(_("lien des photos"), blank=True)
    # The draw (events/draw.py). Ignored while `allocation` is first come, first served.
    allocation = models.CharField(
        _("attribution des places"),
        max_length=20,
        choices=Allocation.choices,
        default=Allocation.FIRST_COME,
        help_text=_(
            "Tirage au sort : pendant la période de demandes, les membres demandent une place "
            "(toutes les demandes sont égales, quelle que soit l'heure) ; à la fin, les places "
            "sont tirées au sort, les autres demandes passent en liste d'attente dans l'ordre "
            "du tirage, puis c'est de nouveau premier arrivé, premier servi."
        ),
    )
    draw_closes_at = models.DateTimeField(
        _("fin des demandes (tirage)"),
        null=True,
        blank=True,
        help_text=_("Vide : 24 heures après l'ouverture des inscriptions."),
    )
    draw_weight_newcomer = _draw_weight_field(
        _("poids : jamais venu·e"),
        "3",
        _(
            "Chances d'un membre qui n'est encore jamais venu, par rapport à 1 pour les "
            "autres (3 : trois fois plus de chances). Seulement pour les comptes créés avant "
            "l'annonce de l'événement."
        ),
    )
    draw_weight_waitlisted = _draw_weight_field(
        _("poids : resté·e en liste d'attente la dernière fois"),
        "2",
        _("Multiplie les chances d'un membre resté en liste d'attente à la soirée précédente."),
    )
    draw_weight_no_shows = _draw_weight_field(
        _("poids : absences répétées"),
        "0.5",
        _(
            "Chances d'un membre absent sans prévenir à au moins deux soirées de la dernière "
            "année (0,5 : deux fois moins de chances) ; remplace les autres poids."
        ),
    )
    draw_secret = models.CharField(
        _("valeur secrète du tirage"), max_length=64, default=new_draw_secret, editable=False
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=0), name="event_capacity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(held_seats__gte=0), name="event_held_seats_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    def default_slug(self) -> str:
        if self.number:
            return f"api-hour-{self.number}"
        return slugify(self.title)[:200]

    @property
    def outbox_group(self) -> str:
        """What ties the emails about this event together in the outbox (core.outbox):
        the admin lists them with ?group=<this>."""
        return f"event:{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.ends_at < timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def registration_closes(self) -> datetime:
        return self.registration_closes_at or self.starts_at

    # --- The draw (events/draw.py does it; these are the rules about this one row) ---

    @property
    def uses_draw(self) -> bool:
        return self.allocation == self.Allocation.DRAW

    @property
    def draw_window_closes(self) -> datetime:
        """When requests stop: draw_closes_at, else 24 h after the opening (without an
        opening date, which the event form requires in draw mode: the registration's end)."""
        if self.draw_closes_at:
            return self.draw_closes_at
        if self.registration_opens_at:
            return min(self.registration_opens_at + DRAW_WINDOW, self.registration_closes)
        return self.registration_closes

    @property
    def draw_commitment(self) -> str:
        """SHA-256 of the secret value: published before the draw, so that nobody (not even
        the organizers) can pick the secret once the requests are known."""
        return hashlib.sha256(self.draw_secret.encode()).hexdigest()

    @property
    def is_drawn(self) -> bool:
        return Draw.objects.filter(event_id=self.pk).exists()

    @property
    def draw_pending(self) -> bool:
        """In draw mode and not drawn yet: members request a seat instead of RSVPing."""
        return self.uses_draw and not self.is_drawn

    def draw_accepts_requests(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.draw_pending
            and self.registration_state(now) == self.RegistrationState.OPEN
            and now < self.draw_window_closes
        )

    def draw_rsvp_refusal(self, now: datetime | None = None) -> str | None:
        """Why a member cannot RSVP directly now (None: they can): until its draw, an event
        in draw mode takes requests, not RSVPs. Checked by rsvp_create under the event lock."""
        if not self.draw_pending:
            return None
        now = now or timezone.now()
        if now < self.draw_window_closes:
            closes = timezone.localtime(self.draw_window_closes)
            return gettext(
                "Les places de cet événement sont tirées au sort : demandez une place avant le "
                "%(date)s à %(time)s."
            ) % {"date": closes.strftime("%d/%m/%Y"), "time": closes.strftime("%H:%M")}
        return gettext("Le tirage au sort est en cours : les inscriptions rouvrent juste après.")

    def registration_state(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.status == self.Status.CANCELLED:
            return self.RegistrationState.CANCELLED
        if self.status == self.Status.DRAFT:
            return self.RegistrationState.DRAFT
        if self.ends_at < now:
            return self.RegistrationState.PAST
        if self.registration_opens_at and now < self.registration_opens_at:
            return self.RegistrationState.NOT_YET_OPEN
        if now >= self.registration_closes:
            return self.RegistrationState.CLOSED
        return self.RegistrationState.OPEN

    @property
    def registration_is_open(self) -> bool:
        return self.registration_state() == self.RegistrationState.OPEN

    def _count(self, status: str) -> int:
        return self.rsvps.filter(status=status).count()

    @staticmethod
    def seats_key(event_id: int) -> str:
        """Where the event page keeps an event's seat counts (events.views), dropped at
        every RSVP saved or deleted (EventsConfig)."""
        return f"events:seats:{event_id}"

    def count_seats(self) -> tuple[int, int]:
        """(confirmed, waiting): what with_seat_counts() annotates, in one query."""
        counts = self.rsvps.aggregate(
            confirmed=Count("pk", filter=Q(status=RSVP.Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RSVP.Status.WAITLISTED)),
        )
        return counts["confirmed"], counts["waiting"]

    @property
    def seats_confirmed(self) -> int:
        if hasattr(self, "confirmed_count"):
            return self.confirmed_count
        return self._count(RSVP.Status.CONFIRMED)

    @property
    def waitlist_length(self) -> int:
        if hasattr(self, "waitlist_count"):
            return self.waitlist_count
        return self._count(RSVP.Status.WAITLISTED)

    @property
    def has_seat_limit(self) -> bool:
        return self.capacity is not None

    def has_room_for_one_more(self, confirmed: int) -> bool:
        """Whether one more seat can be confirmed when `confirmed` are (always without a limit)."""
        return self.capacity is None or confirmed < self.capacity

    @staticmethod
    def capacity_refusal(capacity: int | None, confirmed: int) -> str | None:
        """Why `capacity` seats cannot be set when `confirmed` are taken (None: it can).
        The one home of "never below the confirmed seats": the event form and
        event_set_capacity both ask here."""
        if capacity is None:
            return None
        if capacity < 0:
            return _("Le nombre de places ne peut pas être négatif.")
        if capacity < confirmed:
            return ngettext(
                "Impossible de passer à %(capacity)d places : %(confirmed)d place est déjà "
                "confirmée. Annulez d'abord des inscriptions.",
                "Impossible de passer à %(capacity)d places : %(confirmed)d places sont déjà "
                "confirmées. Annulez d'abord des inscriptions.",
                confirmed,
            ) % {"capacity": capacity, "confirmed": confirmed}
        return None

    @property
    def seats_left(self) -> int | None:
        """None when there is no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_confirmed, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seats_left == 0

    def _attendance(self) -> tuple[int, int, int]:
        if not hasattr(self, "rsvp_present_count"):
            annotated = Event.objects.with_attendance().get(pk=self.pk)
            self.checked_in_count = annotated.checked_in_count
            self.rsvp_confirmed_count = annotated.rsvp_confirmed_count
            self.rsvp_present_count = annotated.rsvp_present_count
        return self.checked_in_count, self.rsvp_confirmed_count, self.rsvp_present_count

    @property
    def attendance_tracked(self) -> bool:
        """True when at least one person was checked in at this event."""
        return self._attendance()[0] > 0

    @property
    def show_rate(self) -> Fraction | None:
        """Present / confirmed among those who RSVPed (walk-ins did not): None when
        the attendance was not tracked (nobody checked in) or nobody RSVPed."""
        checked_in, confirmed, present = self._attendance()
        if not checked_in or not confirmed:
            return None
        return Fraction(present, confirmed)

    # --- Seats held for first-timers (issue 13) ------------------------------------

    @property
    def held_deadline(self) -> datetime:
        """Until when the held seats are kept: held_until, else 24 h before the start
        (never after the start)."""
        deadline = self.held_until or self.starts_at - HELD_SEATS_DEFAULT_BEFORE
        return min(deadline, self.starts_at)

    def holds_seats(self, now: datetime | None = None) -> bool:
        """Whether seats are kept for first-timers at this moment."""
        now = now or timezone.now()
        return bool(self.held_seats) and self.capacity is not None and now < self.held_deadline

    def confirmed_first_timers(self) -> int:
        """How many confirmed seats are held by first-timers (events.models
        members_first_timers, the one home of "newcomer"). One query."""
        from django.contrib.auth import get_user_model

        members = get_user_model().objects.filter(
            rsvps__event=self, rsvps__status=RSVP.Status.CONFIRMED
        )
        return members_first_timers(members).count()

    def seats_open_to(
        self,
        *,
        first_timer: bool,
        confirmed: int,
        confirmed_first_timers: int = 0,
        now: datetime | None = None,
    ) -> int | None:
        """THE rule of held seats (one home: the seat service, its waiting list and the
        event page ask here). How many seats a first-timer (`first_timer`) or anybody
        else may take now, when `confirmed` seats are taken, `confirmed_first_timers` of
        them by first-timers. Until the deadline, the held seats not yet taken by
        first-timers are kept from the others. None: no limit."""
        if self.capacity is None:
            return None
        kept = 0
        if not first_timer and self.holds_seats(now):
            kept = max(self.held_seats - confirmed_first_timers, 0)
        return max(self.capacity - kept - confirmed, 0)

    @property
    def held_seats_unfilled(self) -> int:
        """Seats still kept for first-timers now (0 after the deadline): what the event
        page shows ("dont N places réservées aux nouveaux venus")."""
        if not hasattr(self, "_held_unfilled"):
            self._held_unfilled = 0
            if self.holds_seats() and self.seats_left:
                kept = max(self.held_seats - self.confirmed_first_timers(), 0)
                self._held_unfilled = min(kept, self.seats_left)
        return self._held_unfilled

    @property
    def held_deadline_words(self) -> str:
        return moment_in_words(self.held_deadline)

    # --- The opening of the registrations (issue 13) ---------------------------------

    @property
    def opening_words(self) -> str:
        """ "mardi 3 mars à 12 h 00": when the registrations open, in words (the page,
        the refusal before the opening and the alert say it so)."""
        return moment_in_words(self.registration_opens_at)


def moment_in_words(moment: datetime) -> str:
    """ "mardi 3 mars à 12 h 00" (Paris time, in the active language; "Tuesday, March 3
    at 12:00" in English)."""
    from django.utils.formats import date_format

    local = timezone.localtime(moment)
    return gettext("%(day)s à %(time)s") % {
        "day": date_format(local, gettext("l j F")),
        "time": date_format(local, gettext("G \\h i")),
    }


class RSVPQuerySet(models.QuerySet):
    def active(self) -> RSVPQuerySet:
        return self.exclude(status=RSVP.Status.CANCELLED)

    def confirmed(self) -> RSVPQuerySet:
        return self.filter(status=RSVP.Status.CONFIRMED)

    def profile_lists(self, member) -> dict:
        """A member's evenings for their page: coming (seat or waiting list, public
        events) and past (confirmed seats at published events)."""
        rsvps = self.filter(member=member).select_related("event", "event__venue")
        return {
            "upcoming_rsvps": rsvps.active()
            .filter(event__in=Event.objects.public().upcoming())
            .order_by("event__starts_at"),
            "past_rsvps": rsvps.confirmed()
            .filter(event__in=Event.objects.published().past())
            .order_by("-event__starts_at"),
        }

    def future(self) -> RSVPQuerySet:
        """Active RSVPs for events that have not started: what a ban or an account
        deletion cancels, what a member's page lists as coming."""
        return self.active().filter(event__starts_at__gt=timezone.now())

    def mine(self, member) -> RSVPQuerySet:
        """A member's active RSVPs as "Mes inscriptions" lists them: coming evenings
        first, the soonest on top, then past ones, the latest on top; each with its
        waiting-list position (one query for the whole list)."""
        now = timezone.now()
        return (
            self.active()
            .filter(member=member)
            .select_related("event", "event__venue")
            .with_waitlist_position()
            .annotate(is_upcoming=Q(event__ends_at__gte=now))
            .order_by(
                models.F("is_upcoming").desc(),
                models.Case(
                    models.When(is_upcoming=True, then=models.F("event__starts_at")), default=None
                ).asc(),
                models.F("event__starts_at").desc(),
            )
        )

    def with_waitlist_position(self) -> RSVPQuerySet:
        """Annotate waitlist_rank (1 for the first person waiting; read by
        RSVP.waitlist_position instead of a query per row)."""
        ahead = (
            RSVP.objects.waitlisted()
            .filter(event=OuterRef("event"), id__lte=OuterRef("id"))
            .order_by()
            .values("event")
            .annotate(n=Count("id"))
            .values("n")
        )
        return self.annotate(waitlist_rank=models.Subquery(ahead))

    def waitlisted(self) -> RSVPQuerySet:
        # Arrival order: ids are handed out under the event lock, one at a time.
        return self.filter(status=RSVP.Status.WAITLISTED).order_by("id")

    def present(self) -> RSVPQuerySet:
        """Checked in at the door (walk-ins included)."""
        return self.confirmed().filter(checked_in_at__isnull=False)

    def no_show(self) -> RSVPQuerySet:
        """Held a seat at a past event that tracked its attendance, and never came."""
        return self.confirmed().filter(
            checked_in_at__isnull=True,
            event__ends_at__lt=timezone.now(),
            event__in=Event.objects.tracked().values("pk"),
        )

    def with_attendance(self) -> RSVPQuerySet:
        """Annotate event_tracked, which RSVP.attendance reads instead of a query."""
        return self.annotate(
            event_tracked=Exists(RSVP.objects.present().filter(event=OuterRef("event")))
        )

    def search(self, query: str) -> RSVPQuerySet:
        """By the member's name or email (the door's search box)."""
        query = query.strip()
        if not query:
            return self
        return self.filter(
            Q(member__display_name__icontains=query) | Q(member__email__icontains=query)
        )


def new_ticket_code() -> str:
    """A random, unguessable code: what the ticket's QR code holds (128 bits)."""
    return secrets.token_urlsafe(16)


class RSVP(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmée")
        WAITLISTED = "waitlisted", _("en liste d'attente")
        CANCELLED = "cancelled", _("annulée")

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="rsvps"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="rsvps",
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices)
    diet = models.CharField(
        _("régime alimentaire"), max_length=20, choices=Diet.choices, default=Diet.NONE
    )
    diet_notes = models.CharField(
        _("précisions sur le régime"),
        max_length=200,
        blank=True,
        help_text=_("Allergies, intolérances…"),
    )
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    promoted_at = models.DateTimeField(_("sortie de la liste d'attente le"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("arrivée le"), null=True, blank=True)
    ticket_code = models.CharField(
        _("code du billet"),
        max_length=32,
        unique=True,
        default=new_ticket_code,
        editable=False,
        help_text=_("Code aléatoire du QR code ; sans effet une fois l'inscription annulée."),
    )
    short_code = models.CharField(
        _("code court"),
        max_length=8,
        default=new_short_code,
        editable=False,
        help_text=_(
            "Code imprimé sous le QR code, à taper à l'entrée si l'appareil photo ne lit pas "
            "le QR code (8 caractères, unique pour l'événement)."
        ),
    )
    reconfirmed_at = models.DateTimeField(
        _("présence reconfirmée le"),
        null=True,
        blank=True,
        help_text=_("Réponse « oui, je viens » au message envoyé 48 h avant."),
    )
    walk_in = models.BooleanField(
        _("inscrit·e sur place"),
        default=False,
        help_text=_("Ajouté·e à l'entrée sans inscription préalable."),
    )

    objects = RSVPQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["id"]
        constraints = [
            # One active RSVP per member per event; cancelled ones stay as history.
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=~Q(status="cancelled"),
                name="one_active_rsvp_per_member_per_event",
            ),
            # The code typed at the door finds one ticket of the evening.
            models.UniqueConstraint(
                fields=["event", "short_code"], name="rsvp_short_code_unique_per_event"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["confirmed", "waitlisted", "cancelled"]),
                name="rsvp_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.event} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def short_code_display(self) -> str:
        """The code as printed on the ticket: "K7M2-9QXD"."""
        return display_short_code(self.short_code)

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.status == self.Status.WAITLISTED

    class Attendance(models.TextChoices):
        PRESENT = "present", _("présent·e")
        NO_SHOW = "no_show", _("absent·e")

    @property
    def attendance(self) -> str | None:
        """PRESENT once checked in; NO_SHOW for a seat held at a past event that tracked
        its attendance; None otherwise (not over yet, no seat, or nobody was checked in)."""
        if self.checked_in_at:
            return self.Attendance.PRESENT
        if not self.is_confirmed or not self.event.is_past:
            return None
        tracked = getattr(self, "event_tracked", None)
        if tracked is None:
            tracked = RSVP.objects.present().filter(event_id=self.event_id).exists()
        return self.Attendance.NO_SHOW if tracked else None

    def get_attendance_display(self) -> str:
        attendance = self.attendance
        return str(self.Attendance(attendance).label) if attendance else ""

    def waitlist_position(self) -> int | None:
        """1 for the first person waiting, None when not on the waiting list."""
        if not self.is_waitlisted:
            return None
        if getattr(self, "waitlist_rank", None) is not None:
            return self.waitlist_rank
        return RSVP.objects.waitlisted().filter(event_id=self.event_id, id__lte=self.id).count()

    def diet_label(self) -> str:
        if self.diet == Diet.OTHER and self.diet_notes:
            return gettext("%(diet)s : %(notes)s") % {
                "diet": self.get_diet_display(),
                "notes": self.diet_notes,
            }
        return str(self.get_diet_display())


# Members' attendance (the members app sits below events: these read RSVPs of members).


def members_with_attendance(members):
    """Annotate attended_count (events checked in at) and no_show_count (seats held at
    past events that tracked their attendance, without coming), in one query."""
    tracked_past = Event.objects.filter(ends_at__lt=timezone.now()).tracked().values("pk")
    confirmed = Q(rsvps__status=RSVP.Status.CONFIRMED)
    return members.annotate(
        attended_count=Count("rsvps", filter=confirmed & Q(rsvps__checked_in_at__isnull=False)),
        no_show_count=Count(
            "rsvps",
            filter=confirmed & Q(rsvps__checked_in_at__isnull=True, rsvps__event__in=tracked_past),
        ),
    )


def members_never_come(members, min_no_shows: int = 2):
    """Members who held a seat at `min_no_shows` or more past events that tracked their
    attendance and were never checked in anywhere."""
    if "no_show_count" not in members.query.annotations:
        members = members_with_attendance(members)
    return members.filter(attended_count=0, no_show_count__gte=min_no_shows)


def members_first_timers(members):
    """The members who have never attended an evening: the one home of "newcomer" (seats
    held for first-timers, the draw's newcomer weight). Attended means checked in at the
    door (walk-ins included), or a confirmed seat at a past event that tracked nobody's
    attendance (there we cannot tell who came, so the seat counts as a visit)."""
    untracked_past = (
        Event.objects.filter(ends_at__lt=timezone.now())
        .exclude(pk__in=Event.objects.tracked().values("pk"))
        .values("pk")
    )
    came = RSVP.objects.confirmed().filter(
        Q(checked_in_at__isnull=False) | Q(event__in=untracked_past), member=OuterRef("pk")
    )
    return members.exclude(Exists(came))


def is_first_timer(member) -> bool:
    """Whether `member` has never attended an evening (see members_first_timers)."""
    model = member._meta.model  # also through request.user's lazy wrapper
    return members_first_timers(model.objects.filter(pk=member.pk)).exists()


class OpeningAlertQuerySet(models.QuerySet):
    def due(self, now: datetime | None = None) -> OpeningAlertQuerySet:
        """Not sent yet, for a published event whose registrations have opened and not
        closed: what `send_event_mail` sends at its first run at or after the opening."""
        now = now or timezone.now()
        return self.filter(
            sent_at__isnull=True,
            event__status=Event.Status.PUBLISHED,
            event__registration_opens_at__lte=now,
            event__starts_at__gt=now,
        ).exclude(event__registration_closes_at__lte=now)


class OpeningAlert(models.Model):
    """ "Prévenez-moi à l'ouverture": one email to this member when the registrations of
    this event open (events/opening.py)."""

    event = models.ForeignKey(
        Event,
        verbose_name=_("événement"),
        on_delete=models.CASCADE,
        related_name="opening_alerts",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="opening_alerts",
    )
    # The language of the page where it was asked: the email is written in it.
    language = models.CharField(_("langue"), max_length=10, default="fr")
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    objects = OpeningAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alerte d'ouverture")
        verbose_name_plural = _("alertes d'ouverture")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "member"], name="one_opening_alert_per_member_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.event}"


# --- The draw (events/draw.py runs it) ------------------------------------------------


class DrawRequestQuerySet(models.QuerySet):
    def active(self) -> DrawRequestQuerySet:
        return self.filter(status=DrawRequest.Status.ACTIVE)


class DrawRequest(models.Model):
    """A member asking for a seat at an event in draw mode, during its request window."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("en attente du tirage")
        CANCELLED = "cancelled", _("retirée")
        VOIDED = "voided", _("écartée par les organisateurs")
        DRAWN = "drawn", _("tirée au sort")
        SKIPPED = "skipped", _("hors tirage")

    event = models.ForeignKey(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="draw_requests"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="draw_requests",
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    diet = models.CharField(
        _("régime alimentaire"), max_length=20, choices=Diet.choices, default=Diet.NONE
    )
    diet_notes = models.CharField(_("précisions sur le régime"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # SHA-256 of a random cookie of the browser that asked (never the cookie itself):
    # two accounts asking from one browser look like one person twice.
    device = models.CharField(_("appareil (empreinte)"), max_length=64, blank=True)
    void_reason = models.CharField(_("motif"), max_length=200, blank=True)
    # Written by the draw.
    weight = models.DecimalField(_("poids"), max_digits=6, decimal_places=2, null=True)
    rank = models.PositiveIntegerField(_("rang au tirage"), null=True, blank=True)
    rsvp = models.OneToOneField(
        RSVP,
        verbose_name=_("inscription"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draw_request",
    )

    objects = DrawRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande de place (tirage)")
        verbose_name_plural = _("demandes de place (tirage)")
        ordering = ["id"]
        constraints = [
            # One request per member per event (verified accounts only: see draw.py).
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(status__in=["active", "drawn", "skipped"]),
                name="one_draw_request_per_member_per_event",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Demande n° %(n)d") % {"n": self.pk}

    @property
    def ticket_number(self) -> int:
        """The anonymous number the public draw page shows: the request's id."""
        return self.pk


class Draw(models.Model):
    """The record of an event's draw: everything needed to replay it
    (`manage.py draw_replay <slug>`), written once, in the draw's transaction."""

    event = models.OneToOneField(
        Event, verbose_name=_("événement"), on_delete=models.CASCADE, related_name="draw"
    )
    drawn_at = models.DateTimeField(_("tiré le"))
    window_closed_at = models.DateTimeField(_("fin des demandes"))
    secret = models.CharField(_("valeur secrète révélée"), max_length=64)
    weights = models.JSONField(_("poids"), default=dict)
    # [[request id, member pseudonym, weight as text], ...] by request id: the seed's input.
    requests = models.JSONField(_("demandes"), default=list)
    seed = models.CharField(_("graine"), max_length=64)
    order = models.JSONField(_("ordre tiré"), default=list)  # request ids, rank 1 first
    seats = models.PositiveIntegerField(_("places attribuées"))

    class Meta:
        verbose_name = _("tirage au sort")
        verbose_name_plural = _("tirages au sort")
        ordering = ["-drawn_at"]

    def __str__(self) -> str:
        return gettext("Tirage %(de_event)s") % {"de_event": de(self.event)}
