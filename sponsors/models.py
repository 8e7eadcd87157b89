from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SponsorQuerySet(models.QuerySet):
    def active(self) -> SponsorQuerySet:
        return self.filter(is_active=True)

    def partners(self) -> SponsorQuerySet:
        """The current partners, shown on the home page."""
        return self.active().filter(tier=Sponsor.Tier.PARTNER)


class Sponsor(models.Model):
    class Tier(models.IntegerChoices):
        # The value orders the tiers on the sponsors page: smallest first.
        PARTNER = 10, _("Partenaire")
        GOLD = 20, _("Or")
        SILVER = 30, _("Argent")
        BRONZE = 40, _("Bronze")

    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(
        _("adresse de la page (URL)"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_("Déduite du nom si laissée vide."),
    )
    logo = models.ImageField(_("logo"), upload_to="sponsors/", blank=True)
    website_url = models.URLField(_("site web"), blank=True)
    description = models.TextField(
        pgettext_lazy("sponsor", "présentation"),
        max_length=500,
        blank=True,
        help_text=_("Deux ou trois phrases, affichées sur la page des partenaires."),
    )
    tier = models.PositiveSmallIntegerField(
        pgettext_lazy("sponsor", "niveau"),
        choices=Tier.choices,
        default=Tier.SILVER,
        help_text=_("Les partenaires apparaissent aussi sur la page d'accueil."),
    )
    is_active = models.BooleanField(
        _("actif"),
        default=True,
        help_text=_(
            "Décochez quand le partenariat s'arrête : le sponsor disparaît de la page des "
            "partenaires et de l'accueil, mais reste remercié sur les événements passés."
        ),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    objects = SponsorQuerySet.as_manager()

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sponsors:list") + f"#{self.slug}"

    def default_slug(self) -> str:
        return slugify(self.name)[:120]


class Sponsorship(models.Model):
    """What one sponsor brings to one event, and how we thank them on its page."""

    sponsor = models.ForeignKey(
        Sponsor, verbose_name=_("sponsor"), on_delete=models.CASCADE, related_name="sponsorships"
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("événement"),
        on_delete=models.CASCADE,
        related_name="sponsorships",
    )
    provides_venue = models.BooleanField(_("lieu"), default=False)
    provides_food = models.BooleanField(_("repas"), default=False)
    provides_drinks = models.BooleanField(_("boissons"), default=False)
    provides_goodies = models.BooleanField(_("goodies"), default=False)
    provides_money = models.BooleanField(_("financement"), default=False)
    provides_livestream = models.BooleanField(_("diffusion en direct"), default=False)
    thanks = models.CharField(
        _("remerciement public"),
        max_length=200,
        blank=True,
        help_text=_(
            "Une phrase affichée sur la page de l'événement, par exemple "
            "« Merci à Exemple SA qui nous accueille dans ses locaux ! »"
        ),
    )

    class Meta:
        verbose_name = _("soutien à un événement")
        verbose_name_plural = _("soutiens aux événements")
        ordering = ["sponsor__tier", "sponsor__name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "sponsor"], name="one_sponsorship_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.sponsor} — {self.event}"

    def contributions(self) -> list[str]:
        """The labels of what the sponsor provides, in a fixed order."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in CONTRIBUTION_FIELDS
            if getattr(self, name)
        ]


CONTRIBUTION_FIELDS = [
    "provides_venue",
    "provides_food",
    "provides_drinks",
    "provides_goodies",
    "provides_money",
    "provides_livestream",
]
