"""Community-wide records: the mailing list, incident reports, the ban list.

Their tables keep the names they had in the members app ("members_announcement"...):
the models moved here without moving a row (community/migrations/0001).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Announcement(models.Model):
    """An email written by the organizers for every member who opted in."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("brouillon")
        SENDING = "sending", _("envoi en cours")
        SENT = "sent", _("envoyée")

    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(
        _("message"),
        help_text=_(
            "En Markdown : **gras**, *italique*, [lien](https://…), listes avec « - ». "
            "Le lien de désinscription est ajouté automatiquement en bas du message."
        ),
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("événement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="announcements",
        help_text=_("Facultatif : ajoute la date, le lieu et le lien d'inscription sous le texte."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("écrite par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # The send button needs a test email of exactly this text: the fingerprint of
    # subject, body and event at the time of the last test send.
    tested_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    tested_at = models.DateTimeField(_("dernier test le"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    send_started_at = models.DateTimeField(
        _("envoi lancé le"), null=True, blank=True, editable=False
    )
    send_finished_at = models.DateTimeField(
        _("envoi terminé le"), null=True, blank=True, editable=False
    )

    class Meta:
        db_table = "members_announcement"
        verbose_name = _("annonce")
        verbose_name_plural = _("annonces")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "sending", "sent"]),
                name="announcement_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def content_fingerprint(self) -> str:
        text = "\x00".join([self.subject, self.body, str(self.event_id or "")])
        return hashlib.sha256(text.encode()).hexdigest()

    def messages(self):
        """Its emails in the outbox (core.models.OutboxMessage), one per member."""
        from core.models import OutboxMessage

        return OutboxMessage.objects.filter(group=f"announcement:{self.pk}")

    @property
    def is_tested(self) -> bool:
        """True when the organizer received a test of the current text."""
        return bool(self.tested_fingerprint) and self.tested_fingerprint == (
            self.content_fingerprint()
        )


# Crockford's base32: no I, L, O or U, so a reference read aloud or typed is unambiguous.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_report_reference() -> str:
    """A random reference such as "7K3M-9QXD": it says nothing about how many reports exist."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{chars[:4]}-{chars[4:]}"


class IncidentReport(models.Model):
    """A confidential report of a code of conduct breach. Only organizers with the
    "view incident report" permission can read it, in the admin."""

    class Status(models.TextChoices):
        NEW = "new", _("nouveau")
        IN_PROGRESS = "in_progress", _("en cours de traitement")
        CLOSED = "closed", _("clos")

    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("événement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident_reports",
    )
    reference = models.CharField(
        _("référence"),
        max_length=9,
        unique=True,
        default=new_report_reference,
        editable=False,
        help_text=_("Aléatoire : elle ne dit pas combien de signalements existent."),
    )
    what_happened = models.TextField(_("ce qui s'est passé"), max_length=10000)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incident_reports",
        help_text=_("Vide quand la personne a choisi de rester anonyme."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    organizer_notes = models.TextField(
        _("notes des organisateurs"),
        blank=True,
        help_text=_("Suivi interne : qui s'en occupe, ce qui a été décidé. Jamais envoyé."),
    )
    created_at = models.DateTimeField(_("reçu le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        db_table = "members_incidentreport"
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["new", "in_progress", "closed"]),
                name="incident_report_status_valid",
            )
        ]

    def __str__(self) -> str:
        return _("Signalement %(reference)s") % {"reference": self.reference}

    @property
    def is_anonymous(self) -> bool:
        return self.reporter_id is None and not self.contact_email


class BannedAddressQuerySet(models.QuerySet):
    def matching(self, email: str) -> BannedAddressQuerySet:
        """The bans of this address, whatever its case, dots (Gmail) or +tag."""
        from .bans import email_fingerprint

        return self.filter(fingerprint=email_fingerprint(email))


class BannedAddress(models.Model):
    """An email address that may not be used for an account: written when a member is
    banned (one row per address of theirs), kept when they delete their account, removed
    when the ban is lifted. Holds a keyed hash of the address, never the address itself
    (community.bans), with the ban's date and reason for the organizers."""

    fingerprint = models.CharField(_("empreinte de l'adresse"), max_length=64, unique=True)
    banned_at = models.DateTimeField(_("exclu le"), default=timezone.now)
    reason = models.TextField(_("motif"), blank=True)
    banned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exclu par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="banned_addresses",
        help_text=_("« Membre supprimé » quand la personne a supprimé son compte depuis."),
    )

    objects = BannedAddressQuerySet.as_manager()

    class Meta:
        db_table = "members_bannedaddress"
        verbose_name = _("adresse exclue")
        verbose_name_plural = _("adresses exclues")
        ordering = ["-banned_at"]

    def __str__(self) -> str:
        return _("Adresse exclue le %(date)s") % {
            "date": timezone.localtime(self.banned_at).strftime("%d/%m/%Y")
        }
