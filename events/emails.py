"""Emails about seats. Called through transaction.on_commit by events.services."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.links import absolute_url

from .models import RSVP


def _send(*, rsvp: RSVP, template: str, subject: str) -> None:
    event = rsvp.event
    context = {
        "rsvp": rsvp,
        "event": event,
        "member": rsvp.member,
        "starts_at": timezone.localtime(event.starts_at),
        "event_url": absolute_url(event.get_absolute_url()),
        "position": rsvp.waitlist_position(),
        "ticket_url": absolute_url(reverse("events:ticket", kwargs={"slug": event.slug})),
    }
    body = render_to_string(f"emails/{template}.txt", context)
    message = EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        to=[rsvp.member.email],
    )
    if rsvp.is_confirmed and template != "event_cancelled":
        # Confirmation and promotion: the event for the attendee's calendar.
        from .calendar import event_ics

        message.attach(f"{event.slug}.ics", event_ics(event), "text/calendar")
    message.send()


def send_rsvp_received(rsvp: RSVP) -> None:
    if rsvp.is_confirmed:
        _send(
            rsvp=rsvp,
            template="rsvp_confirmed",
            subject=_("Votre place pour %(event)s") % {"event": rsvp.event},
        )
    else:
        _send(
            rsvp=rsvp,
            template="rsvp_waitlisted",
            subject=_("Liste d'attente : %(event)s") % {"event": rsvp.event},
        )


def send_promoted(rsvp: RSVP) -> None:
    _send(
        rsvp=rsvp,
        template="rsvp_promoted",
        subject=_("Une place s'est libérée : %(event)s") % {"event": rsvp.event},
    )


def send_event_cancelled(rsvp: RSVP) -> None:
    _send(
        rsvp=rsvp,
        template="event_cancelled",
        subject=_("Annulé : %(event)s") % {"event": rsvp.event},
    )
