"""The opening of the registrations, and the seats held for first-timers (issue 13).

- "Prévenez-moi à l'ouverture": a member asks, on the page of an event whose
  registrations are not open yet, to be emailed when they open (an OpeningAlert row;
  one click, undone by another). `send_event_mail`, run every 5 minutes by the timer
  (deploy/), sends the alerts at its first run at or after the opening: one email per
  member, through the outbox.
- The seats held for first-timers (Event.held_seats, the rule in Event.seats_open_to)
  are released at their deadline by the same command: the seats not taken go to the
  waiting list, in order, each person promoted emailed (events.services).

Both run on the real clock, even for a rehearsal (`send_event_mail --now`): they change
what people see and get (seats, "registrations are open"), not only when mail leaves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.links import absolute_url
from core.models import OutboxMessage
from core.outbox import Mail, outbox_queue_many, renderer
from members.models import User

from .models import HELD_SEATS_DEFAULT_BEFORE, RSVP, Event, OpeningAlert
from .services import held_seats_release

OPENING_ALERT = "events.opening_alert"


class OpeningAlertError(Exception):
    """A refusal shown to the person as it is."""


def alert_dedupe_key(alert_id: int) -> str:
    """One email per alert, ever, however many runs overlap."""
    return f"{OPENING_ALERT}:alert:{alert_id}"


def opening_alert_refusal(*, event: Event, member: User) -> str | None:
    """Why `member` cannot ask for an alert at this event now, or None."""
    if member.is_banned:
        return _("Votre compte ne permet plus de s'inscrire aux événements de Clermont'ech.")
    if not member.has_verified_email():
        return _("Confirmez d'abord votre adresse e-mail : le lien est dans le message reçu.")
    state = event.registration_state()
    if state == Event.RegistrationState.OPEN:
        return _("Les inscriptions sont déjà ouvertes : inscrivez-vous ci-dessous.")
    if state != Event.RegistrationState.NOT_YET_OPEN:
        return _("Il n'y a pas d'ouverture des inscriptions à attendre pour cet événement.")
    return None


def opening_alert_subscribe(*, event: Event, member: User, language: str) -> bool:
    """Ask for the email at the opening. Returns False when already asked."""
    if refusal := opening_alert_refusal(event=event, member=member):
        raise OpeningAlertError(refusal)
    try:
        # A savepoint: a double click racing itself meets the unique constraint.
        with transaction.atomic():
            _alert, created = OpeningAlert.objects.get_or_create(
                event=event, member=member, defaults={"language": language[:10]}
            )
    except IntegrityError:
        return False
    return created


def opening_alert_cancel(*, event: Event, member: User) -> bool:
    """Undo the request (until the email has gone). Returns False when there was none."""
    deleted, _counts = OpeningAlert.objects.filter(
        event=event, member=member, sent_at__isnull=True
    ).delete()
    return bool(deleted)


def has_opening_alert(*, event: Event, member) -> bool:
    """Whether `member` asked for the email of this event's opening (and it has not gone)."""
    if not member.is_authenticated:
        return False
    return OpeningAlert.objects.filter(event=event, member=member, sent_at__isnull=True).exists()


# --- The scheduled part (send_event_mail) --------------------------------------------


@dataclass
class OpeningRun:
    alerts: dict[Event, int] = field(default_factory=dict)  # emails queued per event
    released: dict[Event, list[RSVP]] = field(default_factory=dict)  # promoted per event


def _deliverable(member: User) -> bool:
    domain = member.email.rpartition("@")[2].lower()
    return not (member.is_banned or member.is_deleted or domain.endswith("invalid"))


def opening_alerts_queue(*, dry_run: bool = False) -> dict[Event, int]:
    """Queue the email of every alert due now (the registrations of its event opened
    since the last run), one per alert. Returns how many per event."""
    now = timezone.now()
    queued: dict[Event, int] = {}
    event_ids = sorted(set(OpeningAlert.objects.due(now).values_list("event_id", flat=True)))
    for event in Event.objects.filter(pk__in=event_ids).order_by("pk"):
        if dry_run:
            queued[event] = OpeningAlert.objects.due(now).filter(event=event).count()
            continue
        # One transaction per event: its alerts are marked sent with their emails
        # queued. A second run at the same moment waits on these row locks (SQLite: on
        # the IMMEDIATE transaction), then finds them sent; the dedupe key keeps any
        # other overlap from writing an email twice.
        with transaction.atomic():
            alerts = list(
                OpeningAlert.objects.due(now)
                .filter(event=event)
                .select_for_update(of=("self",))
                .select_related("member")
            )
            by_language: dict[str, list[Mail]] = defaultdict(list)
            for alert in alerts:
                if _deliverable(alert.member):
                    by_language[alert.language].append(
                        Mail(
                            kind=OPENING_ALERT,
                            to=alert.member.email,
                            params={"alert": alert.pk},
                            recipient=alert.member,
                            group=event.outbox_group,
                            dedupe_key=alert_dedupe_key(alert.pk),
                        )
                    )
            count = sum(
                len(outbox_queue_many(mails, language=language))
                for language, mails in sorted(by_language.items())
            )
            OpeningAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(sent_at=now)
        if count:
            queued[event] = count
    return queued


def held_seats_due(now=None):
    """Events whose held seats are past their deadline and not released yet."""
    now = now or timezone.now()
    default_deadline_passed = Q(
        held_until__isnull=True, starts_at__lte=now + HELD_SEATS_DEFAULT_BEFORE
    )
    return (
        Event.objects.published()
        .filter(held_seats__gt=0, held_released_at__isnull=True, ends_at__gt=now)
        .filter(Q(held_until__lte=now) | Q(starts_at__lte=now) | default_deadline_passed)
        .order_by("starts_at")
    )


def held_seats_release_due(*, dry_run: bool = False) -> dict[Event, list[RSVP]]:
    """Release the held seats of every event past its deadline (see held_seats_release).
    Returns the RSVPs promoted per event."""
    released = {}
    for event in held_seats_due():
        released[event] = [] if dry_run else held_seats_release(event=event)
    return released


def opening_run(*, dry_run: bool = False) -> OpeningRun:
    """What `send_event_mail` does for the opening and the held seats, on the real clock."""
    return OpeningRun(
        alerts=opening_alerts_queue(dry_run=dry_run),
        released=held_seats_release_due(dry_run=dry_run),
    )


# --- The email (written at delivery) --------------------------------------------------


@renderer(OPENING_ALERT, gettext_lazy("Ouverture des inscriptions (alerte demandée)"))
def _render_opening_alert(message: OutboxMessage) -> EmailMessage | None:
    alert = (
        OpeningAlert.objects.select_related("event__venue", "member")
        .filter(pk=message.params.get("alert"))
        .first()
    )
    # Not sent when the registrations closed meanwhile, or the event was cancelled.
    if alert is None or not alert.event.registration_is_open:
        return None
    event = Event.objects.with_seat_counts().select_related("venue").get(pk=alert.event_id)
    context = {
        "event": event,
        "member": alert.member,
        "starts_at": timezone.localtime(event.starts_at),
        "event_url": absolute_url(event.get_absolute_url()),
        "already_registered": RSVP.objects.filter(event=event, member=alert.member)
        .active()
        .exists(),
    }
    return EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        + _("Les inscriptions sont ouvertes : %(event)s") % {"event": event},
        body=render_to_string("emails/opening_alert.txt", context),
    )
