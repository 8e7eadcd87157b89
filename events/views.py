from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.pagecache import anonymous_page, content_object, live_value

from .forms import RSVPForm
from .models import RSVP, DrawRequest, Event
from .services import RSVPError, rsvp_cancel, rsvp_create

PAST_EVENTS_PER_PAGE = 12


def _visible_events(request: HttpRequest):
    events = Event.objects.select_related("venue")
    if request.user.is_authenticated and request.user.is_organizer:
        return events  # organizers preview drafts
    return events.public()


def get_event_or_404(request: HttpRequest, slug: str) -> Event:
    return get_object_or_404(_visible_events(request).with_seat_counts(), slug=slug)


def _event_row(request: HttpRequest, slug: str) -> Event:
    """The event as the last content change left it (core/pagecache.py), without its
    counts; a 404 for an event this visitor may not see."""
    organizer = request.user.is_authenticated and request.user.is_organizer
    return content_object(
        request,
        f"event:{slug}:{int(organizer)}",
        lambda: get_object_or_404(_visible_events(request), slug=slug),
    )


def _event_for_page(request: HttpRequest, slug: str) -> Event:
    """The event page's event: its row (_event_row) and its seat counts, dropped at every
    RSVP; what get_event_or_404 gives, without a query on most visits."""
    event = _event_row(request, slug)
    event.confirmed_count, event.waitlist_count = live_value(
        Event.seats_key(event.pk), event.count_seats
    )
    return event


def _member_rsvp(request: HttpRequest, event: Event) -> RSVP | None:
    if not request.user.is_authenticated:
        return None
    return RSVP.objects.filter(event=event, member=request.user).active().first()


def _member_rsvp_and_form(request: HttpRequest, event: Event) -> tuple[RSVP | None, object]:
    """The member's active RSVP to `event`, and the RSVP form, built only if the page
    shows it (not to a member who registered already), its diet prefilled. One query for
    both: the member's RSVPs to this event and their newest one anywhere."""
    if not request.user.is_authenticated:
        return None, SimpleLazyObject(lambda: RSVPForm())
    member = request.user
    newest = RSVP.objects.filter(member=member).order_by("-id").values("pk")[:1]
    rows = list(
        RSVP.objects.filter(member=member)
        .filter(Q(event=event) | Q(pk=Subquery(newest)))
        .order_by("-id")
    )
    mine = next(
        (r for r in rows if r.event_id == event.pk and r.status != RSVP.Status.CANCELLED), None
    )
    latest = rows[0] if rows else None
    return mine, SimpleLazyObject(
        lambda: RSVPForm(initial=RSVPForm.initial_for(member, latest_rsvp=latest))
    )


@anonymous_page
def home(request: HttpRequest) -> HttpResponse:
    # The next evenings as the last content change left them (their cards' seats at most
    # PAGE_CACHE_SECONDS old); the next one's seats, in its registration box, live.
    upcoming = content_object(
        request,
        "home:upcoming",
        lambda: list(
            Event.objects.published().upcoming().with_seat_counts().select_related("venue")[:4]
        ),
    )
    next_event = upcoming[0] if upcoming else None
    if next_event:
        next_event.confirmed_count, next_event.waitlist_count = live_value(
            Event.seats_key(next_event.pk), next_event.count_seats
        )
    context = {
        "next_event": next_event,
        "later_events": upcoming[1:],
        "past_events": Event.objects.public().past().select_related("venue")[:6],
    }
    if next_event:
        context["my_rsvp"], context["rsvp_form"] = _member_rsvp_and_form(request, next_event)
        user = request.user
        context["email_verified"] = SimpleLazyObject(
            lambda: user.is_authenticated and user.has_verified_email()
        )
    return render(request, "home.html", context)


@anonymous_page
def event_list(request: HttpRequest) -> HttpResponse:
    base = Event.objects.public().with_seat_counts().select_related("venue")
    upcoming = list(base.upcoming())
    past_page = Paginator(base.past(), PAST_EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    my_rsvps = {}
    if request.user.is_authenticated:
        ids = [e.pk for e in upcoming]
        my_rsvps = {
            r.event_id: r
            for r in RSVP.objects.active().filter(member=request.user, event_id__in=ids)
        }
    for event in upcoming:
        event.my_rsvp = my_rsvps.get(event.pk)
    return render(request, "events/list.html", {"upcoming": upcoming, "past_page": past_page})


def _rsvp_form(request: HttpRequest, data=None) -> RSVPForm:
    # The member's usual diet prefills the form shown; a posted form needs no prefill.
    prefill = data is None and request.user.is_authenticated
    return RSVPForm(data=data, initial=RSVPForm.initial_for(request.user) if prefill else {})


@anonymous_page
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = _event_for_page(request, slug)
    rsvp, form = _member_rsvp_and_form(request, event)
    user = request.user
    context = {
        "event": event,
        "my_rsvp": rsvp,
        "rsvp_form": form,
        # Asked only if the page needs it (the form is shown).
        "email_verified": SimpleLazyObject(
            lambda: user.is_authenticated and user.has_verified_email()
        ),
    }
    return render(request, "events/detail.html", context)


@require_POST
@login_required
def rsvp(request: HttpRequest, slug: str) -> HttpResponse:
    # The seats are counted under the event's lock (rsvp_create): the row is enough.
    event = _event_row(request, slug)
    form = _rsvp_form(request, data=request.POST)
    if not form.is_valid():
        event = get_event_or_404(request, slug)  # the page again, with its seats left
        context = {
            "event": event,
            "my_rsvp": _member_rsvp(request, event),
            "rsvp_form": form,
            "email_verified": request.user.has_verified_email(),
        }
        messages.error(request, _("Votre inscription n'a pas été enregistrée : voir ci-dessous."))
        return render(request, "events/detail.html", context, status=400)
    try:
        result = rsvp_create(
            event=event,
            member=request.user,
            diet=form.cleaned_data["diet"],
            diet_notes=form.cleaned_data["diet_notes"],
        )
    except RSVPError as error:
        messages.error(request, str(error))
        return redirect(event)
    if not result.created:
        messages.info(
            request,
            _("Vous êtes déjà inscrit·e à cet événement (vos préférences de repas sont à jour)."),
        )
    elif result.rsvp.is_confirmed:
        messages.success(request, _("C'est noté : votre place est confirmée !"))
    elif result.held_back:
        held = result.rsvp.event  # the event as the seat service left it (fresh counts)
        messages.warning(
            request,
            ngettext(
                "%(n)d place est réservée aux nouveaux venus jusqu'au %(until)s : vous êtes "
                "sur la liste d'attente, en position %(position)d. Si elle n'est pas prise "
                "d'ici là, elle ira à la liste d'attente, dans l'ordre.",
                "%(n)d places sont réservées aux nouveaux venus jusqu'au %(until)s : vous "
                "êtes sur la liste d'attente, en position %(position)d. Celles qui ne sont "
                "pas prises d'ici là iront à la liste d'attente, dans l'ordre.",
                held.held_seats_unfilled,
            )
            % {
                "n": held.held_seats_unfilled,
                "until": held.held_deadline_words,
                "position": result.position or result.rsvp.waitlist_position(),
            },
        )
    else:
        messages.warning(
            request,
            _("L'événement est complet : vous êtes sur la liste d'attente, en position %(n)d.")
            % {"n": result.position or result.rsvp.waitlist_position()},
        )
    return redirect(event)


@require_POST
@login_required
def rsvp_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_event_or_404(request, slug)
    rsvp = _member_rsvp(request, event)
    if rsvp is None:
        messages.info(request, _("Vous n'avez pas d'inscription active à cet événement."))
        return redirect(event)
    # Back where the button was: "Mes inscriptions" or the event's page.
    back = reverse("events:mine") if request.POST.get("from") == "mine" else event
    was_waitlisted = rsvp.is_waitlisted
    try:
        rsvp_cancel(rsvp=rsvp)
    except RSVPError as error:
        messages.error(request, str(error))
        return redirect(back)
    if was_waitlisted:
        messages.success(request, _("Vous avez quitté la liste d'attente."))
    else:
        messages.success(
            request, _("Votre inscription est annulée. Merci d'avoir libéré la place !")
        )
    return redirect(back)


@login_required
def ticket(request: HttpRequest, slug: str) -> HttpResponse:
    """The member's ticket: a QR code the organizers scan at the door."""
    event = get_event_or_404(request, slug)
    rsvp = _member_rsvp(request, event)
    if rsvp is None:
        raise Http404(_("Pas d'inscription active."))
    # The QR code holds the door's URL for this ticket's random code (never the RSVP id):
    # a staff phone's camera app opens it and checks the person in.
    checkin_url = request.build_absolute_uri(
        reverse("events:checkin-ticket", kwargs={"code": rsvp.ticket_code})
    )
    # No width or height, a viewBox instead: the code scales to its box (static/css/site.css)
    # and stays centred, whatever the screen.
    qr_svg = segno.make(checkin_url, error="m").svg_inline(
        omitsize=True, border=2, dark="#000", light="#fff"
    )
    return render(request, "events/ticket.html", {"event": event, "rsvp": rsvp, "qr_svg": qr_svg})


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    rsvps = list(RSVP.objects.mine(request.user))
    context = {
        "upcoming": [r for r in rsvps if r.is_upcoming],
        "past": [r for r in rsvps if not r.is_upcoming],
        # Seat requests waiting for their draw (events/draw.py): no RSVP yet.
        "draw_requests": list(
            DrawRequest.objects.active()
            .filter(member=request.user)
            .select_related("event")
            .order_by("event__starts_at")
        ),
    }
    return render(request, "events/mine.html", context)
