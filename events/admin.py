from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin_tools import SafeModelAdmin, SafeTabularInline, readable_keys
from core.search import unaccented

from .draw import draw_duplicates, draw_request_void
from .forms import EventAdminForm
from .models import (
    RSVP,
    Diet,
    Draw,
    DrawRequest,
    Event,
    ShowRateEstimate,
    Venue,
    members_first_timers,
)
from .services import (
    RSVPError,
    VenueMergeError,
    event_cancel,
    event_set_capacity,
    event_set_held_seats,
    rsvp_cancel,
    rsvp_check_in,
    rsvp_create,
    venue_merge,
)


@admin.register(Venue)
class VenueAdmin(SafeModelAdmin):
    list_display = ["name", "capacity", "event_count", "map_link"]
    search_fields = unaccented("name", "address")
    actions = ["merge_selected"]

    @admin.action(
        description=gettext_lazy("Fusionner les lieux choisis (un seul endroit)…"),
        permissions=["change", "delete"],
    )
    def merge_selected(self, request, queryset):
        """Ask which venue to keep, then move every event of the others to it."""
        venues = list(queryset.order_by("name"))
        if len(venues) < 2:
            self.message_user(
                request, _("Choisissez au moins deux lieux à fusionner."), messages.WARNING
            )
            return None
        keep = next((v for v in venues if str(v.pk) == request.POST.get("keep")), None)
        if "confirm" in request.POST and keep is not None:
            try:
                moved = venue_merge(keep=keep, others=[v for v in venues if v != keep])
            except VenueMergeError as error:
                self.message_user(request, str(error), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "Lieux fusionnés dans « %(name)s » : %(n)d événement déplacé.",
                    "Lieux fusionnés dans « %(name)s » : %(n)d événements déplacés.",
                    moved,
                )
                % {"name": keep.name, "n": moved},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Fusionner des lieux"),
            "venues": venues,  # annotated with n_events by get_queryset
            "action": "merge_selected",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "missing_choice": "confirm" in request.POST,
        }
        return TemplateResponse(request, "admin/events/venue/merge.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_events=Count("events"))

    @admin.display(description=gettext_lazy("événements"), ordering="n_events")
    def event_count(self, venue: Venue) -> int:
        return venue.n_events

    @admin.display(description=gettext_lazy("carte"))
    def map_link(self, venue: Venue) -> str:
        return format_html('<a href="{}" rel="noopener">OpenStreetMap</a>', venue.map_url)


class YearFilter(admin.SimpleListFilter):
    title = gettext_lazy("année")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = Event.objects.dates("starts_at", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        # Only the years offered: "abc", "²", "0" or "10000" would reach the database.
        if self.value() not in dict(self.lookup_choices):
            raise IncorrectLookupParameters(f"no event in {self.value()!r}")
        return queryset.filter(starts_at__year=int(self.value()))


# --- CSV files for spreadsheets ---------------------------------------------------
# Written the way a French spreadsheet opens them (Excel, LibreOffice in French): ";"
# between fields, UTF-8 with a BOM (without it Excel reads the accents as Windows-1252),
# every field in quotes, so that a ";" typed by a member stays inside its cell.
# Cells that a spreadsheet would run as a formula are neutralised (see csv_cell).

CSV_DELIMITER = ";"
# What starts a formula (or a DDE call) in Excel, LibreOffice or Google Sheets; tab and
# carriage return because some of them drop a leading one and read what follows.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """One cell. Numbers we write ourselves (counts) stay as they are, so the spreadsheet
    reads them as numbers. Text gets a leading apostrophe when it would start a formula,
    also after leading spaces or line breaks (spreadsheets may trim them), e.g.
    "=2+5" or " @SUM(A1)": the spreadsheet shows it as text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _CSVWriter:
    """csv.writer with the format above; every cell goes through csv_cell."""

    def __init__(self, response: HttpResponse):
        response.write("\ufeff")
        self._writer = csv.writer(response, delimiter=CSV_DELIMITER, quoting=csv.QUOTE_ALL)

    def writerow(self, row: list) -> None:
        self._writer.writerow([csv_cell(value) for value in row])


def _csv_response(filename: str) -> tuple[HttpResponse, _CSVWriter]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, _CSVWriter(response)


def attendees_csv(event: Event) -> HttpResponse:
    response, writer = _csv_response(f"{event.slug}-inscrits.csv")
    writer.writerow(
        [_("Nom"), _("E-mail"), _("Statut"), _("Régime"), _("Précisions"), _("Inscrit le")]
    )
    rsvps = (
        RSVP.objects.filter(event=event).active().select_related("member").order_by("status", "id")
    )
    for rsvp in rsvps:
        writer.writerow(
            [
                rsvp.member.display_name,
                rsvp.member.email,
                rsvp.get_status_display(),
                rsvp.get_diet_display(),
                rsvp.diet_notes,
                timezone.localtime(rsvp.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return response


def catering_summary(event: Event) -> dict:
    """Confirmed attendees by diet, and how many are expected: confirmed x the show
    rate of recent events that tracked their attendance (or DEFAULT_SHOW_RATE),
    rounded up per diet, so the total is the sum of what the caterer prepares."""
    confirmed = RSVP.objects.filter(event=event).confirmed()
    counts = dict(confirmed.values_list("diet").annotate(n=Count("id")).values_list("diet", "n"))
    estimate = (
        Event.objects.exclude(pk=event.pk)
        .filter(starts_at__lt=event.starts_at)
        .show_rate_estimate()
    )
    rows = [
        (label, counts.get(value, 0), estimate.expected(counts.get(value, 0)))
        for value, label in Diet.choices
    ]
    notes = list(
        confirmed.filter(diet=Diet.OTHER)
        .select_related("member")
        .values_list("member__display_name", "diet_notes")
    )
    return {
        "rows": rows,
        "total": sum(counts.values()),
        "expected_total": sum(expected for _label, _n, expected in rows),
        "estimate": estimate,
        "rate_source": show_rate_source(estimate),
        "notes": notes,
    }


def show_rate_source(estimate: ShowRateEstimate) -> str:
    """Where the show rate comes from, in a sentence."""
    if estimate.is_default:
        return _("Taux par défaut : aucune soirée précédente n'a été pointée à l'entrée.")
    return ngettext(
        "Taux de présence de la dernière soirée pointée à l'entrée (%(events)s).",
        "Taux de présence des %(n)d dernières soirées pointées à l'entrée (%(events)s), "
        "toutes présences rapportées à toutes les places confirmées, sans les inscrits "
        "sur place.",
        len(estimate.events),
    ) % {"n": len(estimate.events), "events": ", ".join(str(e) for e in estimate.events)}


def catering_csv(event: Event, summary: dict) -> HttpResponse:
    response, writer = _csv_response(f"{event.slug}-traiteur.csv")
    writer.writerow([_("Régime"), _("Confirmés"), _("Attendus")])
    for label, count, expected in summary["rows"]:
        writer.writerow([label, count, expected])
    writer.writerow([_("Total"), summary["total"], summary["expected_total"]])
    writer.writerow([])
    writer.writerow([_("Taux de présence"), f"{summary['estimate'].percent} %"])
    writer.writerow([_("Source"), summary["rate_source"]])
    for name, note in summary["notes"]:
        writer.writerow([_("Précisions"), name, note])
    return response


class RSVPInline(SafeTabularInline):
    model = RSVP
    fields = ["member", "status", "diet", "diet_notes", "created_at", "checked_in_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["status", "id"]
    verbose_name_plural = gettext_lazy(
        "inscriptions actives (annuler depuis la liste des inscriptions)"
    )

    def get_queryset(self, request):
        return super().get_queryset(request).active().select_related("member")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(SafeModelAdmin):
    form = EventAdminForm
    # Fits a 1280 px laptop (tests/browser/test_admin_width.py): short headers and
    # dates, the tools as short links (all of them again on the event's page).
    list_display = [
        "title",
        "date",
        "venue",
        "status",
        "seats",
        "waitlist",
        "show_rate",
        "links",
    ]
    list_filter = ["status", YearFilter, "venue"]
    search_fields = [*unaccented("title", "slug", "venue__name"), "number"]
    date_hierarchy = "starts_at"
    list_select_related = ["venue"]
    inlines = [RSVPInline]
    actions = ["export_attendees"]
    readonly_fields = ["held_released_at"]
    fieldsets = [
        (
            None,
            {
                "fields": ["number", "title", "status", "description"],
                "description": gettext_lazy(
                    "Un événement « publié » est visible de tous. Passer un événement à "
                    "« annulé » prévient par e-mail toutes les personnes inscrites ou en "
                    "liste d'attente. Les e-mails partent en arrière-plan, et sont retentés "
                    "si le serveur de messagerie est en panne ; « messages », dans la liste "
                    "des événements, montre chacun avec son état."
                ),
            },
        ),
        (
            gettext_lazy("Date et lieu"),
            {
                "fields": ["starts_at", "ends_at", "venue", "room"],
                "description": gettext_lazy(
                    "Le soir même : « Entrée (téléphone) » en haut de cette page ouvre la "
                    "page de pointage (recherche par nom, QR codes des billets, ajouts sur "
                    "place tant qu'il reste des places ; une personne sans compte en reçoit "
                    "un, sans mot de passe ni annonces, qu'elle pourra récupérer avec « mot "
                    "de passe oublié »). « Traiteur » donne les effectifs attendus par régime."
                ),
            },
        ),
        (
            gettext_lazy("Inscriptions"),
            {
                "fields": ["capacity", "registration_opens_at", "registration_closes_at"],
                "description": gettext_lazy(
                    "Avant l'ouverture, la page de l'événement dit quand les inscriptions "
                    "ouvrent, avec un compte à rebours, et les membres peuvent demander un "
                    "e-mail à l'ouverture (« Prévenez-moi à l'ouverture »). Ces e-mails "
                    "partent au premier passage de send_event_mail (toutes les 5 minutes, "
                    "à :00, :05, :10…) : choisissez une ouverture à une heure ronde. "
                    "Personne n'a de place avant l'heure, même une seconde avant."
                ),
            },
        ),
        (
            gettext_lazy("Places réservées aux nouveaux venus"),
            {
                "fields": ["held_seats", "held_until", "held_released_at"],
                "description": gettext_lazy(
                    "Nouveau venu : un membre qui n'est encore jamais venu à une soirée "
                    "(jamais pointé à l'entrée, ni confirmé à une soirée passée sans "
                    "pointage). Les places prises par des nouveaux venus comptent dans "
                    "les places réservées. À la date limite, les places réservées encore "
                    "libres vont à la liste d'attente, dans l'ordre ; chaque personne "
                    "promue reçoit un e-mail."
                ),
            },
        ),
        (
            gettext_lazy("Tirage au sort"),
            {
                "fields": [
                    "allocation",
                    "draw_closes_at",
                    "draw_weight_newcomer",
                    "draw_weight_waitlisted",
                    "draw_weight_no_shows",
                ],
                "description": gettext_lazy(
                    "En mode « tirage au sort », les membres demandent une place pendant la "
                    "période de demandes (par défaut les 24 heures qui suivent l'ouverture des "
                    "inscriptions, qui est alors obligatoire) ; la commande planifiée tire les "
                    "places juste après, une seule fois, et chacun·e reçoit son résultat par "
                    "e-mail. Les poids multiplient les chances (1 = normal). Avant le tirage, "
                    "« Demandes de place (tirage) » montre les doublons possibles (même nom, "
                    "même adresse aux points ou +étiquette près, même navigateur) : écartez-les "
                    "avec l'action « Écarter ». Après, « Tirages au sort » montre le résultat, "
                    "aussi public sur /events/<adresse>/tirage/ ; « manage.py draw_replay "
                    "<adresse> » le rejoue."
                ),
            },
        ),
        (gettext_lazy("Liens"), {"fields": ["livestream_url", "photos_url"]}),
        # The address of the page is deduced from the number or the title: rarely typed.
        (gettext_lazy("Avancé"), {"fields": ["slug"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        # Explicit order: Meta.ordering does not apply to an aggregated (GROUP BY) query.
        return (
            super()
            .get_queryset(request)
            .with_seat_counts()
            .with_attendance()
            .order_by("-starts_at")
        )

    @admin.display(description=gettext_lazy("date"), ordering="starts_at")
    def date(self, event: Event) -> str:
        return date_format(timezone.localtime(event.starts_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=gettext_lazy("places"), ordering="confirmed_count")
    def seats(self, event: Event) -> str:
        """Confirmed / capacity, and under it the seats held for first-timers, if any
        (one column: the list fits a 1280 px laptop)."""
        if event.capacity is None:
            return f"{event.confirmed_count} / {_('sans limite')}"
        seats = f"{event.confirmed_count} / {event.capacity}"
        held = self.held(event)
        if held == "—":
            return seats
        return format_html('{}<br><small class="field-held">{}</small>', seats, held)

    @admin.display(description=gettext_lazy("attente"), ordering="waitlist_count")
    def waitlist(self, event: Event) -> int:
        return event.waitlist_count

    @admin.display(description=gettext_lazy("réservées nouveaux venus"))
    def held(self, event: Event) -> str:
        """ "5 réservées (3 libres) jusqu'au 02/03 19:00"; "—" without held seats."""
        if not event.held_seats:
            return "—"
        deadline = timezone.localtime(event.held_deadline).strftime("%d/%m %H:%M")
        if not event.holds_seats():
            return _("%(n)d réservées, libérées le %(date)s") % {
                "n": event.held_seats,
                "date": deadline,
            }
        return _("%(n)d réservées (%(free)d libres) jusqu'au %(date)s") % {
            "n": event.held_seats,
            "free": event.held_seats_unfilled,
            "date": deadline,
        }

    @admin.display(description=gettext_lazy("présence"))
    def show_rate(self, event: Event) -> str:
        """Present / confirmed (walk-ins excluded); "—" when nobody was checked in."""
        if event.show_rate is None:
            return "—"
        return _("%(rate)d %% (%(present)d / %(confirmed)d)") % {
            "rate": round(event.show_rate * 100),
            "present": event.rsvp_present_count,
            "confirmed": event.rsvp_confirmed_count,
        }

    @admin.display(description=gettext_lazy("outils"))
    def links(self, event: Event) -> str:
        rsvps = (
            reverse("admin:events_rsvp_changelist")
            + "?"
            + urlencode({"event__id__exact": event.pk})
        )
        # Every email about the event (seats, cancellation, the evening's automatic
        # messages): the outbox's list, on the event's group.
        mails = (
            reverse("admin:core_outboxmessage_changelist")
            + "?"
            + urlencode({"group": event.outbox_group})
        )
        links = [
            (reverse("events:checkin", kwargs={"slug": event.slug}), _("entrée")),
            (rsvps, _("inscriptions")),
            (mails, _("messages")),
            (reverse("admin:events_event_catering", args=[event.pk]), _("traiteur")),
            (reverse("admin:events_event_attendees_csv", args=[event.pk]), _("CSV")),
        ]
        # One link per line when the column is narrow (they wrap), never sideways.
        return format_html(
            '<span class="admin-tools">{}</span>',
            format_html_join(" ", '<a href="{}">{}</a>', links),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The door's link uses the stored address: the form's may be empty or invalid
        # when the page comes back with an error.
        saved = None
        if readable_keys(Event._meta.pk, [object_id]):  # "²" or "abc": Django's own answer
            saved = Event.objects.filter(pk=object_id).values_list("slug", flat=True).first()
        extra_context = {**(extra_context or {}), "saved_slug": saved}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        custom = [
            path(
                "<int:event_id>/catering/",
                self.admin_site.admin_view(self.catering_view),
                name="events_event_catering",
            ),
            path(
                "<int:event_id>/catering.csv",
                self.admin_site.admin_view(self.catering_csv_view),
                name="events_event_catering_csv",
            ),
            path(
                "<int:event_id>/catering/print/",
                self.admin_site.admin_view(self.catering_print_view),
                name="events_event_catering_print",
            ),
            path(
                "<int:event_id>/attendees.csv",
                self.admin_site.admin_view(self.attendees_csv_view),
                name="events_event_attendees_csv",
            ),
        ]
        return custom + super().get_urls()

    def _viewable_event(self, request: HttpRequest, event_id: int) -> Event:
        event = get_object_or_404(Event.objects.with_seat_counts(), pk=event_id)
        if not self.has_view_permission(request, event):
            raise PermissionDenied
        return event

    def catering_csv_view(self, request: HttpRequest, event_id: int) -> HttpResponse:
        event = self._viewable_event(request, event_id)
        return catering_csv(event, catering_summary(event))

    def catering_print_view(self, request: HttpRequest, event_id: int) -> HttpResponse:
        """A plain page laid out for paper (the caterer, the kitchen door)."""
        event = self._viewable_event(request, event_id)
        context = {"event": event, "summary": catering_summary(event), "now": timezone.now()}
        return TemplateResponse(request, "admin/events/event/catering_print.html", context)

    def catering_view(self, request: HttpRequest, event_id: int) -> HttpResponse:
        event = self._viewable_event(request, event_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Traiteur : %(event)s") % {"event": event},
            "event": event,
            "opts": self.model._meta,
            "summary": catering_summary(event),
        }
        return TemplateResponse(request, "admin/events/event/catering.html", context)

    def attendees_csv_view(self, request: HttpRequest, event_id: int) -> HttpResponse:
        event = get_object_or_404(Event, pk=event_id)
        if not self.has_view_permission(request, event):
            raise PermissionDenied
        return attendees_csv(event)

    @admin.action(description=gettext_lazy("Exporter les inscrits (CSV)"))
    def export_attendees(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choisissez un seul événement pour l'export."), messages.ERROR
            )
            return None
        return attendees_csv(queryset.get())

    def save_model(self, request, obj: Event, form, change):
        # Two changes go through their services rather than this save, even when the
        # same save makes both: cancelling (event_cancel tells everyone registered) and
        # the capacity (event_set_capacity takes the event lock, refuses to drop below
        # the confirmed seats and promotes the waiting list).
        cancelling = (
            change and "status" in form.changed_data and obj.status == Event.Status.CANCELLED
        )
        capacity_changed = change and "capacity" in form.changed_data
        new_capacity = obj.capacity
        held_changed = change and {"held_seats", "held_until"} & set(form.changed_data)
        new_held = (obj.held_seats, obj.held_until)
        if held_changed:
            obj.held_seats, obj.held_until = form.initial["held_seats"], form.initial["held_until"]
        if cancelling:
            obj.status = form.initial["status"]
        if capacity_changed:
            obj.capacity = form.initial["capacity"]
        super().save_model(request, obj, form, change)
        if cancelling:
            told = event_cancel(event=obj)
            self.message_user(
                request,
                ngettext(
                    "Événement annulé ; %(n)d personne inscrite prévenue par e-mail.",
                    "Événement annulé ; %(n)d personnes inscrites prévenues par e-mail.",
                    told,
                )
                % {"n": told},
                messages.WARNING,
            )
        promoted = []
        if held_changed:
            # Fewer seats held or a deadline past: the waiting list moves up, under the
            # event lock (event_set_held_seats).
            held_seats, held_until = new_held
            promoted += event_set_held_seats(
                event=obj, held_seats=held_seats, held_until=held_until
            )
        if capacity_changed:
            try:
                promoted += event_set_capacity(event=obj, capacity=new_capacity)
            except RSVPError as error:
                self.message_user(request, str(error), messages.ERROR)
        if promoted:
            self.message_user(
                request,
                ngettext(
                    "%(n)d personne de la liste d'attente a obtenu une place.",
                    "%(n)d personnes de la liste d'attente ont obtenu une place.",
                    len(promoted),
                )
                % {"n": len(promoted)},
                messages.SUCCESS,
            )


class RSVPAdminForm(forms.ModelForm):
    class Meta:
        model = RSVP
        fields = ["event", "member", "diet", "diet_notes"]

    def clean(self):
        cleaned = super().clean()
        event = cleaned.get("event")
        if not self.instance.pk and event and event.is_cancelled:
            self.add_error("event", _("Cet événement est annulé."))
        if "diet" in cleaned and (
            refusal := Diet.refusal(cleaned["diet"], cleaned.get("diet_notes"))
        ):
            self.add_error("diet_notes", refusal)
        return cleaned


@admin.register(RSVP)
class RSVPAdmin(SafeModelAdmin):
    form = RSVPAdminForm
    # Fits a 1280 px laptop (tests/browser/test_admin_width.py): the waiting-list
    # rank inside the status, short dates, yes/no icons.
    list_display = [
        "person",
        "evening",
        "state",
        "diet",
        "registered",
        "reconfirmed",
        "arrived",
        "on_site",
        "first_timer",
    ]
    list_filter = [
        "status",
        "diet",
        ("reconfirmed_at", admin.EmptyFieldListFilter),
        ("checked_in_at", admin.EmptyFieldListFilter),
        "walk_in",
        "event",
    ]
    search_fields = ["member__email", "member__display_name", "event__title"]
    list_select_related = ["member", "event"]
    autocomplete_fields = ["member"]
    actions = ["cancel_selected", "check_in_selected"]
    readonly_fields = [
        "status",
        "created_at",
        "promoted_at",
        "cancelled_at",
        "reconfirmed_at",
        "checked_in_at",
        "walk_in",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "member", "diet", "diet_notes"]
        return ["event", "member", "status", "diet", "diet_notes", *self.readonly_fields[1:]]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["event", "member", *self.readonly_fields]

    def get_queryset(self, request):
        # Whether the member has never attended an evening (events.models
        # members_first_timers): who the seats held for first-timers are for.
        members = get_user_model().objects.filter(pk=OuterRef("member"))
        return (
            super()
            .get_queryset(request)
            .with_waitlist_position()
            .annotate(member_first_timer=Exists(members_first_timers(members)))
        )

    @admin.display(
        description=gettext_lazy("nouveau venu"), boolean=True, ordering="member_first_timer"
    )
    def first_timer(self, rsvp: RSVP) -> bool:
        """Never attended an evening: may take a seat held for first-timers."""
        return rsvp.member_first_timer

    # Methods rather than the foreign keys themselves: Django never wraps a foreign key's
    # cell, and a long name would push the list sideways.
    @admin.display(description=gettext_lazy("membre"), ordering="member__display_name")
    def person(self, rsvp: RSVP) -> str:
        return str(rsvp.member)

    @admin.display(description=gettext_lazy("événement"), ordering="event__starts_at")
    def evening(self, rsvp: RSVP) -> str:
        return str(rsvp.event)

    @admin.display(description=gettext_lazy("sur place"), boolean=True, ordering="walk_in")
    def on_site(self, rsvp: RSVP) -> bool:
        return rsvp.walk_in

    @admin.display(description=gettext_lazy("statut"), ordering="status")
    def state(self, rsvp: RSVP) -> str:
        """The status, with the rank for someone waiting: "en liste d'attente (n° 2)"."""
        if rsvp.is_waitlisted:
            return _("%(status)s (n° %(position)d)") % {
                "status": rsvp.get_status_display(),
                "position": rsvp.waitlist_position(),
            }
        return rsvp.get_status_display()

    @admin.display(description=gettext_lazy("inscrit le"), ordering="created_at")
    def registered(self, rsvp: RSVP) -> str:
        return date_format(timezone.localtime(rsvp.created_at), "SHORT_DATETIME_FORMAT")

    @admin.display(description=gettext_lazy("reconfirmé"), boolean=True, ordering="reconfirmed_at")
    def reconfirmed(self, rsvp: RSVP) -> bool:
        return rsvp.reconfirmed_at is not None

    @admin.display(description=gettext_lazy("arrivée"), ordering="checked_in_at")
    def arrived(self, rsvp: RSVP) -> str:
        if rsvp.checked_in_at is None:
            return "—"
        return date_format(timezone.localtime(rsvp.checked_in_at), "SHORT_DATETIME_FORMAT")

    def has_delete_permission(self, request, obj=None):
        # History stays: cancel instead, so the waiting list moves up.
        return False

    def save_model(self, request, obj: RSVP, form, change):
        if change:
            super().save_model(request, obj, form, change)  # diet only
            return
        # Organizers add people through the same seat service as everyone else.
        try:
            result = rsvp_create(
                event=obj.event,
                member=obj.member,
                diet=obj.diet,
                diet_notes=obj.diet_notes,
                by_organizer=True,
            )
        except RSVPError as error:  # the form already checked; only a race gets here
            self.message_user(request, str(error), messages.ERROR)
            raise PermissionDenied(str(error)) from error
        obj.pk = result.rsvp.pk
        obj.status = result.rsvp.status
        if not result.created:
            self.message_user(request, _("Ce membre était déjà inscrit."), messages.WARNING)

    @admin.action(
        description=gettext_lazy("Annuler les inscriptions choisies (la liste d'attente avance)")
    )
    def cancel_selected(self, request, queryset):
        cancelled = promoted = 0
        for rsvp in queryset.active().select_related("event"):
            try:
                promoted += len(rsvp_cancel(rsvp=rsvp, by_organizer=True))
            except RSVPError as error:
                self.message_user(request, f"{rsvp}: {error}", messages.ERROR)
                continue
            cancelled += 1
        self.message_user(
            request,
            ngettext("%(c)d inscription annulée.", "%(c)d inscriptions annulées.", cancelled)
            % {"c": cancelled}
            + (
                " "
                + ngettext(
                    "%(p)d personne de la liste d'attente a obtenu une place.",
                    "%(p)d personnes de la liste d'attente ont obtenu une place.",
                    promoted,
                )
                % {"p": promoted}
                if promoted
                else ""
            ),
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Pointer l'arrivée"))
    def check_in_selected(self, request, queryset):
        done = 0
        for rsvp in queryset:
            try:
                done += rsvp_check_in(rsvp=rsvp)
            except RSVPError as error:
                self.message_user(request, f"{rsvp}: {error}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(n)d arrivée pointée.", "%(n)d arrivées pointées.", done) % {"n": done},
            messages.SUCCESS,
        )


# --- The draw ---------------------------------------------------------------------


def _duplicates(request: HttpRequest, event_id: int) -> dict[int, list[str]]:
    """draw_duplicates of an event, computed once per page (kept on the request)."""
    cache = request.__dict__.setdefault("_draw_duplicates", {})
    if event_id not in cache:
        cache[event_id] = draw_duplicates(Event(pk=event_id))
    return cache[event_id]


class DrawRequestChangeList(ChangeList):
    """Marks each listed request with why it looks like another one (before the draw)."""

    def get_results(self, request):
        super().get_results(request)
        for obj in self.result_list:
            if obj.status == DrawRequest.Status.ACTIVE:
                obj.duplicate_reasons = _duplicates(request, obj.event_id).get(obj.pk, [])


class DuplicateFilter(admin.SimpleListFilter):
    title = gettext_lazy("doublon possible")
    parameter_name = "doublon"

    def lookups(self, request, model_admin):
        return [("1", _("oui"))]

    def queryset(self, request, queryset):
        if self.value() != "1":
            return queryset
        ids = []
        pending = Event.objects.filter(
            allocation=Event.Allocation.DRAW, draw__isnull=True
        ).values_list("pk", flat=True)
        for event_id in pending:
            ids += list(_duplicates(request, event_id))
        return queryset.filter(pk__in=ids)


@admin.register(DrawRequest)
class DrawRequestAdmin(SafeModelAdmin):
    list_display = [
        "ticket",
        "member",
        "member_email",
        "event",
        "status",
        "created_at",
        "duplicate",
        "weight",
        "rank",
    ]
    list_filter = ["status", DuplicateFilter, "event"]
    search_fields = ["member__email", "member__display_name", "event__title"]
    list_select_related = ["member", "event"]
    actions = ["void_selected"]
    fields = [
        "event",
        "member",
        "status",
        "diet",
        "diet_notes",
        "created_at",
        "device",
        "void_reason",
        "weight",
        "rank",
        "rsvp",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("n°"), ordering="id")
    def ticket(self, obj: DrawRequest) -> int:
        return obj.pk

    @admin.display(description=gettext_lazy("e-mail"), ordering="member__email")
    def member_email(self, obj: DrawRequest) -> str:
        return obj.member.email

    @admin.display(description=gettext_lazy("doublon possible"))
    def duplicate(self, obj: DrawRequest) -> str:
        return ", ".join(getattr(obj, "duplicate_reasons", []))

    def get_changelist(self, request, **kwargs):
        return DrawRequestChangeList

    def has_add_permission(self, request):
        return False  # members request; organizers add an RSVP instead

    def has_delete_permission(self, request, obj=None):
        return False  # void instead: the record of who asked stays

    @admin.action(
        description=gettext_lazy("Écarter les demandes choisies (doublons, avant le tirage)"),
        permissions=["change"],
    )
    def void_selected(self, request, queryset):
        voided = draw_request_void(requests=queryset, reason=_("doublon"))
        self.message_user(
            request,
            ngettext(
                "%(n)d demande écartée du tirage.", "%(n)d demandes écartées du tirage.", voided
            )
            % {"n": voided},
            messages.SUCCESS if voided else messages.WARNING,
        )


@admin.register(Draw)
class DrawAdmin(SafeModelAdmin):
    list_display = ["event", "drawn_at", "seats", "request_count", "public_page"]
    list_select_related = ["event"]
    fields = [
        "event",
        "drawn_at",
        "window_closed_at",
        "seats",
        "weights",
        "secret",
        "seed",
        "order",
        "requests",
        "public_page",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("demandes tirées"))
    def request_count(self, draw: Draw) -> int:
        return len(draw.order)

    @admin.display(description=gettext_lazy("page publique"))
    def public_page(self, draw: Draw) -> str:
        url = reverse("events:draw", kwargs={"slug": draw.event.slug})
        return format_html('<a href="{}">{}</a>', url, url)

    def has_add_permission(self, request):
        return False  # only the draw writes one

    def has_change_permission(self, request, obj=None):
        return False  # a record

    def has_delete_permission(self, request, obj=None):
        return False
