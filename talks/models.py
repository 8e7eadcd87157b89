"""Speakers, their talks, the organizers' reviews, and the topic wishlist.

A talk's status only ever changes through talks.services.talk_set_status, which
checks the transition against Talk.TRANSITIONS, records it in TalkStatusChange
and sends the email that goes with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext_lazy as _

from events.models import Event

from .images import speaker_photo_path
from .video import YouTubeVideo, parse_youtube, validate_youtube_url

if TYPE_CHECKING:
    from members.models import User

# Talk addresses that would collide with the app's own pages under /talks/.
RESERVED_TALK_SLUGS = {"propose", "mine", "confirm", "speaker-profile", "preview"}


def speaker_slug(name: str) -> str:
    """The identity of a speaker: two spellings that slugify alike are the same person."""
    return slugify(name or "")[:120]


class SpeakerQuerySet(models.QuerySet):
    def with_public_talk_count(self) -> SpeakerQuerySet:
        return self.annotate(
            public_talk_count=Count("talks", filter=Talk.public_condition("talks__"), distinct=True)
        )

    def public(self) -> SpeakerQuerySet:
        """Speakers who have at least one public talk (the others are not listed anywhere)."""
        return self.with_public_talk_count().filter(public_talk_count__gt=0)

    def mentors(self) -> SpeakerQuerySet:
        return self.filter(is_mentor=True)


class Speaker(models.Model):
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(
        _("adresse de la page (URL)"),
        max_length=120,
        unique=True,
        help_text=_(
            "Déduite du nom. Deux noms qui donnent la même adresse désignent la même personne."
        ),
    )
    bio = models.TextField(
        _("présentation"), blank=True, max_length=3000, help_text=_("En Markdown.")
    )
    photo = models.ImageField(
        _("photo"),
        upload_to=speaker_photo_path,
        blank=True,
        help_text=_("PNG, JPEG ou WebP, 5 Mo au plus. Un cadrage carré rend mieux."),
    )
    website_url = models.URLField(_("site web"), blank=True)
    mastodon_url = models.URLField(_("Mastodon"), blank=True)
    bluesky_url = models.URLField(_("Bluesky"), blank=True)
    github_url = models.URLField(_("GitHub"), blank=True)
    gitlab_url = models.URLField(_("GitLab"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    twitter_url = models.URLField(_("Twitter / X"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte membre"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speaker_profile",
        help_text=_(
            "Vide pour les intervenant·es des archives qui n'ont pas de compte. Le membre "
            "relié peut modifier ce profil depuis le site. Jamais relié d'office : passez "
            "par les revendications (« C'est moi »)."
        ),
    )
    email = models.EmailField(
        _("e-mail de contact"),
        blank=True,
        help_text=_(
            "Jamais affiché. Utilisé pour les intervenants sans compte ; "
            "sinon on écrit à l'adresse du compte."
        ),
    )
    is_mentor = models.BooleanField(
        _("mentor volontaire"),
        default=False,
        help_text=_("Accepte d'accompagner une personne qui prépare son premier talk."),
    )
    mentor_topics = models.CharField(
        _("peut aider sur"),
        max_length=300,
        blank=True,
        help_text=_("Exemples : structurer un talk, les slides, la démo en direct, le trac…"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervenant·e")
        verbose_name_plural = _("intervenant·es")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("talks:speaker-detail", kwargs={"slug": self.slug})

    @property
    def contact_email(self) -> str:
        if self.user_id and self.user.email:
            return self.user.email
        return self.email

    @property
    def initials(self) -> str:
        words = [w for w in self.name.replace("-", " ").split() if w]
        return "".join(w[0] for w in words[:2]).upper() or "?"

    def links(self) -> list[tuple[str, str]]:
        """(label, url) of the links that are filled in, for the public profile."""
        fields = [
            (_("Site web"), self.website_url),
            ("Mastodon", self.mastodon_url),
            ("Bluesky", self.bluesky_url),
            ("GitHub", self.github_url),
            ("GitLab", self.gitlab_url),
            ("LinkedIn", self.linkedin_url),
            ("Twitter / X", self.twitter_url),
        ]
        return [(label, url) for label, url in fields if url]

    def has_given_talk(self) -> bool:
        """Past speakers (a public talk at a past event) may volunteer as mentors."""
        return self.talks.given().exists()


class SpeakerClaimQuerySet(models.QuerySet):
    def pending(self) -> SpeakerClaimQuerySet:
        return self.filter(status=SpeakerClaim.Status.PENDING)


class SpeakerClaim(models.Model):
    """A member says "C'est moi" on the page of a speaker from the archive.

    Never automatic: an organizer approves it (talks.services.speaker_claim_approve),
    unless the speaker's contact email is one of the member's verified addresses.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        APPROVED = "approved", _("approuvée")
        REJECTED = "rejected", _("refusée")
        UNDONE = "undone", _("annulée")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membre"),
        on_delete=models.CASCADE,
        related_name="speaker_claims",
    )
    speaker = models.ForeignKey(
        Speaker,
        verbose_name=_("intervenant·e revendiqué·e"),
        on_delete=models.CASCADE,
        related_name="claims",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    message = models.TextField(
        _("message du membre"),
        blank=True,
        max_length=1000,
        help_text=_("Ce que le membre a écrit pour aider à vérifier (facultatif)."),
    )
    proven_by_email = models.BooleanField(
        _("prouvée par l'adresse e-mail"),
        default=False,
        help_text=_(
            "Approuvée d'office : l'e-mail de contact du profil est une adresse "
            "confirmée du membre."
        ),
    )
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("annulée le"), null=True, blank=True)

    objects = SpeakerClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("revendication")
        verbose_name_plural = _("revendications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "speaker"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_member_speaker",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected", "undone"]),
                name="speaker_claim_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.speaker}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class TalkQuerySet(models.QuerySet):
    def public(self) -> TalkQuerySet:
        """What visitors may see: accepted or confirmed talks, outside draft events."""
        return self.filter(Talk.public_condition())

    def given(self) -> TalkQuerySet:
        """Public talks whose event is over: the archive."""
        return self.public().filter(event__ends_at__lt=timezone.now())

    def upcoming(self) -> TalkQuerySet:
        return self.public().filter(event__ends_at__gte=timezone.now())

    def for_member(self, member) -> TalkQuerySet:
        """The talks a member may see and manage: proposed by them or where they speak."""
        if not member.is_authenticated:
            return self.none()
        ids = Talk.objects.filter(Q(submitted_by=member) | Q(speakers__user=member)).values("pk")
        return self.filter(pk__in=ids)

    def of_member(self, member, *, public: bool) -> list[Talk]:
        """A member's talks for their pages: every proposal on their own page, only the
        public talks on their public page; newest first, with the speakers."""
        talks = self.for_member(member)
        if public:
            talks = talks.public()
        return list(talks.select_related("event").with_speakers().order_by("-created_at"))

    def with_speakers(self) -> TalkQuerySet:
        """Prefetch the speakers in their order (read them with talk.speaker_list)."""
        return self.prefetch_related(
            Prefetch("speaker_links", queryset=TalkSpeaker.objects.select_related("speaker"))
        )

    def public_programme(self, events) -> dict[int, list[Talk]]:
        """The public programme of each of `events` (accepted or confirmed talks, in
        order, with their speakers): what the event page, its calendar file and its
        reminder email show. Two queries, whatever the number of events and talks."""
        grouped: dict[int, list[Talk]] = {}
        ids = [event.pk for event in events]
        for talk in self.public().filter(event_id__in=ids).in_programme_order().with_speakers():
            grouped.setdefault(talk.event_id, []).append(talk)
        return grouped

    def in_programme_order(self) -> TalkQuerySet:
        return self.order_by(models.F("position").asc(nulls_last=True), "id")

    def archive_order(self) -> TalkQuerySet:
        return self.order_by("-event__starts_at", models.F("position").asc(nulls_last=True), "-id")


class Talk(models.Model):
    class Format(models.TextChoices):
        SHORT = "short", _("Court : 10 min + 5 min de questions")
        LONG = "long", _("Long : 25 min + 5 min de questions")

    class Language(models.TextChoices):
        FRENCH = "fr", _("Français")
        ENGLISH = "en", _("Anglais")

    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Débutant")
        INTERMEDIATE = "intermediate", _("Intermédiaire")
        ADVANCED = "advanced", _("Avancé")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("soumis")
        ACCEPTED = "accepted", _("accepté")
        REJECTED = "rejected", _("refusé")
        CONFIRMED = "confirmed", _("confirmé")
        WITHDRAWN = "withdrawn", _("retiré")
        CANCELLED = "cancelled", _("annulé")

    # The only allowed status changes (talks.services.talk_set_status enforces them).
    TRANSITIONS: dict[str, set[str]] = {
        Status.SUBMITTED: {Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN},
        Status.ACCEPTED: {Status.CONFIRMED, Status.WITHDRAWN, Status.CANCELLED},
        Status.CONFIRMED: {Status.WITHDRAWN, Status.CANCELLED},
        Status.REJECTED: set(),
        Status.WITHDRAWN: set(),
        Status.CANCELLED: set(),
    }
    # What a speaker may do on their own talk; organizers may do every allowed change.
    SPEAKER_STATUSES = {Status.CONFIRMED, Status.WITHDRAWN}
    PUBLIC_STATUSES = [Status.ACCEPTED, Status.CONFIRMED]
    TAKER_STATUSES = [Status.SUBMITTED, Status.ACCEPTED, Status.CONFIRMED]
    # (talk, questions) in minutes.
    DURATIONS = {Format.SHORT: (10, 5), Format.LONG: (25, 5)}

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse de la page (URL)"), max_length=200, unique=True)
    abstract = models.TextField(
        _("résumé"),
        max_length=5000,
        help_text=_("En Markdown. Il est affiché sur la page du talk, nettoyé de tout HTML."),
    )
    format = models.CharField(
        _("format"), max_length=10, choices=Format.choices, default=Format.SHORT
    )
    language = models.CharField(
        _("langue"), max_length=2, choices=Language.choices, default=Language.FRENCH
    )
    level = models.CharField(
        _("niveau"), max_length=20, choices=Level.choices, default=Level.BEGINNER
    )
    speakers = models.ManyToManyField(
        Speaker, through="TalkSpeaker", related_name="talks", verbose_name=_("intervenant·es")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_talks",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("événement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talks",
        help_text=_(
            "Programmer un talk accepté ou confirmé prévient ses intervenant·es par e-mail, "
            "avec la date."
        ),
    )
    position = models.PositiveSmallIntegerField(
        _("ordre dans le programme"),
        null=True,
        blank=True,
        help_text=_("1 pour le premier talk de la soirée. Plus simple : l'éditeur de programme."),
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    video_url = models.URLField(
        _("vidéo"),
        blank=True,
        validators=[validate_youtube_url],
        help_text=_(
            "Adresse YouTube de la vidéo ; un temps de départ est gardé "
            "(…watch?v=ID&t=90s, youtu.be/ID?t=1m30s ou …/embed/ID?start=90)."
        ),
    )
    slides_url = models.URLField(_("slides"), blank=True)
    first_time = models.BooleanField(
        _("premier talk"), default=False, help_text=_("Première fois sur scène.")
    )
    wants_mentor = models.BooleanField(
        _("souhaite un mentor"),
        default=False,
        help_text=_("Une personne expérimentée pour l'aider à préparer son talk."),
    )
    mentor = models.ForeignKey(
        Speaker,
        verbose_name=_("mentor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_talks",
        limit_choices_to={"is_mentor": True},
        help_text=_(
            "Choisir un mentor présente l'intervenant·e et le mentor l'un à l'autre par e-mail."
        ),
    )
    mentor_introduced_at = models.DateTimeField(_("mentor présenté le"), null=True, blank=True)
    notes = models.TextField(
        _("notes pour les organisateurs"),
        blank=True,
        max_length=3000,
        help_text=_("Jamais publiées."),
    )
    preferred_events = models.ManyToManyField(
        Event,
        verbose_name=_("dates souhaitées"),
        blank=True,
        related_name="preferred_by_talks",
    )
    availability = models.CharField(
        _("disponibilités"),
        max_length=300,
        blank=True,
        help_text=_("Jamais publiées. Exemple : « pas en juillet », « plutôt un jeudi »."),
    )
    topic = models.ForeignKey(
        "Topic",
        verbose_name=_("sujet de la wishlist"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="talks",
    )
    created_at = models.DateTimeField(_("proposé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects = TalkQuerySet.as_manager()

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "submitted",
                        "accepted",
                        "rejected",
                        "confirmed",
                        "withdrawn",
                        "cancelled",
                    ]
                ),
                name="talk_status_valid",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=Q(format__in=["short", "long"]), name="talk_format_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "event"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("talks:detail", kwargs={"slug": self.slug})

    @staticmethod
    def public_condition(prefix: str = "") -> Q:
        """The visibility rule, also usable across a relation ("talks__")."""
        return Q(**{f"{prefix}status__in": Talk.PUBLIC_STATUSES}) & (
            Q(**{f"{prefix}event__isnull": True})
            | Q(**{f"{prefix}event__status__in": [Event.Status.PUBLISHED, Event.Status.CANCELLED]})
        )

    @classmethod
    def unique_slug_for(cls, title: str, exclude_pk: int | None = None) -> str:
        base = slugify(title)[:190] or "talk"
        if base in RESERVED_TALK_SLUGS:
            base = f"{base}-talk"
        taken = set(
            cls.objects.filter(slug__startswith=base)
            .exclude(pk=exclude_pk)
            .values_list("slug", flat=True)
        )
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    # Status ---------------------------------------------------------------

    def can_change_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    def allowed_statuses(self) -> list[str]:
        return [s for s in self.Status.values if self.can_change_to(s)]

    @property
    def is_public(self) -> bool:
        if self.status not in self.PUBLIC_STATUSES:
            return False
        return self.event_id is None or self.event.status != Event.Status.DRAFT

    @property
    def is_given(self) -> bool:
        return self.is_public and self.event_id is not None and self.event.is_past

    @property
    def is_editable(self) -> bool:
        """Speakers may edit their proposal until the organizers decide."""
        return self.status == self.Status.SUBMITTED

    @property
    def can_be_withdrawn(self) -> bool:
        return self.can_change_to(self.Status.WITHDRAWN) and not self.event_has_started

    @property
    def can_be_confirmed(self) -> bool:
        return self.can_change_to(self.Status.CONFIRMED) and not self.event_has_started

    @property
    def event_has_started(self) -> bool:
        return self.event_id is not None and self.event.has_started

    # Programme ------------------------------------------------------------

    @property
    def talk_minutes(self) -> int:
        return self.DURATIONS[self.format][0]

    @property
    def questions_minutes(self) -> int:
        return self.DURATIONS[self.format][1]

    @property
    def duration_minutes(self) -> int:
        return sum(self.DURATIONS[self.format])

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    # Speakers -------------------------------------------------------------

    @property
    def speaker_list(self) -> list[Speaker]:
        """Speakers in their order; uses TalkQuerySet.with_speakers() when prefetched."""
        return [link.speaker for link in self.speaker_links.all()]

    @property
    def speaker_names(self) -> str:
        names = [s.name for s in self.speaker_list]
        if len(names) <= 1:
            return "".join(names)
        return _("%(first)s et %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}

    def speaker_recipients(self) -> list[tuple[str, User | None]]:
        """Where to write about this talk: every speaker, and whoever proposed it; each
        address once, with the member it belongs to when we know them."""
        candidates = [
            (s.contact_email, s.user if s.user_id and s.user.email else None)
            for s in self.speakers.select_related("user")
        ]
        if self.submitted_by_id:
            candidates.append((self.submitted_by.email, self.submitted_by))
        recipients: list[tuple[str, User | None]] = []
        for email, member in candidates:
            if email and email.lower() not in {e.lower() for e, _m in recipients}:
                recipients.append((email, member))
        return recipients

    def speaker_emails(self) -> list[str]:
        """Where to write about this talk: every speaker, and whoever proposed it."""
        return [email for email, _member in self.speaker_recipients()]

    # Video ----------------------------------------------------------------

    @property
    def video(self) -> YouTubeVideo | None:
        return parse_youtube(self.video_url) if self.video_url else None


class TalkSpeaker(models.Model):
    """A speaker on a talk, in order (the first one is shown first)."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="speaker_links")
    speaker = models.ForeignKey(
        Speaker,
        verbose_name=_("intervenant·e"),
        on_delete=models.PROTECT,
        related_name="talk_links",
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("intervenant·e du talk")
        verbose_name_plural = _("intervenant·es du talk")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["talk", "speaker"], name="one_link_per_talk_speaker")
        ]

    def __str__(self) -> str:
        return f"{self.speaker} — {self.talk}"


class CoSpeakerInvitationQuerySet(models.QuerySet):
    def pending(self) -> CoSpeakerInvitationQuerySet:
        return self.filter(status=CoSpeakerInvitation.Status.PENDING)

    def addressed_to(self, emails: Iterable[str]) -> CoSpeakerInvitationQuerySet:
        """Invitations sent to one of these addresses (case does not matter)."""
        return self.alias(email_lower=Lower("email")).filter(
            email_lower__in=[email.lower() for email in emails]
        )

    def open(self) -> CoSpeakerInvitationQuerySet:
        """Pending, for a talk still alive whose event has not started."""
        return self.pending().filter(
            Q(talk__event__isnull=True) | Q(talk__event__starts_at__gt=timezone.now()),
            talk__status__in=Talk.TAKER_STATUSES,
        )


class CoSpeakerInvitation(models.Model):
    """A co-speaker named by email in a proposal: asked first, added only if they accept.

    The email goes to the address whoever it belongs to (a member or not), with a
    signed link (talks.tokens); the invitee accepts once logged in with that address
    verified, or declines without logging in. talks.services.invitation_accept and
    invitation_decline are the only ways to answer.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        ACCEPTED = "accepted", _("acceptée")
        DECLINED = "declined", _("déclinée")
        CANCELLED = "cancelled", _("annulée")

    talk = models.ForeignKey(
        Talk, verbose_name=_("talk"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("adresse invitée"))
    name = models.CharField(_("nom donné"), max_length=120, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité·e par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acceptée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CoSpeakerInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation à co-présenter")
        verbose_name_plural = _("invitations à co-présenter")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "talk",
                condition=Q(status="pending"),
                name="one_pending_invitation_per_talk_email",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "accepted", "declined", "cancelled"]),
                name="invitation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.talk}"

    @property
    def label(self) -> str:
        """As the proposer wrote it: "First Last <address>", or the bare address."""
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class TalkStatusChange(models.Model):
    """The history of a talk's status: who changed it, when, from what to what."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(
        _("ancien statut"), max_length=20, choices=Talk.Status.choices, blank=True
    )
    to_status = models.CharField(_("nouveau statut"), max_length=20, choices=Talk.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("le"), default=timezone.now)
    note = models.CharField(_("précision"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("changement de statut")
        verbose_name_plural = _("historique des statuts")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        """In words, as the admin's history shows it: "Soumis → Accepté"."""
        before = self.get_from_status_display() if self.from_status else "∅"
        return f"{capfirst(before)} → {capfirst(self.get_to_status_display())}"


class TalkReview(models.Model):
    """One organizer's opinion on a proposal. Only organizers ever see these."""

    class Score(models.IntegerChoices):
        FOR = 1, _("+1 (pour)")
        NEUTRAL = 0, _("0 (sans avis)")
        AGAINST = -1, _("-1 (contre)")

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organisateur"),
        on_delete=models.CASCADE,
        related_name="talk_reviews",
    )
    score = models.SmallIntegerField(
        _("note"),
        choices=Score.choices,
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
    )
    note = models.TextField(_("avis"), blank=True, max_length=3000)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis des organisateurs")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["talk", "reviewer"], name="one_review_per_organizer"),
            models.CheckConstraint(
                condition=Q(score__gte=-1) & Q(score__lte=1), name="review_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} : {self.score:+d} — {self.talk}"


class TopicQuerySet(models.QuerySet):
    def visible(self) -> TopicQuerySet:
        return self.filter(is_hidden=False)

    def ranked(self) -> TopicQuerySet:
        """With vote and taker counts, most wanted first."""
        # A taker: a proposal on this topic that is still alive.
        taken = Q(talks__status__in=Talk.TAKER_STATUSES)
        return self.annotate(
            vote_count=Count("votes", distinct=True),
            taker_count=Count("talks", filter=taken, distinct=True),
        ).order_by("-vote_count", "-created_at", "-id")


class Topic(models.Model):
    """A subject members would like to hear about at an API Hour."""

    title = models.CharField(_("sujet"), max_length=150)
    description = models.TextField(
        _("précisions"),
        blank=True,
        max_length=1000,
        help_text=_("Ce que vous aimeriez apprendre, pour qui, à quel niveau…"),
    )
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggested_topics",
    )
    is_hidden = models.BooleanField(
        _("masqué"),
        default=False,
        help_text=_("Un sujet masqué n'apparaît plus dans la wishlist (doublon, hors sujet…)."),
    )
    created_at = models.DateTimeField(_("proposé le"), default=timezone.now)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("sujet souhaité")
        verbose_name_plural = _("wishlist des sujets")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("talks:wishlist") + f"#topic-{self.pk}"

    def get_propose_url(self) -> str:
        return reverse("talks:propose") + f"?topic={self.pk}"


class TopicVote(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "member"], name="one_vote_per_member_per_topic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} +1 {self.topic}"


class ImportedPost(models.Model):
    """A post of the old Jekyll site imported by `manage.py import_jekyll`.

    `fingerprints` holds, per field, a short hash of the value the archive gave the
    last time: a field whose current value no longer matches was edited in the admin
    since, and the next import leaves it alone unless --overwrite is given.
    """

    class Kind(models.TextChoices):
        EVENT = "event", _("API Hour")
        TALK = "talk", _("talk")

    source = models.CharField(_("billet"), max_length=255, unique=True)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    event = models.ForeignKey(
        Event,
        verbose_name=_("événement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    talk = models.ForeignKey(
        Talk,
        verbose_name=_("talk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    fingerprints = models.JSONField(_("empreintes des valeurs importées"), default=dict)
    old_path = models.CharField(
        _("ancienne adresse"),
        max_length=255,
        blank=True,
        db_index=True,
        help_text=_(
            "L'adresse de la page sur l'ancien site (/api-hours/api-hour-1.html) : elle "
            "redirige vers la nouvelle page."
        ),
    )
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("billet importé du site Jekyll")
        verbose_name_plural = _("billets importés du site Jekyll")
        ordering = ["source"]

    def __str__(self) -> str:
        return self.source
