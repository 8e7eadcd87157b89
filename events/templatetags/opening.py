"""Template helpers of the opening countdown and of the seats held for first-timers."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from events.models import Event, is_first_timer
from events.opening import has_opening_alert

register = template.Library()


@register.filter
def epoch_ms(moment: datetime | None) -> int | str:
    """Milliseconds since 1970 (what JavaScript's Date counts in)."""
    return int(moment.timestamp() * 1000) if moment else ""


@register.simple_tag
def server_now_ms() -> int:
    """The server's clock, for the countdown to correct the visitor's."""
    return int(timezone.now().timestamp() * 1000)


@register.simple_tag
def opening_alert_asked(event: Event, user) -> bool:
    return has_opening_alert(event=event, member=user)


@register.simple_tag
def full_for(event: Event, user) -> bool:
    """Whether this visitor would join the waiting list now: no seat left, or the seats
    left are held for first-timers and they are not one (Event.seats_open_to)."""
    if event.capacity is None:
        return False
    if not event.holds_seats() or not user.is_authenticated:
        return event.is_full
    if event.seats_left > event.held_seats:  # a seat for anyone: no need to ask who
        return False
    first_timer = is_first_timer(user)
    return not event.seats_open_to(
        first_timer=first_timer,
        confirmed=event.seats_confirmed,
        confirmed_first_timers=0 if first_timer else event.confirmed_first_timers(),
    )
