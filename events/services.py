"""Seat allocation: every RSVP, cancellation and capacity change goes through here.

The rule that matters: an event never has more confirmed RSVPs than seats, and a
confirmed seat is never lost, however many people click in the same second.
Each function below runs one short transaction that first locks the event row
(PostgreSQL: SELECT ... FOR UPDATE; SQLite: the IMMEDIATE transaction already
holds the database's write lock), then counts rows and writes. Emails are queued
with transaction.on_commit, so nobody is told about a seat that was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User

from . import emails
from .models import RSVP, Diet, Event


class RSVPError(Exception):
    """A refusal that is shown to the person as it is."""


@dataclass(frozen=True)
class RSVPResult:
    rsvp: RSVP
    created: bool


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
        opens = timezone.localtime(event.registration_opens_at)
        return _(
            "Les inscriptions ne sont pas encore ouvertes : elles ouvrent le %(date)s à %(time)s."
        ) % {"date": opens.strftime("%d/%m/%Y"), "time": opens.strftime("%H:%M")}
    return messages.get(state)


def _validate_diet(diet: str, diet_notes: str) -> str:
    if diet not in Diet.values:
        raise RSVPError(_("Régime alimentaire inconnu."))
    diet_notes = (diet_notes or "").strip()
    if diet == Diet.OTHER and not diet_notes:
        raise RSVPError(_("Précisez votre régime ou vos allergies."))
    if len(diet_notes) > 200:
        raise RSVPError(_("Les précisions sur le régime tiennent en 200 caractères."))
    return diet_notes if diet == Diet.OTHER else ""


def _promote_waitlist(event: Event) -> list[RSVP]:
    """Fill free seats from the waiting list. The caller holds the event lock."""
    free = event.capacity - RSVP.objects.filter(event=event).confirmed().count()
    if free <= 0:
        return []
    promoted = list(RSVP.objects.filter(event=event).waitlisted()[:free])
    now = timezone.now()
    for rsvp in promoted:
        rsvp.status = RSVP.Status.CONFIRMED
        rsvp.promoted_at = now
        rsvp.save(update_fields=["status", "promoted_at", "updated_at"])
        transaction.on_commit(lambda rsvp=rsvp: emails.send_promoted(rsvp))
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
    if not by_organizer:
        if not member.is_active:
            raise RSVPError(_("Ce compte est désactivé."))
        if member.is_banned:
            raise RSVPError(
                _("Votre compte ne permet plus de s'inscrire aux événements de Clermont'ech.")
            )
        if not member.has_verified_email():
            raise RSVPError(
                _("Confirmez d'abord votre adresse e-mail : le lien est dans le message reçu.")
            )

    # One short transaction: lock, count, write. IMMEDIATE on SQLite, row lock on PostgreSQL.
    with transaction.atomic():
        event = _lock_event(event)
        refusal = _registration_refusal(event)
        if refusal and not (
            by_organizer and event.registration_state() != Event.RegistrationState.CANCELLED
        ):
            raise RSVPError(refusal)

        existing = RSVP.objects.filter(event=event, member=member).active().first()
        if existing is not None:
            if (existing.diet, existing.diet_notes) != (diet, diet_notes):
                existing.diet, existing.diet_notes = diet, diet_notes
                existing.save(update_fields=["diet", "diet_notes", "updated_at"])
            return RSVPResult(rsvp=existing, created=False)

        confirmed = RSVP.objects.filter(event=event).confirmed().count()
        status = RSVP.Status.CONFIRMED if confirmed < event.capacity else RSVP.Status.WAITLISTED
        rsvp = RSVP.objects.create(
            event=event,
            member=member,
            status=status,
            diet=diet,
            diet_notes=diet_notes,
            created_at=timezone.now(),
        )
        transaction.on_commit(lambda: emails.send_rsvp_received(rsvp))
    return RSVPResult(rsvp=rsvp, created=True)


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


def event_set_capacity(*, event: Event, capacity: int) -> list[RSVP]:
    """Change the number of seats: never below the confirmed count; more seats
    go to the waiting list at once. Returns the RSVPs promoted."""
    if capacity < 0:
        raise RSVPError(_("Le nombre de places ne peut pas être négatif."))
    with transaction.atomic():
        locked = _lock_event(event)
        confirmed = RSVP.objects.filter(event=locked).confirmed().count()
        if capacity < confirmed:
            raise RSVPError(
                _(
                    "Impossible de passer à %(capacity)d places : %(confirmed)d places sont "
                    "déjà confirmées. Annulez d'abord des inscriptions."
                )
                % {"capacity": capacity, "confirmed": confirmed}
            )
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
        promoted = _promote_waitlist(locked) if not locked.has_started else []
    event.capacity = capacity
    return promoted


def rsvp_check_in(*, rsvp: RSVP) -> bool:
    """Mark a confirmed attendee as arrived. Returns False when already checked in."""
    with transaction.atomic():
        current = RSVP.objects.select_for_update().get(pk=rsvp.pk)
        if current.status != RSVP.Status.CONFIRMED:
            raise RSVPError(_("Seule une place confirmée peut être pointée à l'entrée."))
        if current.checked_in_at:
            return False
        current.checked_in_at = timezone.now()
        current.save(update_fields=["checked_in_at", "updated_at"])
    rsvp.checked_in_at = current.checked_in_at
    return True


def event_cancel(*, event: Event) -> int:
    """Cancel an event and tell everyone holding a seat or waiting. Returns how many
    people are told. RSVPs stay as they are, so the organizers keep the list."""
    with transaction.atomic():
        locked = _lock_event(event)
        if locked.status == Event.Status.CANCELLED:
            return 0
        locked.status = Event.Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        rsvps = list(RSVP.objects.filter(event=locked).active().select_related("member", "event"))
        for rsvp in rsvps:
            transaction.on_commit(lambda rsvp=rsvp: emails.send_event_cancelled(rsvp))
    event.status = Event.Status.CANCELLED
    return len(rsvps)
