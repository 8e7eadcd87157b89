from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
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

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def is_organizer(self) -> bool:
        return self.is_staff

    @property
    def is_banned(self) -> bool:
        """A banned member can no longer RSVP, propose talks or vote."""
        return self.banned_at is not None

    def has_verified_email(self) -> bool:
        """True when allauth has verified the address the member logs in with."""
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(
            user=self, email__iexact=self.email, verified=True
        ).exists()
