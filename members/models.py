from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager, Permission
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserQuerySet(models.QuerySet):
    def current(self) -> UserQuerySet:
        """Members whose account still exists (not erased at their request)."""
        return self.filter(deleted_at__isnull=True)

    def organizers(self) -> UserQuerySet:
        """Who acts as an organizer: active staff holding the `organize` permission
        (through the Organisateurs group, given directly, or as superusers)."""
        from .organizers import ORGANIZE_PERMISSION

        app_label, codename = ORGANIZE_PERMISSION.split(".")
        organize = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        holders = User.objects.filter(
            Q(is_superuser=True)
            | Q(groups__permissions__in=organize)
            | Q(user_permissions__in=organize)
        )
        return self.current().filter(is_staff=True, is_active=True, pk__in=holders.values("pk"))

    def with_attendance(self) -> UserQuerySet:
        """Annotate attended_count (events checked in at) and no_show_count (seats held
        at past events that tracked their attendance, without coming), in one query."""
        from events.models import RSVP, Event

        tracked_past = Event.objects.filter(ends_at__lt=timezone.now()).tracked().values("pk")
        confirmed = Q(rsvps__status=RSVP.Status.CONFIRMED)
        return self.annotate(
            attended_count=Count("rsvps", filter=confirmed & Q(rsvps__checked_in_at__isnull=False)),
            no_show_count=Count(
                "rsvps",
                filter=confirmed
                & Q(rsvps__checked_in_at__isnull=True, rsvps__event__in=tracked_past),
            ),
        )

    def never_come(self, min_no_shows: int = 2) -> UserQuerySet:
        """Members who held a seat at `min_no_shows` or more past events that tracked
        their attendance and were never checked in anywhere."""
        annotated = self if "no_show_count" in self.query.annotations else self.with_attendance()
        return annotated.filter(attended_count=0, no_show_count__gte=min_no_shows)

    def announcement_recipients(self) -> UserQuerySet:
        """Who receives the mailing list: opted in, active, not banned, email verified."""
        from allauth.account.models import EmailAddress

        verified = EmailAddress.objects.filter(
            user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
        )
        return self.current().filter(
            Exists(verified), receives_announcements=True, is_active=True, banned_at__isnull=True
        )


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    """Users log in with their email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A member of the community. Staff members are the organizers."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    display_name = models.CharField(
        _("nom affiché"),
        max_length=80,
        help_text=_("Le nom que les autres membres et les organisateurs voient."),
    )
    accepted_code_of_conduct_at = models.DateTimeField(
        _("code de conduite accepté le"), null=True, blank=True
    )

    # Profile (shown on /members/me/ and, when the member opts in, publicly).
    bio = models.TextField(_("présentation"), blank=True, max_length=2000)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    avatar_thumb = models.ImageField(_("avatar (miniature)"), upload_to="avatars/", blank=True)
    website_url = models.URLField(_("site web"), blank=True)
    mastodon_url = models.URLField(_("Mastodon"), blank=True)
    github_url = models.URLField(_("GitHub"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    default_diet = models.CharField(_("régime alimentaire par défaut"), max_length=20, blank=True)
    default_diet_notes = models.CharField(_("précisions sur le régime"), max_length=200, blank=True)
    receives_announcements = models.BooleanField(
        _("reçoit les annonces"),
        default=True,
        help_text=_("Les annonces des prochains événements, par e-mail."),
    )
    profile_public = models.BooleanField(
        _("profil public"),
        default=False,
        help_text=_("Par défaut, seuls les organisateurs voient le profil d'un membre."),
    )

    banned_at = models.DateTimeField(_("exclu le"), null=True, blank=True)
    ban_reason = models.TextField(
        _("motif de l'exclusion"),
        blank=True,
        help_text=_("Visible des organisateurs seulement ; le membre reçoit un message neutre."),
    )
    deleted_at = models.DateTimeField(
        _("compte supprimé le"),
        null=True,
        blank=True,
        help_text=_(
            "Le membre a supprimé son compte : ses données personnelles sont effacées, "
            "seule une ligne anonyme reste pour les statistiques de présence."
        ),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["display_name", "email"]
        permissions = [
            ("organize", _("Agit en organisateur sur le site (entrée, brouillons, talks)"))
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_organizer(self) -> bool:
        """An organizer: active staff holding the `organize` permission, normally through
        the "Organisateurs" group (members.organizers). Staff status alone is not enough."""
        from .organizers import ORGANIZE_PERMISSION

        return self.is_active and self.is_staff and self.has_perm(ORGANIZE_PERMISSION)

    @property
    def is_banned(self) -> bool:
        """A banned member can no longer RSVP, propose talks or vote."""
        return self.banned_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def has_verified_email(self) -> bool:
        """True when allauth has verified the address the member logs in with."""
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(
            user=self, email__iexact=self.email, verified=True
        ).exists()


# Community: the mailing list, incident reports.


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

    @property
    def is_tested(self) -> bool:
        """True when the organizer received a test of the current text."""
        return bool(self.tested_fingerprint) and self.tested_fingerprint == (
            self.content_fingerprint()
        )


class Delivery(models.Model):
    """One announcement to one member: the record that makes sending idempotent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        SENDING = "sending", _("en cours")
        SENT = "sent", _("envoyé")
        FAILED = "failed", _("échec")
        SKIPPED = "skipped", _("ignoré (désinscrit entre-temps)")

    announcement = models.ForeignKey(
        Announcement,
        verbose_name=_("annonce"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="announcement_deliveries",
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    error = models.CharField(_("erreur"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "member"], name="one_delivery_per_member_per_announcement"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="delivery_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["announcement", "status"])]

    def __str__(self) -> str:
        return f"{self.announcement} → {self.member}"


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
    (members.bans), with the ban's date and reason for the organizers."""

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
        verbose_name = _("adresse exclue")
        verbose_name_plural = _("adresses exclues")
        ordering = ["-banned_at"]

    def __str__(self) -> str:
        return _("Adresse exclue le %(date)s") % {
            "date": timezone.localtime(self.banned_at).strftime("%d/%m/%Y")
        }
