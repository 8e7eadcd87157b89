"""Seat allocation: every RSVP, cancellation and capacity change goes through here.

The rule that matters: an event never has more confirmed RSVPs than seats, and a
confirmed seat is never lost, however many people click in the same second.
Each function below runs one short transaction that first locks the event row
(PostgreSQL: SELECT ... FOR UPDATE; SQLite: the IMMEDIATE transaction already
holds the database's write lock), then counts rows and writes. Emails are written
to the outbox (events.emails, core.outbox) inside the same transaction: nobody is told
about a seat that was rolled back, and nothing waits for the mail server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User

from . import emails
from .models import RSVP, Diet, Event, Venue, is_first_timer, members_first_timers
from .ticket_codes import new_short_code, normalize_short_code


class RSVPError(Exception):
    """A refusal that is shown to the person as it is."""


@dataclass(frozen=True)
class RSVPResult:
    rsvp: RSVP
    created: bool
    # Waitlisted although seats are free: they are held for first-timers (issue 13).
    held_back: bool = False
    # A new RSVP on the waiting list: its place in the queue when it was made.
    position: int | None = None


def _lock_event(event: Event) -> Event:
    # Serialises every seat change of this event: whoever holds this row lock is
    # the only one counting and writing its RSVPs until the transaction ends.
    return Event.objects.select_for_update().get(pk=event.pk)


def _registration_refusal(event: Event) -> str | None:
    state = event.registration_state()
    messages = {
        Event.RegistrationState.DRAFT: _("Cet événement n'est pas publié."),
        Event.RegistrationState.CANCELLED: _("Cet événement est annulé."),
        Event.RegistrationState.PAST: _("Cet événement est passé."),
        Event.RegistrationState.CLOSED: _("Les inscriptions sont closes."),
    }
    if state == Event.RegistrationState.NOT_YET_OPEN:
        return _(
            "Les inscriptions ne sont pas encore ouvertes : elles ouvrent le %(when)s. "
            "Rien n'a été enregistré."
        ) % {"when": event.opening_words}
    return messages.get(state)


def _validate_diet(diet: str, diet_notes: str) -> str:
    refusal = Diet.refusal(diet, diet_notes)
    if refusal:
        raise RSVPError(refusal)
    return Diet.kept_notes(diet, diet_notes)


def _free_short_code(event: Event) -> str:
    """A ticket short code no other RSVP of the event holds. Called under the event lock,
    so nobody takes the same code between the check and the insert."""
    while True:
        code = new_short_code()
        if not RSVP.objects.filter(event=event, short_code=code).exists():
            return code


def _promote_waitlist(event: Event) -> list[RSVP]:
    """Fill free seats from the waiting list (all of it without a limit). The caller
    holds the event lock. Nobody is promoted into a cancelled evening."""
    if event.status == Event.Status.CANCELLED:
        return []
    waiting = RSVP.objects.filter(event=event).waitlisted().select_related("member")
    if event.capacity is not None:
        confirmed = RSVP.objects.filter(event=event).confirmed().count()
        free = event.capacity - confirmed
        if free <= 0:
            return []
        waiting = _next_in_line(event, waiting, free=free, confirmed=confirmed)
    promoted = list(waiting)
    now = timezone.now()
    for rsvp in promoted:
        rsvp.status = RSVP.Status.CONFIRMED
        rsvp.promoted_at = now
        rsvp.save(update_fields=["status", "promoted_at", "updated_at"])
    emails.rsvp_promoted_queue(rsvps=promoted, event=event)
    return promoted


def _next_in_line(event: Event, waiting, *, free: int, confirmed: int) -> list[RSVP]:
    """Who takes the `free` seats among the people `waiting`, in their order. While seats
    are held for first-timers (Event.seats_open_to), the others take only the seats not
    held: a first-timer further down the list may take a held seat before them."""
    now = timezone.now()
    if not event.holds_seats(now):
        return list(waiting[:free])
    waiting = list(waiting)
    members = User.objects.filter(pk__in=[rsvp.member_id for rsvp in waiting])
    first_timers = set(members_first_timers(members).values_list("pk", flat=True))
    seated_first_timers = event.confirmed_first_timers()
    chosen = []
    for rsvp in waiting:
        first_timer = rsvp.member_id in first_timers
        if event.seats_open_to(
            first_timer=first_timer,
            confirmed=confirmed,
            confirmed_first_timers=seated_first_timers,
            now=now,
        ):
            chosen.append(rsvp)
            confirmed += 1
            seated_first_timers += first_timer
    return chosen


def _release_held_seats_if_due(event: Event) -> list[RSVP]:
    """Once the deadline of the seats held for first-timers has passed, the seats not
    taken go to the waiting list, in order, each person promoted emailed; once (marked
    held_released_at). The caller holds the event lock: two runs of the scheduled
    command, or a run and an RSVP, release them once."""
    now = timezone.now()
    if not event.held_seats or event.held_released_at or event.holds_seats(now):
        return []
    promoted = [] if event.has_started else _promote_waitlist(event)
    event.held_released_at = now
    event.save(update_fields=["held_released_at", "updated_at"])
    return promoted


def held_seats_release(*, event: Event) -> list[RSVP]:
    """Release the seats held for first-timers of `event` if their deadline has passed
    (events.opening, run by `send_event_mail`). Returns the RSVPs promoted."""
    with transaction.atomic():
        # The event lock: the release, RSVPs and cancellations count and write in turn.
        return _release_held_seats_if_due(_lock_event(event))


def event_set_held_seats(*, event: Event, held_seats: int, held_until) -> list[RSVP]:
    """Change the seats held for first-timers and their deadline (the admin). Fewer seats
    held, or a deadline already past, open seats at once: the waiting list moves up, in
    order. A later deadline holds the seats not taken again (nobody loses a seat).
    Returns the RSVPs promoted."""
    with transaction.atomic():
        locked = _lock_event(event)
        locked.held_seats, locked.held_until = held_seats, held_until
        locked.held_released_at = None  # released again at the (new) deadline
        locked.save(update_fields=["held_seats", "held_until", "held_released_at", "updated_at"])
        promoted = [] if locked.has_started else _promote_waitlist(locked)
        promoted += _release_held_seats_if_due(locked)
    event.held_seats, event.held_until = held_seats, held_until
    event.held_released_at = locked.held_released_at
    return promoted


def rsvp_create(
    *,
    event: Event,
    member: User,
    diet: str = Diet.NONE,
    diet_notes: str = "",
    by_organizer: bool = False,
) -> RSVPResult:
    """Register a member: a confirmed seat while any is left, else the waiting list.

    A second call for a member who already holds an active RSVP changes nothing
    but their diet, and returns created=False. Organizers (by_organizer=True, from
    the admin) may add someone outside the registration window, never beyond
    capacity: past the last seat, the person goes on the waiting list too.
    """
    diet_notes = _validate_diet(diet, diet_notes)
    if member.is_banned:
        if by_organizer:  # from the admin: lift the ban first, if that is what is meant
            raise RSVPError(
                _("%(name)s est exclu·e : levez d'abord l'exclusion pour l'inscrire.")
                % {"name": member.display_name or member.email}
            )
        raise RSVPError(
            _("Votre compte ne permet plus de s'inscrire aux événements de Clermont'ech.")
        )
    if not by_organizer:
        if not member.is_active:
            raise RSVPError(_("Ce compte est désactivé."))
        if not member.has_verified_email():
            raise RSVPError(
                _("Confirmez d'abord votre adresse e-mail : le lien est dans le message reçu.")
            )

    # A second click, or a diet changed after registering, needs no seat: answered without
    # the event's lock, so that on registration day it does not queue behind everyone
    # else's first click.
    existing = RSVP.objects.filter(event=event, member=member).active().first()
    if existing is not None:
        if refusal := _rsvp_refusal(event, by_organizer):
            raise RSVPError(refusal)
        if _keep_diet(existing, diet, diet_notes):
            return RSVPResult(rsvp=existing, created=False)
    # Whether the member has never come does not depend on the seats: asked before the
    # lock, only for an event that holds seats for first-timers, so the lock is held no
    # longer for it.
    first_timer = is_first_timer(member) if event.held_seats else None
    # One short transaction: lock, count, write; as few round trips to the database as a
    # bare "lock, count, insert" (the floor `make bench` compares it with). IMMEDIATE on
    # SQLite, row lock on PostgreSQL.
    with transaction.atomic():
        event = _lock_event(event)
        # In draw mode, until the draw: requests (events/draw.py), not RSVPs.
        if refusal := _rsvp_refusal(event, by_organizer):
            raise RSVPError(refusal)

        # Held seats whose deadline has just passed go to the people waiting first:
        # nobody new takes them before the next run of the scheduled command does.
        _release_held_seats_if_due(event)

        # One query: the seats taken, the people waiting, whether this member holds an
        # RSVP already (a twin request got the lock first), and whether the ticket code
        # drawn is free.
        code = new_short_code()
        counts = RSVP.objects.filter(event=event).aggregate(
            confirmed=Count("pk", filter=Q(status=RSVP.Status.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RSVP.Status.WAITLISTED)),
            mine=Count("pk", filter=Q(member=member) & ~Q(status=RSVP.Status.CANCELLED)),
            code_taken=Count("pk", filter=Q(short_code=code)),
        )
        if counts["mine"]:
            existing = RSVP.objects.filter(event=event, member=member).active().get()
            _keep_diet(existing, diet, diet_notes)
            return RSVPResult(rsvp=existing, created=False)
        if counts["code_taken"]:
            code = _free_short_code(event)
        status, held_back = _seat_or_waitlist(event, member, counts["confirmed"], first_timer)
        rsvp = RSVP.objects.create(
            event=event,
            member=member,
            short_code=code,
            status=status,
            diet=diet,
            diet_notes=diet_notes,
            created_at=timezone.now(),
        )
        emails.rsvp_received_queue(rsvp=rsvp, event=event)
    # Waiting: last in the queue as counted under the lock (no query to say where).
    position = counts["waiting"] + 1 if status == RSVP.Status.WAITLISTED else None
    return RSVPResult(rsvp=rsvp, created=True, held_back=held_back, position=position)


def _rsvp_refusal(event: Event, by_organizer: bool) -> str | None:
    """Why `event` takes no RSVP now (None: it does). Organizers may seat someone outside
    the registration window, never at a cancelled event, nor at a draft (its emails
    would announce an unpublished date)."""
    refusal = _registration_refusal(event) or event.draw_rsvp_refusal()
    closed_to_organizers = {Event.RegistrationState.CANCELLED, Event.RegistrationState.DRAFT}
    if refusal and not (by_organizer and event.registration_state() not in closed_to_organizers):
        return refusal
    return None


def _keep_diet(existing: RSVP, diet: str, diet_notes: str) -> bool:
    """The member registered already: only their diet may change. False when the RSVP
    was cancelled meanwhile (the caller then goes on as for a new one)."""
    if (existing.diet, existing.diet_notes) == (diet, diet_notes):
        return True
    now = timezone.now()
    changed = (
        RSVP.objects.filter(pk=existing.pk)
        .active()
        .update(diet=diet, diet_notes=diet_notes, updated_at=now)
    )
    existing.diet, existing.diet_notes, existing.updated_at = diet, diet_notes, now
    return bool(changed)


def _seat_or_waitlist(
    event: Event, member: User, confirmed: int, first_timer: bool | None
) -> tuple[str, bool]:
    """The status of a new RSVP, and whether it waits only because of held seats. Asks
    Event.seats_open_to. The held seats cost queries only in the last `held_seats` free
    seats: with more free seats than that, a seat is open to anyone whatever they are.
    `first_timer`: found before the lock (None: not yet known)."""
    now = timezone.now()
    free = None if event.capacity is None else event.capacity - confirmed
    if not event.holds_seats(now) or free > event.held_seats:
        if event.has_room_for_one_more(confirmed):
            return RSVP.Status.CONFIRMED, False
        return RSVP.Status.WAITLISTED, False
    if free <= 0:
        return RSVP.Status.WAITLISTED, False
    if first_timer is None:
        first_timer = is_first_timer(member)
    open_seats = event.seats_open_to(
        first_timer=first_timer,
        # A first-timer may take any seat: no need to count who holds the others.
        confirmed=confirmed,
        confirmed_first_timers=0 if first_timer else event.confirmed_first_timers(),
        now=now,
    )
    if open_seats:
        return RSVP.Status.CONFIRMED, False
    return RSVP.Status.WAITLISTED, True


def rsvp_cancel(*, rsvp: RSVP, by_organizer: bool = False) -> list[RSVP]:
    """Cancel an RSVP (a seat or a place in the queue) and promote whoever is next.

    Returns the RSVPs promoted from the waiting list. Cancelling twice is harmless.
    """
    with transaction.atomic():
        event = _lock_event(rsvp.event)
        # Re-read under the lock: the row may have been promoted or cancelled meanwhile.
        current = RSVP.objects.get(pk=rsvp.pk)
        if current.status == RSVP.Status.CANCELLED:
            rsvp.refresh_from_db()
            return []
        if event.has_started and not by_organizer:
            raise RSVPError(_("L'événement a commencé : l'inscription ne peut plus être annulée."))
        current.status = RSVP.Status.CANCELLED
        current.cancelled_at = timezone.now()
        current.save(update_fields=["status", "cancelled_at", "updated_at"])
        promoted = _promote_waitlist(event) if not event.has_started else []
    rsvp.refresh_from_db()
    return promoted


def rsvp_reconfirm(*, rsvp: RSVP) -> bool:
    """ "Yes, I am coming" (the reconfirmation email's link). Returns False when it was
    already said."""
    updated = RSVP.objects.filter(
        pk=rsvp.pk, status=RSVP.Status.CONFIRMED, reconfirmed_at__isnull=True
    ).update(reconfirmed_at=timezone.now())
    rsvp.refresh_from_db(fields=["reconfirmed_at", "status"])
    return bool(updated)


def event_set_capacity(*, event: Event, capacity: int | None) -> list[RSVP]:
    """Change the number of seats: never below the confirmed count; more seats
    go to the waiting list at once. None removes the limit (everyone waiting gets a
    seat). Returns the RSVPs promoted."""
    with transaction.atomic():
        locked = _lock_event(event)
        confirmed = RSVP.objects.filter(event=locked).confirmed().count()
        if refusal := Event.capacity_refusal(capacity, confirmed):
            raise RSVPError(refusal)
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
        promoted = _promote_waitlist(locked) if not locked.has_started else []
    event.capacity = capacity
    return promoted


@dataclass(frozen=True)
class CheckInResult:
    rsvp: RSVP
    already: bool  # True: was checked in before (at rsvp.checked_in_at); nothing changed


class TicketNotFound(RSVPError):
    """No RSVP holds this ticket code (mistyped, or not one of ours)."""


def _door_refusal(rsvp: RSVP, event: Event, door_event: Event | None) -> str | None:
    """Why this RSVP cannot come in, or None. `door_event`: the event being checked in."""
    if door_event is not None and rsvp.event_id != door_event.pk:
        return _("Ce billet est pour « %(other)s », pas pour « %(event)s ».") % {
            "other": event.title,
            "event": door_event.title,
        }
    if event.is_cancelled:
        return _("Cet événement est annulé.")
    if rsvp.status == RSVP.Status.CANCELLED:
        return _("Ce billet a été annulé : pas d'entrée avec ce billet.")
    if rsvp.status == RSVP.Status.WAITLISTED:
        return _(
            "%(name)s est en liste d'attente : ce billet ne donne pas de place. "
            "S'il reste des places, ajoutez la personne sur place."
        ) % {"name": rsvp.member.display_name}
    return None


def _check_in_locked(rsvp: RSVP, door_event: Event | None = None) -> CheckInResult:
    """Check in under the event lock (taken here; the caller is inside a transaction)."""
    # The event lock serialises check-in with cancellations and walk-ins of the same
    # event: a ticket cancelled a second ago is not let in.
    event = _lock_event(rsvp.event)
    current = RSVP.objects.select_related("member").get(pk=rsvp.pk)
    current.event = event
    refusal = _door_refusal(current, event, door_event)
    if refusal:
        raise RSVPError(refusal)
    if current.checked_in_at:
        return CheckInResult(rsvp=current, already=True)
    current.checked_in_at = timezone.now()
    current.save(update_fields=["checked_in_at", "updated_at"])
    return CheckInResult(rsvp=current, already=False)


def rsvp_check_in(*, rsvp: RSVP) -> bool:
    """Mark a confirmed attendee as arrived. Returns False when already checked in."""
    with transaction.atomic():
        result = _check_in_locked(rsvp)
    rsvp.checked_in_at = result.rsvp.checked_in_at
    return not result.already


def ticket_check_in(*, code: str, event: Event | None = None) -> CheckInResult:
    """Check in the holder of a ticket code (scanned QR code, typed code, door list).

    `event`: the event being checked in at the door; a ticket for another event is
    refused. Refused too: unknown code (TicketNotFound), cancelled ticket, waiting list.
    Checking in twice changes nothing and says so (result.already, with the time).
    """
    code = (code or "").strip()
    short = normalize_short_code(code) if event is not None else None
    if short:  # typed at the door: "K7M2-9QXD", "k7m29qxd"... (unique within the event)
        rsvps = RSVP.objects.filter(event=event, short_code=short)
    else:  # the QR code's long code, or a door list's button
        rsvps = RSVP.objects.filter(ticket_code=code) if code else RSVP.objects.none()
    rsvp = rsvps.select_related("event").first()
    if rsvp is None:
        raise TicketNotFound(_("Billet inconnu : vérifiez le code."))
    with transaction.atomic():
        return _check_in_locked(rsvp, door_event=event)


def rsvp_check_in_undo(*, rsvp: RSVP) -> bool:
    """Undo a check-in (a mis-tap at the door). A walk-in's seat only existed because
    they came in: undoing it cancels that RSVP and frees the seat. Returns False when
    there was nothing to undo."""
    with transaction.atomic():
        _lock_event(rsvp.event)  # same lock as check-in and walk-ins
        current = RSVP.objects.get(pk=rsvp.pk)
        if not current.checked_in_at or current.status != RSVP.Status.CONFIRMED:
            return False
        current.checked_in_at = None
        fields = ["checked_in_at", "updated_at"]
        if current.walk_in:
            current.status = RSVP.Status.CANCELLED
            current.cancelled_at = timezone.now()
            fields += ["status", "cancelled_at"]
        current.save(update_fields=fields)
    rsvp.refresh_from_db()
    return True


@dataclass(frozen=True)
class WalkInResult:
    rsvp: RSVP
    member_created: bool


def _walk_in_account(*, name: str, email: str) -> User:
    """An account for someone who came without one. With an email they can claim it
    later ("mot de passe oublié"); without, a placeholder address, like the rows of
    deleted members. Never subscribed to announcements, no usable password."""
    from allauth.account.models import EmailAddress

    user = User(
        email=email or f"sur-place-{secrets.token_hex(8)}@invalid",
        display_name=name,
        receives_announcements=False,
        is_active=bool(email),  # a placeholder address can never log in
    )
    user.set_unusable_password()
    user.save()
    if email:  # unverified: logging in after the password reset verifies it
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    return user


def rsvp_walk_in(
    *,
    event: Event,
    name: str = "",
    email: str = "",
    member: User | None = None,
    diet: str = Diet.NONE,
    diet_notes: str = "",
) -> WalkInResult:
    """Add someone at the door, while seats remain: a confirmed RSVP marked walk_in,
    checked in at once. The person is `member`, else the account with this `email`,
    else a new account (name required, email optional: see _walk_in_account).
    Someone on the waiting list who turns up gets the free seat the same way.
    """
    name = " ".join((name or "").split())[:80]
    email = (email or "").strip().lower()  # allauth stores sign-up addresses in lower case
    diet_notes = _validate_diet(diet, diet_notes)
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise RSVPError(_("Adresse e-mail invalide : %(email)s") % {"email": email}) from error
    # One transaction: lock, count, write; the account is created only if a seat is left.
    with transaction.atomic():
        event = _lock_event(event)
        if event.status != Event.Status.PUBLISHED:
            raise RSVPError(_("Cet événement n'est pas ouvert : personne ne peut être ajouté."))
        if member is None and email:
            member = User.objects.filter(email__iexact=email).first()
        existing = None
        if member is not None:
            if member.is_banned or member.is_deleted:
                raise RSVPError(
                    _("%(name)s ne peut pas être inscrit·e (compte exclu ou supprimé).")
                    % {"name": member.display_name}
                )
            existing = RSVP.objects.filter(event=event, member=member).active().first()
            if existing is not None and existing.is_confirmed:
                raise RSVPError(
                    _("%(name)s a déjà une place : cherchez son nom dans la liste et pointez-le.")
                    % {"name": member.display_name}
                )
        elif not name:
            raise RSVPError(_("Indiquez le nom de la personne."))
        confirmed = RSVP.objects.filter(event=event).confirmed().count()
        if not event.has_room_for_one_more(confirmed):
            raise RSVPError(
                _("Complet : les %(capacity)d places sont prises. Personne n'a été ajouté.")
                % {"capacity": event.capacity}
            )
        now = timezone.now()
        created = member is None
        if created:
            member = _walk_in_account(name=name, email=email)
        if existing is not None:  # was waiting: the seat is theirs now that they are here
            existing.status = RSVP.Status.CONFIRMED
            existing.promoted_at = existing.checked_in_at = now
            existing.walk_in = True
            existing.diet, existing.diet_notes = diet, diet_notes
            existing.save()
            rsvp = existing
        else:
            rsvp = RSVP.objects.create(
                event=event,
                member=member,
                short_code=_free_short_code(event),
                status=RSVP.Status.CONFIRMED,
                diet=diet,
                diet_notes=diet_notes,
                created_at=now,
                checked_in_at=now,
                walk_in=True,
            )
    return WalkInResult(rsvp=rsvp, member_created=created)


def event_cancel(*, event: Event) -> int:
    """Cancel an event and tell everyone holding a seat or waiting. Returns how many
    people are told. RSVPs stay as they are, so the organizers keep the list."""
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.status == Event.Status.CANCELLED:
            return 0
        locked.status = Event.Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        rsvps = list(RSVP.objects.filter(event=locked).active().select_related("member"))
        # One message per person, written with the change: one refused address or a
        # mail server down stops nobody else's notice, nor the organizer's page.
        emails.event_cancelled_queue(rsvps=rsvps, event=locked)
    event.status = Event.Status.CANCELLED
    return len(rsvps)


class VenueMergeError(Exception):
    """A merge that cannot be done; the message says why, in French."""


def venue_merge(*, keep: Venue, others: list[Venue]) -> int:
    """One place entered as several venues: the events of `others` move to `keep`, which
    takes from them what it lacks (coordinates, accessibility notes, number of seats),
    and `others` are deleted. All of it or nothing. Returns how many events moved."""
    others = [venue for venue in others if venue.pk != keep.pk]
    if not others:
        raise VenueMergeError(_("Choisissez au moins un autre lieu que celui à garder."))
    # One transaction, the venues locked: two organizers merging at the same time wait
    # for each other, and an event added to a merged venue meanwhile makes the delete
    # fail (the venue is PROTECTed) and the whole merge roll back, never half-done.
    with transaction.atomic():
        locked = {
            v.pk: v
            for v in Venue.objects.select_for_update().filter(
                pk__in=[keep.pk, *(v.pk for v in others)]
            )
        }
        if keep.pk not in locked or len(locked) != len(others) + 1:
            raise VenueMergeError(_("Un des lieux a été supprimé entre-temps : rien n'a changé."))
        kept = locked[keep.pk]
        moved = Event.objects.filter(venue__in=others).update(venue=kept)
        for other in (locked[v.pk] for v in others):
            if kept.latitude is None and other.latitude is not None:
                kept.latitude, kept.longitude = other.latitude, other.longitude
            if not kept.accessibility_notes:
                kept.accessibility_notes = other.accessibility_notes
            if kept.capacity is None:
                kept.capacity = other.capacity
            if not kept.address.strip():
                kept.address = other.address
        kept.save()
        Venue.objects.filter(pk__in=[v.pk for v in others]).delete()
    keep.refresh_from_db()
    return moved
