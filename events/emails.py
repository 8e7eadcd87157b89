"""The events app's emails, every one through the outbox (core.outbox).

Each is queued inside the transaction of the change that causes it (events.services for
the seats, events.reminders for the evening's automatic messages), one message per
person, and written here at delivery, from the state of that moment: a message that no
longer applies (the seat was cancelled meanwhile, the event is no longer cancelled...)
is not sent (its renderer returns None and the row is marked "skipped"). The page that
made the change never waits for the mail server, and an outage loses nothing: the
outbox retries.

Imported at start-up (EventsConfig.ready), so that a worker knows every kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.links import absolute_url
from core.models import OutboxMessage
from core.outbox import Mail, outbox_queue_many, renderer

from . import reminders
from .calendar import event_ics
from .models import RSVP, Event
from .programme import programme as event_programme

RSVP_RECEIVED = "events.rsvp_received"
RSVP_PROMOTED = "events.rsvp_promoted"
EVENT_CANCELLED = "events.event_cancelled"


# --- Queueing (inside the transaction of the seat service) ---------------------------


def deliverable(address: str) -> bool:
    """False for the placeholders of walk-ins who gave no address and of erased accounts
    ("…@invalid": the reserved top-level domain of RFC 2606, which no server accepts):
    queued, they would only fail again and again."""
    domain = address.rpartition("@")[2].lower()
    return bool(address) and domain != "invalid" and not domain.endswith(".invalid")


def _queue(kind: str, rsvps: Iterable[RSVP], event: Event, **params) -> None:
    outbox_queue_many(
        [
            Mail(
                kind=kind,
                to=rsvp.member.email,
                params={"rsvp": rsvp.pk, **params},
                recipient=rsvp.member,
                group=event.outbox_group,
            )
            for rsvp in rsvps
            if deliverable(rsvp.member.email)
        ]
    )


def rsvp_received_queue(*, rsvp: RSVP, event: Event) -> None:
    """ "Your seat" or "you are on the waiting list", as the RSVP stands now."""
    _queue(RSVP_RECEIVED, [rsvp], event, status=rsvp.status)


def rsvp_promoted_queue(*, rsvps: Iterable[RSVP], event: Event) -> None:
    """ "A seat is free, it is yours", to each person just promoted."""
    _queue(RSVP_PROMOTED, rsvps, event)


def event_cancelled_queue(*, rsvps: Iterable[RSVP], event: Event) -> None:
    """The cancellation notice, to everyone holding a seat or waiting."""
    _queue(EVENT_CANCELLED, rsvps, event)


# --- Writing them (at delivery) -------------------------------------------------------


def _rsvp(message: OutboxMessage) -> RSVP | None:
    return (
        RSVP.objects.select_related("member", "event__venue")
        .filter(pk=message.params.get("rsvp"))
        .first()
    )


def _seat_email(rsvp: RSVP, *, template: str, subject: str, ics: bool) -> EmailMessage:
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
    email = EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(f"emails/{template}.txt", context),
    )
    if ics:  # confirmation and promotion: the event for the attendee's calendar
        email.attach(f"{event.slug}.ics", event_ics(event), "text/calendar")
    return email


@renderer(RSVP_RECEIVED, gettext_lazy("Inscription reçue (place ou liste d'attente)"))
def _render_rsvp_received(message: OutboxMessage) -> EmailMessage | None:
    rsvp = _rsvp(message)
    # Not sent when the RSVP was cancelled meanwhile, when the person waiting was
    # promoted meanwhile (the promotion's own email tells them), or when the event was
    # cancelled meanwhile (the cancellation notice tells them).
    if rsvp is None or rsvp.status != message.params.get("status") or not rsvp.event.is_published:
        return None
    if rsvp.is_confirmed:
        return _seat_email(
            rsvp,
            template="rsvp_confirmed",
            subject=_("Votre place pour %(event)s") % {"event": rsvp.event},
            ics=True,
        )
    return _seat_email(
        rsvp,
        template="rsvp_waitlisted",
        subject=_("Liste d'attente : %(event)s") % {"event": rsvp.event},
        ics=False,
    )


@renderer(RSVP_PROMOTED, gettext_lazy("Place libérée (sortie de la liste d'attente)"))
def _render_rsvp_promoted(message: OutboxMessage) -> EmailMessage | None:
    rsvp = _rsvp(message)
    if rsvp is None or not rsvp.is_confirmed or not rsvp.event.is_published:
        return None  # cancelled since, or the event was
    return _seat_email(
        rsvp,
        template="rsvp_promoted",
        subject=_("Une place s'est libérée : %(event)s") % {"event": rsvp.event},
        ics=True,
    )


@renderer(EVENT_CANCELLED, gettext_lazy("Événement annulé"))
def _render_event_cancelled(message: OutboxMessage) -> EmailMessage | None:
    rsvp = _rsvp(message)
    if rsvp is None or not rsvp.event.is_cancelled:
        return None  # the event was put back on meanwhile
    return _seat_email(
        rsvp,
        template="event_cancelled",
        subject=_("Annulé : %(event)s") % {"event": rsvp.event},
        ics=False,
    )


# --- The evening's automatic messages (queued by events.reminders) --------------------

SUBJECTS = {
    reminders.RECONFIRM: lambda e: _("Toujours partant·e pour %(event)s ?") % {"event": e},
    reminders.REMINDER: lambda e: _("C'est aujourd'hui : %(event)s") % {"event": e},
    reminders.STREAM: lambda e: (
        _("Pas de place ce soir ? Suivez %(event)s en direct") % {"event": e}
    ),
}
TEMPLATES = {
    reminders.RECONFIRM: "emails/event_reconfirm.txt",
    reminders.REMINDER: "emails/event_reminder.txt",
    reminders.STREAM: "emails/event_stream.txt",
}


def event_mail_message(rsvp: RSVP, kind: str) -> EmailMessage:
    """One automatic message, written now (the reconfirmation's links are signed now:
    they expire reminders.RECONFIRM_LINK_MAX_AGE after the email leaves)."""
    event = rsvp.event
    context = {
        "rsvp": rsvp,
        "event": event,
        "member": rsvp.member,
        "starts_at": timezone.localtime(event.starts_at),
        "event_url": absolute_url(event.get_absolute_url()),
        "ticket_url": absolute_url(reverse("events:ticket", kwargs={"slug": event.slug})),
    }
    if kind == reminders.RECONFIRM:
        for answer, key in [(reminders.YES, "yes_url"), (reminders.NO, "no_url")]:
            token = reminders.reconfirm_token_make(rsvp, answer)
            context[key] = absolute_url(reverse("events:reconfirm", kwargs={"token": token}))
    else:  # the day's reminder and the live stream show the programme
        context["programme"] = event_programme(event)
    return EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[kind](event),
        body=render_to_string(TEMPLATES[kind], context),
    )


@renderer(reminders.RECONFIRM, reminders.KINDS[reminders.RECONFIRM])
@renderer(reminders.REMINDER, reminders.KINDS[reminders.REMINDER])
@renderer(reminders.STREAM, reminders.KINDS[reminders.STREAM])
def _render_event_mail(message: OutboxMessage) -> EmailMessage | None:
    rsvp = _rsvp(message)
    # Checked again at delivery: the person may have cancelled or been promoted, the
    # event cancelled, and the window may have closed (a retry after the start).
    if rsvp is None or not reminders.qualifies(rsvp, message.kind, reminders.run_moment(message)):
        return None
    return event_mail_message(rsvp, message.kind)
