"""The door: organizers check people in from a phone (search, ticket QR codes, walk-ins).

Every write goes through events.services (ticket_check_in, rsvp_check_in_undo,
rsvp_walk_in), which take the event lock like every other seat change.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import User

from .forms_checkin import DoorSearchForm, TicketCodeForm, WalkInForm, WalkInMemberForm
from .models import RSVP, Diet, Event
from .services import (
    RSVPError,
    TicketNotFound,
    rsvp_check_in_undo,
    rsvp_walk_in,
    ticket_check_in,
)

MEMBER_SUGGESTIONS = 8
# The session remembers which event this phone is checking in, so that a scanned
# ticket for another event is refused (the camera app opens /events/billet/<code>/
# without saying which door it is at).
DOOR_EVENT_SESSION_KEY = "door_event_id"
# The ticket just checked in from its page: the next view of it says "Bienvenue !" (only
# that); any later view of the same ticket says when it was checked in.
DOOR_WELCOME_SESSION_KEY = "door_welcome_code"


def organizer_required(view: Callable) -> Callable:
    """Anonymous: log in, then back here. Logged in without being an organizer: 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_organizer:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _door_event_or_404(slug: str) -> Event:
    return get_object_or_404(
        Event.objects.select_related("venue").with_seat_counts().with_attendance(), slug=slug
    )


def _search_form(request: HttpRequest) -> DoorSearchForm:
    """The search, from the URL (GET) or kept in a hidden field of the forms (POST)."""
    return DoorSearchForm(request.POST if request.method == "POST" else request.GET)


def _search(request: HttpRequest) -> str:
    """The search to show and to keep; empty when it cannot be read (see DoorSearchForm)."""
    form = _search_form(request)
    return form.cleaned_data["q"] if form.is_valid() else ""


def _back_to_door(event: Event, query: str) -> HttpResponse:
    url = reverse("events:checkin", kwargs={"slug": event.slug})
    if query:
        url += "?" + urlencode({"q": query})
    return redirect(url)


def _checked_in_message(request: HttpRequest, result) -> None:
    name = result.rsvp.member.display_name
    if result.already:
        at = timezone.localtime(result.rsvp.checked_in_at).strftime("%H:%M")
        messages.warning(
            request, _("%(name)s est déjà pointé·e (à %(time)s).") % {"name": name, "time": at}
        )
    else:
        messages.success(request, _("Bienvenue ! %(name)s est pointé·e.") % {"name": name})


def _member_suggestions(event: Event, query: str) -> list[User]:
    """Members matching the search who hold no seat here: candidates for a walk-in."""
    if len(query) < 2:
        return []
    has_seat = RSVP.objects.filter(event=event, member=OuterRef("pk")).confirmed()
    return list(
        # Inactive rows included: walk-ins who came without an email have no login.
        User.objects.current()
        .filter(banned_at__isnull=True)
        .filter(Q(display_name__icontains=query) | Q(email__icontains=query))
        .exclude(Exists(has_seat))
        .order_by("display_name")[:MEMBER_SUGGESTIONS]
    )


def _render_door(
    request: HttpRequest,
    event: Event,
    *,
    code_form: TicketCodeForm | None = None,
    walk_in_form: WalkInForm | None = None,
    status: int = 200,
) -> HttpResponse:
    search_form = _search_form(request)
    if search_form.is_valid():
        query = search_form.cleaned_data["q"]
    else:  # shown next to the search box; the full list below
        query, status = "", 400
    attendees = (
        RSVP.objects.filter(event=event)
        .confirmed()
        .search(query)
        .select_related("member")
        .order_by("member__display_name", "id")
    )
    context = {
        "event": event,
        "query": query,
        "search_errors": search_form.errors.get("q", []),
        "attendees": attendees,
        "suggestions": _member_suggestions(event, query),
        "code_form": code_form or TicketCodeForm(),
        "walk_in_form": walk_in_form or WalkInForm(initial={"diet": Diet.NONE}),
    }
    return render(request, "events/checkin.html", context, status=status)


@organizer_required
def checkin(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the door page. POST: check in a ticket code (typed, or a "Pointer" button)."""
    event = _door_event_or_404(slug)
    request.session[DOOR_EVENT_SESSION_KEY] = event.pk
    if request.method != "POST" or not _search_form(request).is_valid():
        return _render_door(request, event)  # a search that cannot be read: 400, no write
    form = TicketCodeForm(request.POST)
    if not form.is_valid():
        return _render_door(request, event, code_form=form, status=400)
    try:
        result = ticket_check_in(code=form.cleaned_data["code"], event=event)
    except RSVPError as error:
        messages.error(request, str(error))
    else:
        _checked_in_message(request, result)
    return _back_to_door(event, _search(request))


@require_POST
@organizer_required
def checkin_undo(request: HttpRequest, slug: str) -> HttpResponse:
    event = _door_event_or_404(slug)
    form = TicketCodeForm(request.POST)
    if not form.is_valid() or not _search_form(request).is_valid():
        messages.error(request, _("Pointage non annulé : ce code de billet n'est pas valide."))
        return _render_door(request, event, status=400)
    rsvp = get_object_or_404(
        RSVP.objects.select_related("member", "event"),
        event=event,
        ticket_code=form.cleaned_data["code"],
    )
    if rsvp_check_in_undo(rsvp=rsvp):
        if rsvp.walk_in:
            messages.info(
                request,
                _("Ajout sur place annulé : %(name)s n'a plus de place.")
                % {"name": rsvp.member.display_name},
            )
        else:
            messages.info(
                request, _("Pointage annulé pour %(name)s.") % {"name": rsvp.member.display_name}
            )
    else:
        messages.info(
            request,
            _("%(name)s n'était pas pointé·e : rien à annuler.")
            % {"name": rsvp.member.display_name},
        )
    return _back_to_door(event, _search(request))


@require_POST
@organizer_required
def checkin_walk_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Add someone at the door (a member picked from the search, or name + email)."""
    event = _door_event_or_404(slug)
    if not _search_form(request).is_valid():
        return _render_door(request, event)  # 400, nothing written
    member = None
    if request.POST.get("member"):
        picked = WalkInMemberForm(request.POST)
        if not picked.is_valid():
            messages.error(request, _("Membre introuvable."))
            return _render_door(request, event, status=400)
        member = picked.cleaned_data["member"]
        form = WalkInForm({"name": member.display_name, "diet": Diet.NONE})
    else:
        form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("La personne n'a pas été ajoutée : voir le formulaire."))
        return _render_door(request, event, walk_in_form=form, status=400)
    try:
        result = rsvp_walk_in(
            event=event,
            member=member,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"] or "",
            diet=form.cleaned_data["diet"] or Diet.NONE,
        )
    except RSVPError as error:
        messages.error(request, str(error))
        return _render_door(request, _door_event_or_404(slug), walk_in_form=form, status=400)
    messages.success(
        request,
        _("%(name)s est ajouté·e sur place et pointé·e.")
        % {"name": result.rsvp.member.display_name},
    )
    return _back_to_door(event, _search(request))


def _door_event_from_session(request: HttpRequest) -> Event | None:
    """The event this phone is checking in, if it is not over."""
    event_id = request.session.get(DOOR_EVENT_SESSION_KEY)
    if not event_id:
        return None
    return Event.objects.filter(pk=event_id, ends_at__gte=timezone.now()).first()


@organizer_required
def checkin_ticket(request: HttpRequest, code: str) -> HttpResponse:
    """Where a ticket's QR code leads: the person, the event, one big button."""
    form = TicketCodeForm({"code": code})
    if not form.is_valid():  # not something a ticket could hold (a NUL byte, 10 kB...)
        return render(request, "events/checkin_unknown.html", {"code": ""}, status=400)
    code = form.cleaned_data["code"]
    rsvp = (
        RSVP.objects.select_related("member", "event", "event__venue")
        .filter(ticket_code=code)
        .first()
    )
    if rsvp is None:
        return render(request, "events/checkin_unknown.html", {"code": code}, status=404)
    door_event = _door_event_from_session(request)
    if request.method == "POST":
        try:
            result = ticket_check_in(code=code, event=door_event)
        except TicketNotFound:  # pragma: no cover - the row was just read
            return render(request, "events/checkin_unknown.html", {"code": code}, status=404)
        except RSVPError as error:
            messages.error(request, str(error))
        else:
            # The page itself says it (welcome, or already checked in at HH:MM): no
            # message above it saying the same thing again.
            if not result.already:
                request.session[DOOR_WELCOME_SESSION_KEY] = code
        return redirect("events:checkin-ticket", code=code)
    today = timezone.localdate()
    welcome = request.session.pop(DOOR_WELCOME_SESSION_KEY, None) == code
    context = {
        "welcome": welcome and rsvp.checked_in_at is not None,
        "rsvp": rsvp,
        "event": rsvp.event,
        "door_event": door_event,
        "wrong_event": door_event is not None and door_event.pk != rsvp.event_id,
        "not_today": timezone.localdate(rsvp.event.starts_at) != today,
    }
    return render(request, "events/checkin_ticket.html", context)
