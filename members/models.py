from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager, Permission
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Diet(models.TextChoices):
    """What a person eats: their default on the profile, copied on each RSVP."""

    NONE = "none", _("Pas de régime particulier")
    VEGETARIAN = "vegetarian", _("Végétarien")
    VEGAN = "vegan", _("Végétalien (vegan)")
    NO_PORK = "no_pork", _("Sans porc")
    OTHER = "other", _("Autre (allergies, précisez)")

    @classmethod
    def refusal(cls, diet: str, notes: str) -> str | None:
        """Why (diet, notes) cannot be kept, or None: the one home of this rule (the RSVP
        service, the RSVP forms, the admin and the profile all ask here)."""
        if diet not in cls.values:
            return gettext("Régime alimentaire inconnu.")
        notes = (notes or "").strip()
        if diet == cls.OTHER and not notes:
            return gettext("Précisez votre régime ou vos allergies.")
        if len(notes) > 200:
            return gettext("Les précisions sur le régime tiennent en 200 caractères.")
        return None

    @classmethod
    def kept_notes(cls, diet: str, notes: str) -> str:
        """The notes only go with "other" (an allergy written then unticked is dropped)."""
        return (notes or "").strip() if diet == cls.OTHER else ""


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

    def organizer_addresses(self) -> list[str]:
        """Where the organizers are written to (new proposals, claims, reports...): the
        addresses of settings.ORGANIZERS_EMAILS, or else every organizer's address (in
        alphabetical order); each address once. The one home of this rule."""
        addresses = list(settings.ORGANIZERS_EMAILS) or list(
            self.organizers().exclude(email="").order_by("email").values_list("email", flat=True)
        )
        unique: dict[str, str] = {}
        for address in addresses:
            if address.strip():
                unique.setdefault(address.strip().lower(), address.strip())
        return list(unique.values())

    def with_public_profile(self) -> UserQuerySet:
        """Members whose page anyone may open (the rule of User.has_public_profile)."""
        return self.filter(profile_public=True, is_active=True, banned_at__isnull=True)

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
    # Consent: off unless the member ticks it (at sign-up or on their profile).
    receives_announcements = models.BooleanField(
        _("reçoit les annonces"),
        default=False,
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
    def has_public_profile(self) -> bool:
        """Shown to everyone only when the member chose so, is active and not banned.
        (UserQuerySet.with_public_profile is the same rule for a query.)"""
        return self.profile_public and self.is_active and not self.is_banned

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

    @staticmethod
    def verified_key(user_id: int) -> str:
        """Where has_verified_email keeps its answer, dropped when the member or one of
        their addresses changes (MembersConfig)."""
        return f"members:verified:{user_id}"

    def has_verified_email(self) -> bool:
        """True when allauth has verified the address the member logs in with. Asked on
        every page a member registers from: kept in the shared cache (core/pagecache.py)."""
        from allauth.account.models import EmailAddress

        from core.pagecache import live_value

        return live_value(
            self.verified_key(self.pk),
            lambda: EmailAddress.objects.filter(
                user=self, email__iexact=self.email, verified=True
            ).exists(),
        )
