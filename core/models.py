"""The outbox: one row per email the site sends, written in the same transaction as the
change that causes it, delivered later by core.outbox (see there for the guarantees)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now=None) -> OutboxMessageQuerySet:
        """What a delivery run may take now: waiting or failed messages whose (next)
        attempt time has come, and messages claimed by a worker that died (a claim
        older than core.outbox.STALE_CLAIM): see the crash policy in core/outbox.py."""
        from .outbox import STALE_CLAIM

        now = now or timezone.now()
        waiting = Q(status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.FAILED])
        stale = Q(status=OutboxMessage.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
        return self.filter((waiting & Q(next_attempt_at__lte=now)) | stale)

    def unfinished(self) -> OutboxMessageQuerySet:
        """Not sent yet, and not given up on: still on their way."""
        return self.filter(
            status__in=[
                OutboxMessage.Status.PENDING,
                OutboxMessage.Status.SENDING,
                OutboxMessage.Status.FAILED,
            ]
        )


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec, nouvel essai prévu")
        DEAD = "dead", _("abandonné après plusieurs échecs")
        SKIPPED = "skipped", _("sans objet au moment de l'envoi")

    kind = models.CharField(
        _("message"),
        max_length=60,
        help_text=_("Le type de message ; son texte est écrit au moment de l'envoi."),
    )
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    to = models.EmailField(_("destinataire"), max_length=254)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    group = models.CharField(
        _("lot"),
        max_length=100,
        blank=True,
        help_text=_("Ce qui relie des messages : une annonce, un événement…"),
    )
    dedupe_key = models.CharField(
        _("clé d'unicité"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Deux messages de même clé ne sont jamais écrits : un seul part."),
    )
    language = models.CharField(_("langue"), max_length=10, default="fr")
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("prochain essai"), default=timezone.now)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=500, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail envoyé par le site")
        verbose_name_plural = _("e-mails envoyés par le site")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["group", "status"]),
            models.Index(fields=["kind", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "dead", "skipped"]),
                name="outbox_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject or self.kind} → {self.to}"
