"""Automatic messages before and on the evening (run by `manage.py send_event_mail`).

Three messages, each sent at most once per RSVP (one EventMail row per RSVP and kind):

- RECONFIRM, from 48 h before the start until the day's reminder (or 3 h before the
  start, if earlier): "still coming?" to every confirmed attendee, with two signed
  links: "yes, I am coming" and "give my seat away";
- REMINDER, on the day from 09:00 (Paris) until the start: address, time, programme,
  to confirmed attendees;
- STREAM, on the day from 09:00 until the end, when the event has a live stream: the
  link to everyone on the waiting list.

How a run works, and why it is safe to repeat or to resume after a crash:

1. `event_mail_schedule` writes one pending EventMail row per person due, with
   `bulk_create(ignore_conflicts=True)` on the unique (rsvp, kind) constraint: a second
   run creates nothing new;
2. `event_mail_enqueue` queues background tasks (django-tasks) for every row not sent
   yet: pending, failed (up to MAX_ATTEMPTS), or claimed by a worker that died more
   than STALE_CLAIM ago;
3. each task (`event_mail_deliver_batch`) claims a row with a conditional UPDATE before
   sending, marks it sent afterwards, and checks again that the person still qualifies
   (someone who cancelled meanwhile gets nothing). An error on one address marks that
   row failed and the batch goes on; the next run retries it.

The one case that cannot be exactly-once is a worker killed between the mail server
accepting a message and the row being marked sent: after STALE_CLAIM the row is sent
again. We prefer a rare duplicate reminder to a skipped one.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.links import absolute_url

from .models import RSVP, Event, EventMail
from .programme import programme as event_programme
from .services import RSVPError, rsvp_cancel

logger = logging.getLogger(__name__)

RECONFIRM_BEFORE = timedelta(hours=48)
RECONFIRM_UNTIL = timedelta(hours=3)  # later than this, asking makes no sense
REMINDER_FROM = time(9, 0)  # Paris time, on the day of the event
STALE_CLAIM = timedelta(minutes=15)
MAX_ATTEMPTS = 5
BATCH_SIZE = 50

Kind = EventMail.Kind
_SENDABLE = Q(status=EventMail.Status.PENDING) | Q(
    status=EventMail.Status.FAILED, attempts__lt=MAX_ATTEMPTS
)


# --- When each message is due ------------------------------------------------------


def _day_opens(event: Event) -> datetime:
    """09:00 Paris time on the day of the event (or the start, if earlier)."""
    day = timezone.localtime(event.starts_at).date()
    return min(timezone.make_aware(datetime.combine(day, REMINDER_FROM)), event.starts_at)


def window(event: Event, kind: str) -> tuple[datetime, datetime]:
    """[from, until) during which a message of this kind may go out for this event."""
    if kind == Kind.RECONFIRM:
        # Closes when the day's reminder starts: one message on the day, not two.
        closes = min(event.starts_at - RECONFIRM_UNTIL, _day_opens(event))
        return event.starts_at - RECONFIRM_BEFORE, closes
    if kind == Kind.REMINDER:
        return _day_opens(event), event.starts_at
    return _day_opens(event), event.ends_at  # STREAM


def _recipients(event: Event, kind: str):
    rsvps = RSVP.objects.filter(event=event)
    if kind == Kind.STREAM:
        return rsvps.waitlisted() if event.livestream_url else rsvps.none()
    return rsvps.confirmed().filter(walk_in=False)


def _qualifies(mail: EventMail, now: datetime) -> bool:
    """Checked again just before sending: the situation may have changed since."""
    rsvp, event = mail.rsvp, mail.rsvp.event
    if event.status != Event.Status.PUBLISHED:
        return False
    opens, closes = window(event, mail.kind)
    if not opens <= now < closes:
        return False
    if mail.kind == Kind.STREAM:
        return rsvp.is_waitlisted and bool(event.livestream_url)
    return rsvp.is_confirmed


@dataclass
class Due:
    event: Event
    kind: str
    recipients: int
    created: int


def event_mail_schedule(*, now: datetime | None = None, dry_run: bool = False) -> list[Due]:
    """Record one pending EventMail per person due now. Creates nothing twice."""
    now = now or timezone.now()
    candidates = (
        Event.objects.published()
        .filter(starts_at__lte=now + RECONFIRM_BEFORE, ends_at__gt=now)
        .order_by("starts_at")
    )
    due: list[Due] = []
    for event in candidates:
        for kind in Kind.values:
            opens, closes = window(event, kind)
            if not opens <= now < closes:
                continue
            rsvp_ids = set(_recipients(event, kind).values_list("pk", flat=True))
            if not rsvp_ids:
                continue
            already = set(
                EventMail.objects.filter(kind=kind, rsvp_id__in=rsvp_ids).values_list(
                    "rsvp_id", flat=True
                )
            )
            new = sorted(rsvp_ids - already)
            if new and not dry_run:
                EventMail.objects.bulk_create(
                    [EventMail(rsvp_id=pk, kind=kind) for pk in new],
                    ignore_conflicts=True,
                    batch_size=500,
                )
            due.append(Due(event=event, kind=kind, recipients=len(rsvp_ids), created=len(new)))
    return due


def _sendable():
    # claimed_at is a real timestamp: compare it with the real clock.
    stale = Q(status=EventMail.Status.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM)
    return EventMail.objects.filter(_SENDABLE | stale)


def event_mail_enqueue(*, now: datetime | None = None) -> int:
    """Queue background tasks for every message not sent yet. Returns how many."""
    from .tasks import event_mail_deliver

    now = now or timezone.now()
    ids = list(_sendable().order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        event_mail_deliver.enqueue(ids[start : start + BATCH_SIZE], now.isoformat())
    return len(ids)


# --- Sending ------------------------------------------------------------------------


def _claim(mail: EventMail) -> bool:
    """Take the row for this worker; False when another worker has it or it is sent."""
    return bool(
        _sendable()
        .filter(pk=mail.pk)
        .update(
            status=EventMail.Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=timezone.now(),
        )
    )


def event_mail_deliver_batch(*, mail_ids: list[int], now: datetime | None = None) -> dict:
    """Send one batch of EventMails (run by the background task).

    `now` is the moment the run was scheduled for; the real clock wins when it is later
    (a worker that was down does not send a morning reminder after the start).
    """
    now = max(now or timezone.now(), timezone.now())
    mails = list(
        EventMail.objects.filter(pk__in=mail_ids)
        .select_related("rsvp__member", "rsvp__event__venue")
        .order_by("id")
    )
    counts: Counter[str] = Counter()
    programmes: dict[int, list] = {}  # one programme query per event, not per email
    connection = get_connection()
    try:
        for mail in mails:
            if not _claim(mail):
                continue
            if not _qualifies(mail, now):
                EventMail.objects.filter(pk=mail.pk).update(status=EventMail.Status.SKIPPED)
                counts["skipped"] += 1
                continue
            try:
                event = mail.rsvp.event
                if event.pk not in programmes:
                    programmes[event.pk] = event_programme(event)
                event_mail_message(
                    mail, programme=programmes[event.pk], connection=connection
                ).send()
            except Exception as error:  # one bad address must not stop the others
                logger.warning("EventMail %s failed: %r", mail.pk, error)
                EventMail.objects.filter(pk=mail.pk).update(
                    status=EventMail.Status.FAILED,
                    error=(str(error) or error.__class__.__name__)[:500],
                )
                counts["failed"] += 1
                connection.close()  # the SMTP session may be broken: a fresh one next
                continue
            except BaseException:
                # Interrupted (Ctrl-C, shutdown) while handing this message over: it was
                # not sent, so give it back to the next run before stopping.
                EventMail.objects.filter(pk=mail.pk).update(status=EventMail.Status.PENDING)
                raise
            EventMail.objects.filter(pk=mail.pk).update(
                status=EventMail.Status.SENT, sent_at=timezone.now(), error=""
            )
            counts["sent"] += 1
    finally:
        connection.close()
    return dict(counts)


# --- The messages -------------------------------------------------------------------

_RECONFIRM_SALT = "events.reconfirm"
RECONFIRM_LINK_MAX_AGE = timedelta(days=7)
YES, NO = "oui", "non"


class _IssuedAtSigner(signing.TimestampSigner):
    """Django's TimestampSigner (the one behind signing.dumps), that can sign with a given
    issue time instead of the clock's."""

    def __init__(self, *, issued_at: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.issued_at = issued_at

    def timestamp(self) -> str:
        if self.issued_at is None:
            return super().timestamp()
        return signing.b62_encode(self.issued_at)


def reconfirm_token_make(rsvp: RSVP, answer: str, *, issued_at: int | None = None) -> str:
    """The signed token of one answer's link. `issued_at` (Unix time): when the link was
    first issued, for a link made from another one (the page's "other answer" link),
    which must expire with it; by default, now. The same tokens as signing.dumps."""
    signer = _IssuedAtSigner(salt=_RECONFIRM_SALT, issued_at=issued_at)
    return signer.sign_object({"r": rsvp.pk, "a": answer}, compress=True)


@dataclass(frozen=True)
class ReconfirmLink:
    rsvp: RSVP
    answer: str  # YES or NO
    issued_at: int  # Unix time the link was issued; it expires RECONFIRM_LINK_MAX_AGE later


class ReconfirmLinkError(Exception):
    """Why a reconfirmation link cannot be used; shown to the person as it is."""

    def __init__(self, message: str, status: int = 400, rsvp: RSVP | None = None):
        super().__init__(message)
        self.status = status
        self.rsvp = rsvp


def reconfirm_token_read(token: str) -> ReconfirmLink:
    """The RSVP and the answer a link stands for, or ReconfirmLinkError saying why not."""
    signer = signing.TimestampSigner(salt=_RECONFIRM_SALT)
    try:
        data = signer.unsign_object(token, max_age=RECONFIRM_LINK_MAX_AGE)
        # Signed, so well formed: "<payload>:<timestamp>:<signature>".
        issued_at = signing.b62_decode(token.rsplit(signer.sep, 2)[1])
    except signing.SignatureExpired as error:
        raise ReconfirmLinkError(
            _("Ce lien a expiré. Gérez votre inscription depuis la page de l'événement."), 410
        ) from error
    except signing.BadSignature as error:
        raise ReconfirmLinkError(
            _(
                "Ce lien n'est pas valide. Vérifiez qu'il n'a pas été coupé par votre "
                "messagerie, ou gérez votre inscription depuis la page de l'événement."
            )
        ) from error
    if not isinstance(data, dict) or data.get("a") not in (YES, NO):
        raise ReconfirmLinkError(_("Ce lien n'est pas valide."))
    rsvp = RSVP.objects.select_related("event__venue", "member").filter(pk=data.get("r")).first()
    if rsvp is None:
        raise ReconfirmLinkError(_("Ce lien n'est pas valide."))
    if rsvp.status == RSVP.Status.CANCELLED:
        raise ReconfirmLinkError(
            _("Cette inscription est annulée : ce lien ne sert plus."), 410, rsvp
        )
    if rsvp.event.status != Event.Status.PUBLISHED:
        raise ReconfirmLinkError(_("Cet événement est annulé."), 410, rsvp)
    if rsvp.event.has_started:
        raise ReconfirmLinkError(_("L'événement a commencé : ce lien ne sert plus."), 410, rsvp)
    if not rsvp.is_confirmed:
        raise ReconfirmLinkError(
            _("Vous êtes en liste d'attente : il n'y a pas de place à reconfirmer."), 409, rsvp
        )
    return ReconfirmLink(rsvp=rsvp, answer=data["a"], issued_at=issued_at)


def rsvp_reconfirm(*, rsvp: RSVP) -> bool:
    """ "Yes, I am coming." Returns False when it was already said."""
    updated = RSVP.objects.filter(
        pk=rsvp.pk, status=RSVP.Status.CONFIRMED, reconfirmed_at__isnull=True
    ).update(reconfirmed_at=timezone.now())
    rsvp.refresh_from_db(fields=["reconfirmed_at", "status"])
    return bool(updated)


def rsvp_give_seat_away(*, rsvp: RSVP) -> list[RSVP]:
    """ "I cannot come": the same cancellation as from the event page (the waiting list
    moves up and the next person is emailed)."""
    try:
        return rsvp_cancel(rsvp=rsvp)
    except RSVPError as error:
        raise ReconfirmLinkError(str(error), 410, rsvp) from error


SUBJECTS = {
    Kind.RECONFIRM: lambda e: _("Toujours partant·e pour %(event)s ?") % {"event": e},
    Kind.REMINDER: lambda e: _("C'est aujourd'hui : %(event)s") % {"event": e},
    Kind.STREAM: lambda e: _("Pas de place ce soir ? Suivez %(event)s en direct") % {"event": e},
}


def event_mail_message(
    mail: EventMail, *, programme: list | None = None, connection=None
) -> EmailMessage:
    rsvp, event = mail.rsvp, mail.rsvp.event
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "rsvp": rsvp,
            "event": event,
            "member": rsvp.member,
            "starts_at": timezone.localtime(event.starts_at),
            "event_url": absolute_url(event.get_absolute_url()),
            "ticket_url": absolute_url(reverse("events:ticket", kwargs={"slug": event.slug})),
            "programme": event_programme(event) if programme is None else programme,
        }
        if mail.kind == Kind.RECONFIRM:
            for answer, key in [(YES, "yes_url"), (NO, "no_url")]:
                token = reconfirm_token_make(rsvp, answer)
                context[key] = absolute_url(reverse("events:reconfirm", kwargs={"token": token}))
        body = render_to_string(f"emails/event_{mail.kind}.txt", context)
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + SUBJECTS[mail.kind](event)
    return EmailMessage(subject=subject, body=body, to=[rsvp.member.email], connection=connection)
