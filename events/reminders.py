"""Automatic messages before and on the evening (run by `manage.py send_event_mail`).

Three messages, each sent at most once per RSVP:

- RECONFIRM, from 48 h before the start until the day's reminder (or 3 h before the
  start, if earlier): "still coming?" to every confirmed attendee, with two signed
  links: "yes, I am coming" and "give my seat away";
- REMINDER, on the day from 09:00 (Paris) until the start: address, time, programme,
  to confirmed attendees;
- STREAM, on the day from 09:00 until the end, when the event has a live stream: the
  link to everyone on the waiting list.

They are emails of the outbox (core.outbox), like every email of the site:

1. `event_mail_schedule` finds who is due now and queues one outbox message per person
   and kind, with the dedupe key "<kind>:rsvp:<id>": a message written once (by this run,
   an earlier one or a run at the same moment) is never written again, so nobody gets
   the same message twice, however often cron runs;
2. the outbox sends them once the run's transaction commits; `send_event_mail` then runs
   `outbox_flush`, which queues what is due again (failed attempts, lost tasks);
3. at delivery, the renderer (events.emails) checks again that the person still
   qualifies and that the message's window is still open: someone who cancelled or was
   promoted meanwhile gets nothing (the message is marked "skipped").

Retries, the delays between them and the crash policy are the outbox's, one for the
whole site (see core/outbox.py): a message claimed by a worker that was killed outright
is sent again after STALE_CLAIM; we prefer a rare duplicate reminder to a missed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import OutboxMessage
from core.outbox import Mail, outbox_queue_many

from .models import RSVP, Event

RECONFIRM_BEFORE = timedelta(hours=48)
RECONFIRM_UNTIL = timedelta(hours=3)  # later than this, asking makes no sense
REMINDER_FROM = time(9, 0)  # Paris time, on the day of the event

# The outbox kinds of the three messages (their renderers are in events.emails).
RECONFIRM = "events.reconfirm"
REMINDER = "events.reminder"
STREAM = "events.stream"
KINDS = {
    RECONFIRM: gettext_lazy("reconfirmation (48 h avant)"),
    REMINDER: gettext_lazy("rappel du jour"),
    STREAM: gettext_lazy("lien du direct (liste d'attente)"),
}


def dedupe_key(kind: str, rsvp_id: int) -> str:
    """One message of each kind per RSVP, ever. (Migration events 0005 writes the same
    keys for the messages recorded before the outbox: keep them in step.)"""
    return f"{kind}:rsvp:{rsvp_id}"


# --- When each message is due ------------------------------------------------------


def _day_opens(event: Event) -> datetime:
    """09:00 Paris time on the day of the event (or the start, if earlier)."""
    day = timezone.localtime(event.starts_at).date()
    return min(timezone.make_aware(datetime.combine(day, REMINDER_FROM)), event.starts_at)


def window(event: Event, kind: str) -> tuple[datetime, datetime]:
    """[from, until) during which a message of this kind may go out for this event."""
    if kind == RECONFIRM:
        # Closes when the day's reminder starts: one message on the day, not two.
        closes = min(event.starts_at - RECONFIRM_UNTIL, _day_opens(event))
        return event.starts_at - RECONFIRM_BEFORE, closes
    if kind == REMINDER:
        return _day_opens(event), event.starts_at
    return _day_opens(event), event.ends_at  # STREAM


def _recipients(event: Event, kind: str):
    rsvps = RSVP.objects.filter(event=event)
    if kind == STREAM:
        return rsvps.waitlisted() if event.livestream_url else rsvps.none()
    return rsvps.confirmed().filter(walk_in=False)


def qualifies(rsvp: RSVP, kind: str, now: datetime) -> bool:
    """Checked again just before sending: the situation may have changed since."""
    event = rsvp.event
    if event.status != Event.Status.PUBLISHED:
        return False
    opens, closes = window(event, kind)
    if not opens <= now < closes:
        return False
    if kind == STREAM:
        return rsvp.is_waitlisted and bool(event.livestream_url)
    return rsvp.is_confirmed


@dataclass
class Due:
    event: Event
    kind: str
    recipients: int
    created: int


def _candidates(now: datetime):
    return (
        Event.objects.published()
        .filter(starts_at__lte=now + RECONFIRM_BEFORE, ends_at__gt=now)
        .order_by("starts_at")
    )


def event_mail_schedule(*, now: datetime | None = None, dry_run: bool = False) -> list[Due]:
    """Queue one outbox message per person due now. Writes nothing twice.

    `now`: the moment the run is for (a rehearsal: `send_event_mail --now`); it is kept
    in the message's params, and its renderer uses the later of it and the clock.
    """
    now = now or timezone.now()
    due: list[Due] = []
    for event in _candidates(now):
        for kind in KINDS:
            opens, closes = window(event, kind)
            if not opens <= now < closes:
                continue
            rsvps = {rsvp.pk: rsvp for rsvp in _recipients(event, kind).select_related("member")}
            if not rsvps:
                continue
            already = set(
                OutboxMessage.objects.filter(
                    dedupe_key__in=[dedupe_key(kind, pk) for pk in rsvps]
                ).values_list("dedupe_key", flat=True)
            )
            new = [rsvps[pk] for pk in sorted(rsvps) if dedupe_key(kind, pk) not in already]
            created = len(new)
            if new and not dry_run:
                # One transaction per event and kind: its messages reach the outbox's
                # workers together when it commits, and a crash half-way writes none
                # (the next run writes them all). The dedupe key keeps a run at the same
                # moment from writing them a second time.
                with transaction.atomic():
                    created = len(
                        outbox_queue_many(
                            [_mail(kind, rsvp, event, now) for rsvp in new],
                            # Cron has no visitor's language: the site's.
                            language=settings.LANGUAGE_CODE,
                        )
                    )
            due.append(Due(event=event, kind=kind, recipients=len(rsvps), created=created))
    return due


def _mail(kind: str, rsvp: RSVP, event: Event, now: datetime) -> Mail:
    return Mail(
        kind=kind,
        to=rsvp.member.email,
        params={"rsvp": rsvp.pk, "at": now.isoformat()},
        recipient=rsvp.member,
        group=event.outbox_group,
        dedupe_key=dedupe_key(kind, rsvp.pk),
    )


def run_moment(message: OutboxMessage) -> datetime:
    """When a message may be checked for: the later of the clock and the moment of the
    run that queued it (a rehearsal runs ahead of the clock; a worker that was down does
    not send a morning reminder after the start)."""
    now = timezone.now()
    try:
        at = datetime.fromisoformat(message.params.get("at") or "")
    except (TypeError, ValueError):
        return now
    return max(at, now) if timezone.is_aware(at) else now


def event_mail_failures(*, now: datetime | None = None) -> int:
    """Messages of the coming events that failed and wait for a new attempt, or were
    given up on: what the command warns about."""
    groups = [event.outbox_group for event in _candidates(now or timezone.now())]
    return OutboxMessage.objects.filter(
        kind__in=KINDS,
        group__in=groups,
        status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.DEAD],
    ).count()


# --- The reconfirmation links --------------------------------------------------------

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
