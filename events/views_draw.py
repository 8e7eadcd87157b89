"""The draw's pages: the public page of an event's draw, and a member's request."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .draw import DrawError, draw_request_cancel, draw_request_create, previous_event
from .forms import RSVPForm
from .models import Draw, DrawRequest
from .views import get_event_or_404

# A random value kept by the browser that asks for a seat: two accounts asking from the
# same browser show as "même appareil" to the organizers (only its SHA-256 is stored).
DEVICE_COOKIE = "ct_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def draw_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The method and the weights in plain words; after the draw, its record and result."""
    event = get_event_or_404(request, slug)
    if not event.uses_draw:
        raise Http404(_("Cet événement n'est pas tiré au sort."))
    draw = Draw.objects.filter(event=event).first()
    context = {
        "event": event,
        "draw": draw,
        "previous_event": previous_event(event),
        "request_count": DrawRequest.objects.active().filter(event=event).count(),
    }
    if draw is not None:
        weights = {request_id: weight for request_id, _tag, weight in draw.requests}
        tags = {request_id: tag for request_id, tag, _weight in draw.requests}
        context["results"] = [
            {
                "rank": rank,
                "ticket": request_id,
                "tag": tags[request_id],
                "weight": weights[request_id],
                "seat": rank <= draw.seats,
            }
            for rank, request_id in enumerate(draw.order, start=1)
        ]
    return render(request, "events/draw.html", context)


def _device(request: HttpRequest) -> tuple[str, str | None]:
    """(fingerprint to store, new cookie value to set or None)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    new = None
    if not (16 <= len(value) <= 64 and value.isalnum()):
        value = new = secrets.token_hex(16)
    return hashlib.sha256(value.encode()).hexdigest(), new


@require_POST
@login_required
def draw_request(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_event_or_404(request, slug)
    form = RSVPForm(data=request.POST)
    if not form.is_valid():
        errors = [str(e) for field in form.errors.values() for e in field]
        messages.error(
            request,
            _("Votre demande n'a pas été enregistrée : %(errors)s") % {"errors": " ".join(errors)},
        )
        return redirect(event)
    device, new_cookie = _device(request)
    try:
        _draw_request, created = draw_request_create(
            event=event,
            member=request.user,
            diet=form.cleaned_data["diet"],
            diet_notes=form.cleaned_data["diet_notes"],
            device=device,
        )
    except DrawError as error:
        messages.error(request, str(error))
        return redirect(event)
    if created:
        messages.success(
            request,
            _(
                "C'est noté : votre demande de place est enregistrée. Résultat du tirage "
                "par e-mail à la fin de la période de demandes."
            ),
        )
    else:
        messages.info(request, _("Votre demande était déjà enregistrée : régime mis à jour."))
    response = redirect(event)
    if new_cookie:
        response.set_cookie(
            DEVICE_COOKIE,
            new_cookie,
            max_age=DEVICE_COOKIE_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


@require_POST
@login_required
def draw_request_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_event_or_404(request, slug)
    mine = DrawRequest.objects.active().filter(event=event, member=request.user).first()
    if mine is None:
        messages.info(request, _("Vous n'avez pas de demande en cours pour ce tirage."))
        return redirect(event)
    try:
        draw_request_cancel(request=mine)
    except DrawError as error:
        messages.error(request, str(error))
        return redirect(event)
    messages.success(request, _("Votre demande de place est retirée."))
    return redirect(event)
