"""The community's emails, through the outbox (core/outbox.py): queued by
community.services in the transaction of the change, written here at delivery.

They always go out in French (settings.LANGUAGE_CODE), like anything the organizers
send to everyone, whatever the language of the page that caused them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.links import absolute_url
from core.markup import render_markdown
from core.models import OutboxMessage
from core.outbox import Mail, outbox_queue, outbox_queue_many, renderer
from events.models import Event
from members.models import User

from .models import Announcement, IncidentReport
from .tokens import unsubscribe_url

ANNOUNCEMENT = "community.announcement"


def _subject(text: str) -> str:
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + text


def event_when(event: Event) -> str:
    starts = timezone.localtime(event.starts_at)
    return _("%(day)s à %(time)s") % {
        "day": formats.date_format(starts, "l j F Y"),
        "time": formats.time_format(starts, "H:i"),
    }


# --- Announcements ---------------------------------------------------------------------


def announcement_group(announcement: Announcement) -> str:
    """The outbox group of an announcement's messages: its progress, its retries."""
    return f"announcement:{announcement.pk}"


def announcement_context(*, announcement: Announcement, member: User, test: bool = False) -> dict:
    """What the email templates need (also used by the admin preview)."""
    event = announcement.event
    return {
        "announcement": announcement,
        "member": member,
        "body_html": render_markdown(announcement.body),
        "event": event,
        "event_when": event_when(event) if event else "",
        "event_url": absolute_url(event.get_absolute_url()) if event else "",
        "unsubscribe_url": unsubscribe_url(member),
        "test": test,
    }


def announcement_message(
    *, announcement: Announcement, member: User, test: bool = False
) -> EmailMultiAlternatives:
    """The multipart email (plain text + sanitized HTML) for one member."""
    context = announcement_context(announcement=announcement, member=member, test=test)
    link = context["unsubscribe_url"]
    subject = announcement.subject
    if test:
        subject = _("[TEST] %(subject)s") % {"subject": subject}
    message = EmailMultiAlternatives(
        subject=_subject(subject),
        body=render_to_string("emails/announcement.txt", context),
        to=[member.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an "unsubscribe" button that
            # POSTs "List-Unsubscribe=One-Click" to the link, without any login.
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("emails/announcement.html", context), "text/html")
    return message


def queue_announcement(*, announcement: Announcement, members) -> int:
    """One message per member, never two for the same member and announcement."""
    created = outbox_queue_many(
        (
            Mail(
                kind=ANNOUNCEMENT,
                to=member.email,
                recipient=member,
                params={"announcement": announcement.pk},
                group=announcement_group(announcement),
                dedupe_key=f"{announcement_group(announcement)}:member:{member.pk}",
            )
            for member in members
        ),
        language=settings.LANGUAGE_CODE,
    )
    return len(created)


def queue_announcement_test(*, announcement: Announcement, to: User) -> None:
    outbox_queue(
        kind=ANNOUNCEMENT,
        to=to.email,
        recipient=to,
        params={"announcement": announcement.pk, "test": True},
        language=settings.LANGUAGE_CODE,
    )


@renderer(ANNOUNCEMENT, gettext_lazy("annonce"))
def _render_announcement(message: OutboxMessage) -> EmailMessage | None:
    announcement = (
        Announcement.objects.select_related("event", "event__venue")
        .filter(pk=message.params["announcement"])
        .first()
    )
    member = message.recipient
    if announcement is None or member is None:
        return None
    test = bool(message.params.get("test"))
    # Unsubscribed, banned or erased since the announcement left: not for them any more.
    if not test and not User.objects.announcement_recipients().filter(pk=member.pk).exists():
        return None
    return announcement_message(announcement=announcement, member=member, test=test)


# --- Incident reports ------------------------------------------------------------------


def queue_incident_report_notice(*, report: IncidentReport, recipients: list[str]) -> None:
    outbox_queue_many(
        (
            Mail(kind="community.incident_report", to=address, params={"report": report.pk})
            for address in recipients
        ),
        language=settings.LANGUAGE_CODE,
    )


@renderer("community.incident_report", gettext_lazy("nouveau signalement (aux organisateurs)"))
def _render_incident_report(message: OutboxMessage) -> EmailMessage | None:
    """Without the report's text: a confidential report must not sit in mailboxes."""
    report = IncidentReport.objects.filter(pk=message.params["report"]).first()
    if report is None:
        return None
    context = {
        "report": report,
        "admin_url": absolute_url(
            reverse("admin:community_incidentreport_change", args=[report.pk])
        ),
    }
    subject = _("Nouveau signalement (%(reference)s)") % {"reference": report.reference}
    return EmailMessage(
        subject=_subject(subject),
        body=render_to_string("emails/incident_report_new.txt", context),
    )


# --- To one member: banned, ban lifted, account deleted -----------------------------


def queue_member_email(*, kind: str, member: User, to: str = "", **params) -> None:
    outbox_queue(
        kind=f"community.{kind}",
        to=to or member.email,
        recipient=None if to else member,
        params={"member": member.pk, **params},
        language=settings.LANGUAGE_CODE,
    )


def _member_email(template: str, subject: str, context: dict) -> EmailMessage:
    body = render_to_string(
        f"emails/{template}.txt",
        {**context, "code_of_conduct_url": absolute_url(reverse("code-of-conduct"))},
    )
    return EmailMessage(subject=_subject(subject), body=body)


@renderer("community.member_banned", gettext_lazy("exclusion (au membre)"))
def _render_banned(message: OutboxMessage) -> EmailMessage | None:
    member = User.objects.filter(pk=message.params["member"]).first()
    if member is None or not member.is_banned:  # lifted meanwhile
        return None
    context = {
        "member": member,
        "message": message.params.get("message", ""),
        "cancelled": message.params.get("cancelled", []),
    }
    return _member_email("member_banned", _("Votre compte Clermont'ech"), context)


@renderer("community.member_unbanned", gettext_lazy("exclusion levée (au membre)"))
def _render_unbanned(message: OutboxMessage) -> EmailMessage | None:
    member = User.objects.filter(pk=message.params["member"]).first()
    if member is None or member.is_banned:  # banned again meanwhile
        return None
    return _member_email(
        "member_unbanned", _("Votre compte Clermont'ech est rétabli"), {"member": member}
    )


@renderer("community.account_deleted", gettext_lazy("compte supprimé (à l'ancienne adresse)"))
def _render_account_deleted(message: OutboxMessage) -> EmailMessage | None:
    """To the address the member had: the account row no longer holds it."""
    return _member_email(
        "account_deleted",
        _("Votre compte Clermont'ech est supprimé"),
        {"name": message.params.get("name", "")},
    )
