"""Community services: the mailing list, privacy (export, deletion), bans, incident reports.

Every function that writes several rows or sends mail lives here, keyword-only,
so that views, admin actions and background tasks all go through the same code.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.links import absolute_url
from core.models import OutboxMessage
from core.outbox import outbox_requeue
from events.draw import draw_request_void
from events.models import RSVP, Diet, DrawRequest, Event, OpeningAlert
from events.services import rsvp_cancel
from members.models import User
from talks.services import invitations_cancel_from, member_talks_export, talks_forget_member

from . import emails
from .bans import email_fingerprint
from .emails import event_when
from .models import Announcement, BannedAddress, IncidentReport
from .tokens import unsubscribe_token_member, unsubscribe_url  # noqa: F401 (the views' API)

logger = logging.getLogger(__name__)


class AnnouncementError(Exception):
    """A refusal shown to the organizer as it is."""


class MemberError(Exception):
    """A refusal shown to the member or the organizer as it is."""


def _subject(text: str) -> str:
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + text


def _local(moment) -> str | None:
    """A timestamp for the JSON export: ISO 8601, Paris time."""
    return timezone.localtime(moment).isoformat() if moment else None


def member_unsubscribe(*, member: User) -> bool:
    """Stop the announcements for this member. Returns False when already done."""
    changed = User.objects.filter(pk=member.pk, receives_announcements=True).update(
        receives_announcements=False
    )
    member.receives_announcements = False
    return bool(changed)


# --- Announcements --------------------------------------------------------------------


def announcement_create_for_event(*, event: Event, by: User) -> Announcement:
    """A draft announcement for an event, prefilled from it, ready for preview."""
    with translation.override(settings.LANGUAGE_CODE):
        when = event_when(event)
        subject = _("%(title)s, le %(when)s") % {"title": event.title, "when": when}
        parts = [
            _("Bonjour à toutes et à tous,"),
            _("La prochaine rencontre, **%(title)s**, aura lieu le %(when)s%(venue)s.")
            % {
                "title": event.title,
                "when": when,
                "venue": (_(" à %(venue)s") % {"venue": event.venue.name}) if event.venue else "",
            },
        ]
        if event.description.strip():
            parts.append(event.description.strip())
        parts.append(
            _(
                "Les places sont limitées : pensez à vous inscrire, et à vous désinscrire "
                "si vous ne pouvez plus venir."
            )
        )
        parts.append(_("À bientôt,\nL'équipe Clermont'ech"))
    return Announcement.objects.create(
        subject=subject[:200], body="\n\n".join(parts), event=event, created_by=by
    )


def _check_event_publishable(announcement: Announcement) -> None:
    event = announcement.event
    if event is not None and not event.is_published:
        raise AnnouncementError(
            _(
                "L'événement « %(event)s » n'est pas publié : les membres ne pourraient pas "
                "ouvrir son lien. Publiez-le d'abord ou retirez-le de l'annonce."
            )
            % {"event": event}
        )


def announcement_send_test(*, announcement: Announcement, to: User) -> None:
    """Send the announcement to one organizer only, and remember which text was tested."""
    if not announcement.is_draft:
        raise AnnouncementError(_("Cette annonce est déjà partie : plus besoin de test."))
    _check_event_publishable(announcement)
    with transaction.atomic():
        emails.queue_announcement_test(announcement=announcement, to=to)
        announcement.tested_fingerprint = announcement.content_fingerprint()
        announcement.tested_at = timezone.now()
        Announcement.objects.filter(pk=announcement.pk).update(
            tested_fingerprint=announcement.tested_fingerprint, tested_at=announcement.tested_at
        )


def announcement_send(*, announcement: Announcement, by: User) -> int:
    """Queue one email per member who receives the announcements (the outbox sends
    them, retries them, never twice). Returns the number of recipients. Only a draft
    whose current text was tested can be sent, and only once."""
    # Lock the announcement: two organizers clicking "send" in the same second
    # must produce one list of recipients.
    with transaction.atomic():
        current = (
            Announcement.objects.select_for_update(of=("self",))
            .select_related("event")
            .get(pk=announcement.pk)
        )
        if not current.is_draft:
            raise AnnouncementError(_("Cette annonce a déjà été envoyée."))
        if not current.is_tested:
            raise AnnouncementError(
                _(
                    "Envoyez-vous d'abord un test de cette version du texte "
                    "(bouton « M'envoyer un test »)."
                )
            )
        _check_event_publishable(current)
        recipients = list(User.objects.announcement_recipients().only("pk", "email"))
        if not recipients:
            raise AnnouncementError(_("Aucun membre ne reçoit les annonces pour le moment."))
        emails.queue_announcement(announcement=current, members=recipients)
        current.status = Announcement.Status.SENT
        current.sent_by = by
        current.send_started_at = timezone.now()
        current.save(update_fields=["status", "sent_by", "send_started_at", "updated_at"])
    announcement.refresh_from_db()
    return len(recipients)


def announcement_retry(*, announcement: Announcement) -> int:
    """Queue again the messages not sent (failed, given up on, still waiting): returns
    how many. Messages already sent are never sent again."""
    if announcement.is_draft:
        raise AnnouncementError(_("Cette annonce n'a pas encore été envoyée."))
    with transaction.atomic():
        unsent = announcement.messages().exclude(status=OutboxMessage.Status.SKIPPED)
        return outbox_requeue(messages=unsent)


# --- Incident reports -----------------------------------------------------------------


def incident_report_recipients() -> list[str]:
    return User.objects.organizer_addresses()


def incident_report_create(
    *,
    what_happened: str,
    event: Event | None = None,
    contact_email: str = "",
    reporter: User | None = None,
) -> IncidentReport:
    """Record a report and tell the organizers, without its text: a confidential
    report must not sit in mailboxes, only in the admin."""
    what_happened = (what_happened or "").strip()
    if not what_happened:
        raise MemberError(_("Décrivez ce qui s'est passé."))
    report = IncidentReport.objects.create(
        event=event,
        what_happened=what_happened,
        contact_email=(contact_email or "").strip(),
        reporter=reporter,
    )
    recipients = incident_report_recipients()
    if not recipients:
        logger.error("Incident report %s: no organizer email to notify.", report.pk)
    emails.queue_incident_report_notice(report=report, recipients=recipients)
    return report


# --- Bans -----------------------------------------------------------------------------


def _future_rsvps(member: User):
    return (
        RSVP.objects.future()
        .filter(member=member)
        .select_related("event")
        .order_by("event__starts_at")
    )


def _member_addresses(member: User) -> set[str]:
    """The account's address and every other address allauth knows for it."""
    from allauth.account.models import EmailAddress

    emails = EmailAddress.objects.filter(user=member).values_list("email", flat=True)
    return {email.lower() for email in [member.email, *emails] if email}


def member_ban(*, member: User, reason: str, by: User, message: str = "") -> list[RSVP]:
    """Ban a member: no more RSVPs, proposals or votes; their future RSVPs are cancelled
    (the waiting lists move up) and they get a neutral email.

    `reason` stays with the organizers; `message`, when given, is added to the email.
    Returns the cancelled RSVPs.
    """
    reason = (reason or "").strip()
    if not reason:
        raise MemberError(_("Indiquez le motif de l'exclusion (il reste entre organisateurs)."))
    if member.pk == by.pk:
        raise MemberError(_("Vous ne pouvez pas vous exclure vous-même."))
    # One transaction: the ban and the cancellations happen together or not at all.
    # The member row is locked so that two organizers banning at once send one email.
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=member.pk)
        if current.is_deleted:
            raise MemberError(_("Ce compte a été supprimé."))
        if current.is_banned:
            raise MemberError(_("Ce membre est déjà exclu."))
        current.banned_at = timezone.now()
        current.ban_reason = reason
        current.save(update_fields=["banned_at", "ban_reason"])
        # The ban list outlives the account: every address of the member, as a keyed hash.
        for address in _member_addresses(current):
            BannedAddress.objects.update_or_create(
                fingerprint=email_fingerprint(address),
                defaults={
                    "banned_at": current.banned_at,
                    "reason": reason,
                    "banned_by": by,
                    "member": current,
                },
            )
        invitations_cancel_from(member=current)
        # Their seat requests of draws to come are set aside (the draw skipped them, but
        # their page and the public count still showed them as waiting).
        draw_request_void(
            requests=DrawRequest.objects.active().filter(member=current),
            reason=_("compte banni"),
        )
        cancelled = []
        for rsvp in _future_rsvps(current):
            rsvp_cancel(rsvp=rsvp, by_organizer=True)  # promotes the waiting list
            cancelled.append(rsvp)
        emails.queue_member_email(
            kind="member_banned",
            member=current,
            message=(message or "").strip(),
            cancelled=[rsvp.event.title for rsvp in cancelled],
        )
    member.banned_at, member.ban_reason = current.banned_at, current.ban_reason
    return cancelled


def member_unban(*, member: User, by: User) -> None:
    """Lift a ban and tell the member."""
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=member.pk)
        if not current.is_banned:
            raise MemberError(_("Ce membre n'est pas exclu."))
        current.banned_at = None
        current.ban_reason = ""
        current.save(update_fields=["banned_at", "ban_reason"])
        BannedAddress.objects.filter(member=current).delete()
        emails.queue_member_email(kind="member_unbanned", member=current)
    member.banned_at, member.ban_reason = None, ""


# --- Privacy: export and deletion -----------------------------------------------------


def _file_url(field) -> str | None:
    return absolute_url(field.url) if field else None


def _export_profile(member: User) -> dict:
    return {
        "email": member.email,
        "display_name": member.display_name,
        "date_joined": _local(member.date_joined),
        "last_login": _local(member.last_login),
        "accepted_code_of_conduct_at": _local(member.accepted_code_of_conduct_at),
        "bio": member.bio,
        "avatar": _file_url(member.avatar),
        "website_url": member.website_url,
        "mastodon_url": member.mastodon_url,
        "github_url": member.github_url,
        "linkedin_url": member.linkedin_url,
        "default_diet": member.default_diet,
        "default_diet_notes": member.default_diet_notes,
        "receives_announcements": member.receives_announcements,
        "profile_public": member.profile_public,
        "is_organizer": member.is_organizer,
        "banned_at": _local(member.banned_at),
    }


def _export_accounts(member: User) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    return {
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=member).order_by("pk")
        ],
        "social_accounts": [
            {"provider": s.provider, "uid": s.uid, "date_joined": _local(s.date_joined)}
            for s in SocialAccount.objects.filter(user=member).order_by("pk")
        ],
    }


def _export_rsvps(member: User) -> list[dict]:
    rsvps = RSVP.objects.filter(member=member).select_related("event").order_by("created_at")
    return [
        {
            "event": r.event.title,
            "event_url": absolute_url(r.event.get_absolute_url()),
            "event_starts_at": _local(r.event.starts_at),
            "status": r.status,
            "diet": r.diet,
            "diet_notes": r.diet_notes,
            "created_at": _local(r.created_at),
            "promoted_at": _local(r.promoted_at),
            "cancelled_at": _local(r.cancelled_at),
            "checked_in_at": _local(r.checked_in_at),
        }
        for r in rsvps
    ]


def _export_opening_alerts(member: User) -> list[dict]:
    """ "Prévenez-moi à l'ouverture": the emails asked for at the opening of registrations."""
    alerts = OpeningAlert.objects.filter(member=member).select_related("event").order_by("id")
    return [
        {
            "event": a.event.title,
            "event_url": absolute_url(a.event.get_absolute_url()),
            "created_at": _local(a.created_at),
            "sent_at": _local(a.sent_at),
        }
        for a in alerts
    ]


def _export_draw_requests(member: User) -> list[dict]:
    """Seat requests of events in draw mode (events/draw.py), with their outcome."""
    requests = DrawRequest.objects.filter(member=member).select_related("event").order_by("id")
    return [
        {
            "event": r.event.title,
            "event_url": absolute_url(r.event.get_absolute_url()),
            "request_number": r.pk,
            "status": r.status,
            "diet": r.diet,
            "diet_notes": r.diet_notes,
            "created_at": _local(r.created_at),
            "weight": str(r.weight) if r.weight is not None else None,
            "rank": r.rank,
        }
        for r in requests
    ]


def _export_deliveries(member: User) -> list[dict]:
    """The announcements sent to the member (the outbox's messages, tests included)."""
    messages = OutboxMessage.objects.filter(recipient=member, kind=emails.ANNOUNCEMENT)
    subjects = dict(
        Announcement.objects.filter(
            pk__in=[m.params.get("announcement") for m in messages]
        ).values_list("pk", "subject")
    )
    return [
        {
            "subject": subjects.get(m.params.get("announcement"), ""),
            "status": m.status,
            "sent_at": _local(m.sent_at),
        }
        for m in messages.order_by("id")
    ]


def _export_incident_reports(member: User) -> list[dict]:
    """Reports the member filed under their name (anonymous ones are not linked to anyone)."""
    reports = IncidentReport.objects.filter(reporter=member).select_related("event")
    return [
        {
            "created_at": _local(r.created_at),
            "event": r.event.title if r.event else None,
            "what_happened": r.what_happened,
            "contact_email": r.contact_email,
            "status": r.status,
        }
        for r in reports.order_by("created_at")
    ]


def member_export(*, member: User) -> dict:
    """Everything the platform holds about one member, as JSON-ready data.

    One key per section, each built by its own function; the talks app adds its
    sections (speaker profile, proposals, wishlist topics and votes).
    """
    return {
        "format": "clermontech-member-export/1",
        "exported_at": _local(timezone.now()),
        "profile": _export_profile(member),
        **_export_accounts(member),
        "rsvps": _export_rsvps(member),
        "opening_alerts": _export_opening_alerts(member),
        "draw_requests": _export_draw_requests(member),
        "announcements_received": _export_deliveries(member),
        "incident_reports_filed": _export_incident_reports(member),
        **member_talks_export(member=member),
    }


def member_delete(*, member: User, keep_talks: bool = True) -> None:
    """Erase a member's personal data at their request.

    - future RSVPs are cancelled through rsvp_cancel (the waiting lists move up);
    - past RSVPs stay, without diet, as anonymous attendance;
    - the User row stays as an inactive anonymous row ("deleted-<id>@invalid"),
      so that foreign keys (RSVPs, admin history) keep pointing somewhere;
    - allauth email addresses and social accounts, announcement deliveries and
      avatar files are deleted; incident reports they filed become anonymous.
    """
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    former_email = member.email
    former_name = member.display_name
    files = [f.name for f in (member.avatar, member.avatar_thumb) if f]
    # One transaction: nothing is half-erased if anything fails. rsvp_cancel nests
    # inside it and takes each event's lock in turn.
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=member.pk)
        if current.is_deleted:
            raise MemberError(_("Ce compte est déjà supprimé."))
        for rsvp in _future_rsvps(current):
            rsvp_cancel(rsvp=rsvp, by_organizer=True)
        RSVP.objects.filter(member=current).update(diet=Diet.NONE, diet_notes="")
        OpeningAlert.objects.filter(member=current).delete()  # nobody to tell any more
        # Their seat requests of draws to come are withdrawn; none keeps a diet or device.
        DrawRequest.objects.active().filter(member=current).update(
            status=DrawRequest.Status.CANCELLED
        )
        DrawRequest.objects.filter(member=current).update(diet=Diet.NONE, diet_notes="", device="")
        talks_forget_member(member=current, keep_talks=keep_talks)
        # The emails sent to them (their address, what they received) go too, before
        # the goodbye below is queued to the former address.
        OutboxMessage.objects.filter(recipient=current).delete()
        IncidentReport.objects.filter(reporter=current).update(reporter=None, contact_email="")
        EmailAddress.objects.filter(user=current).delete()
        SocialAccount.objects.filter(user=current).delete()  # their tokens cascade

        with translation.override(settings.LANGUAGE_CODE):
            anonymous_name = _("Membre supprimé")
        # The admin history names objects as they were: forget the name there too.
        for model, ids in [
            (User, [current.pk]),
            (RSVP, list(RSVP.objects.filter(member=current).values_list("pk", flat=True))),
        ]:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in ids],
            ).update(object_repr=anonymous_name)

        current.email = f"deleted-{current.pk}@invalid"
        current.display_name = anonymous_name
        current.set_unusable_password()  # also ends every session of this account
        for field in ["bio", "website_url", "mastodon_url", "github_url", "linkedin_url",
                      "default_diet", "default_diet_notes"]:  # fmt: skip
            setattr(current, field, "")
        current.avatar = current.avatar_thumb = ""
        current.receives_announcements = current.profile_public = False
        current.is_active = current.is_staff = current.is_superuser = False
        current.accepted_code_of_conduct_at = current.last_login = None
        # A ban survives the deletion: banned_at and ban_reason stay on the anonymous row
        # for the organizers, and the ban list (BannedAddress, keyed hashes) still refuses
        # the addresses at sign-up.
        current.deleted_at = timezone.now()
        current.save()
        current.groups.clear()
        current.user_permissions.clear()
        # Files last, once the rows are committed: a rollback must not lose them.
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
        emails.queue_member_email(
            kind="account_deleted", member=current, to=former_email, name=former_name
        )
    member.refresh_from_db()
