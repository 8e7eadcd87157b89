"""{% draw_box event %}: the draw's part of an event page (events in draw mode only)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from events.forms import RSVPForm
from events.models import RSVP, DrawRequest, Event

register = template.Library()


@register.inclusion_tag("events/_draw_box.html", takes_context=True)
def draw_box(context, event: Event) -> dict:
    user = context["request"].user
    mine = my_rsvp = None
    form = None
    if user.is_authenticated:
        mine = DrawRequest.objects.filter(event=event, member=user).order_by("-id").first()
        my_rsvp = RSVP.objects.filter(event=event, member=user).active().first()
        form = RSVPForm(initial=RSVPForm.initial_for(user))
    pending = event.draw_pending
    return {
        "event": event,
        "user": user,
        "pending": pending,
        "accepts": pending and event.draw_accepts_requests(),
        "state": event.registration_state(),
        "my_request": mine if mine and mine.status == DrawRequest.Status.ACTIVE else None,
        # After the draw: the member's request and its rank ("chacun voit son numéro").
        "my_drawn_request": mine if mine and mine.rank else None,
        "my_rsvp": my_rsvp,
        "email_verified": user.is_authenticated and user.has_verified_email(),
        "form": form,
    }


@register.filter
def weight(value) -> str:
    """A weight as people write it: 3, 0,5 (French), 1.25 — no trailing zeros."""
    if value in (None, ""):
        return ""
    return number_format(Decimal(format(Decimal(value).normalize(), "f")))
