"""The organizers' side: review proposals, decide, build each event's programme.

Every status change, scheduling and mentor choice made here goes through
talks.services, exactly as on the public site: the checks, the history and the
emails are the same.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from core.admin_tools import SafeModelAdmin, SafeTabularInline
from core.search import unaccented
from events.models import Event

from .forms import ID_PATTERN, IdChoiceField, PhotoFieldMixin, parse_id
from .models import (
    CoSpeakerInvitation,
    ImportedPost,
    Speaker,
    SpeakerClaim,
    Talk,
    TalkReview,
    TalkSpeaker,
    TalkStatusChange,
    Topic,
    speaker_slug,
)
from .services import (
    NOT_SCHEDULABLE,
    TalkError,
    programme_reorder,
    programme_talks,
    speaker_claim_approve,
    speaker_claim_reject,
    speaker_claim_undo,
    talk_assign_mentor,
    talk_create,
    talk_review_save,
    talk_schedule,
    talk_set_status,
    verified_emails,
)

# Speakers -------------------------------------------------------------------


class SpeakerAdminForm(PhotoFieldMixin, forms.ModelForm):
    class Meta:
        model = Speaker
        fields = [
            "name", "slug", "bio", "photo", "website_url", "mastodon_url", "bluesky_url",
            "github_url", "gitlab_url", "linkedin_url", "twitter_url", "user", "email", "is_mentor",
            "mentor_topics",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name and not cleaned.get("slug"):
            cleaned["slug"] = speaker_slug(name)
            if not cleaned["slug"]:
                self.add_error("slug", _("Choisissez une adresse (lettres, chiffres, tirets)."))
            elif Speaker.objects.filter(slug=cleaned["slug"]).exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "name",
                    _("Un profil porte déjà ce nom : c'est la même personne (voir la liste)."),
                )
        return cleaned


@admin.register(Speaker)
class SpeakerAdmin(SafeModelAdmin):
    form = SpeakerAdminForm
    list_display = ["name", "user", "is_mentor", "talk_count", "has_photo"]
    list_filter = ["is_mentor", ("user", admin.EmptyFieldListFilter)]
    search_fields = unaccented("name", "slug", "email", "user__email", "user__display_name")
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    readonly_fields = ["talk_list", "claims_link", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "bio", "photo"]}),
        (
            gettext_lazy("Liens"),
            {
                "fields": [
                    "website_url",
                    "mastodon_url",
                    "bluesky_url",
                    "github_url",
                    "gitlab_url",
                    "linkedin_url",
                    "twitter_url",
                ]
            },
        ),  # fmt: skip
        (
            gettext_lazy("Compte et contact (jamais publics)"),
            {
                "fields": ["user", "email", "claims_link"],
                "description": gettext_lazy(
                    "Un membre qui se reconnaît dans un profil des archives clique « C'est "
                    "moi » sur sa page : sa demande arrive dans les revendications, où vous "
                    "l'approuvez (le profil est relié au compte et le profil provisoire du "
                    "membre y est fusionné) ou la refusez. Préférez-les à une saisie directe "
                    "du compte ci-dessous."
                ),
            },
        ),
        (
            gettext_lazy("Mentorat"),
            {
                "fields": ["is_mentor", "mentor_topics"],
                "description": gettext_lazy(
                    "Les mentors apparaissent dans la liste « mentor » des talks dont "
                    "l'intervenant·e souhaite être accompagné·e."
                ),
            },
        ),
        (gettext_lazy("Talks"), {"fields": ["talk_list", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_talks=Count("talks", distinct=True))

    @admin.display(description=gettext_lazy("talks"), ordering="n_talks")
    def talk_count(self, speaker: Speaker) -> int:
        return speaker.n_talks

    @admin.display(description=gettext_lazy("revendications"))
    def claims_link(self, speaker: Speaker) -> str:
        if not speaker.pk:
            return "—"
        url = (
            reverse("admin:talks_speakerclaim_changelist")
            + "?"
            + urlencode({"speaker__id__exact": speaker.pk})
        )
        pending = speaker.claims.pending().count()
        label = (
            _("%(n)d en attente de décision") % {"n": pending}
            if pending
            else _("voir l'historique")
        )
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=gettext_lazy("photo"), boolean=True)
    def has_photo(self, speaker: Speaker) -> bool:
        return bool(speaker.photo)

    @admin.display(description=gettext_lazy("talks"))
    def talk_list(self, speaker: Speaker) -> str:
        if not speaker.pk:
            return "—"
        talks = speaker.talks.select_related("event").order_by("-created_at")
        if not talks:
            return _("Aucun talk.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a> ({}{})</li>',
                (
                    (
                        reverse("admin:talks_talk_change", args=[t.pk]),
                        t.title,
                        t.get_status_display(),
                        f", {t.event}" if t.event else "",
                    )
                    for t in talks
                ),
            ),
        )


# Claims ("C'est moi") -------------------------------------------------------------


@admin.register(SpeakerClaim)
class SpeakerClaimAdmin(SafeModelAdmin):
    """Members who say "C'est moi" on a speaker of the archive. Nothing is automatic:
    every decision goes through talks.services (approve, reject, undo) and emails the
    member; only organizers (user.is_organizer) may take one."""

    list_display = [
        "speaker_link", "member_display", "status", "proven_by_email", "created_at",
        "decided_by", "decided_at",
    ]  # fmt: skip
    list_filter = ["status", "proven_by_email", ("speaker", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["speaker__name", "speaker__slug", "member__email", "member__display_name"]
    list_select_related = ["speaker", "member", "decided_by"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "reject_selected", "undo_selected"]
    fields = [
        "speaker_link", "speaker_contact", "speaker_talks", "member_display",
        "member_addresses", "message", "status", "proven_by_email", "created_at",
        "decided_by", "decided_at", "undone_by", "undone_at",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a claim is the member's own request, made on the site

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # keep the history: reject or undo instead

    # Columns and read-only fields ---------------------------------------------------

    @admin.display(description=gettext_lazy("intervenant·e revendiqué·e"), ordering="speaker")
    def speaker_link(self, claim: SpeakerClaim) -> str:
        return format_html(
            '<a href="{}">{}</a> (<a href="{}">{}</a>)',
            reverse("admin:talks_speaker_change", args=[claim.speaker_id]),
            claim.speaker.name,
            claim.speaker.get_absolute_url(),
            _("page publique"),
        )

    @admin.display(description=gettext_lazy("membre"), ordering="member")
    def member_display(self, claim: SpeakerClaim) -> str:
        return f"{claim.member.display_name} <{claim.member.email}>"

    @admin.display(description=gettext_lazy("e-mail de contact du profil"))
    def speaker_contact(self, claim: SpeakerClaim) -> str:
        return claim.speaker.email or "—"

    @admin.display(description=gettext_lazy("adresses confirmées du membre"))
    def member_addresses(self, claim: SpeakerClaim) -> str:
        return ", ".join(sorted(verified_emails(claim.member))) or "—"

    @admin.display(description=gettext_lazy("talks du profil"))
    def speaker_talks(self, claim: SpeakerClaim) -> str:
        talks = claim.speaker.talks.select_related("event").order_by("-created_at")
        if not talks:
            return _("Aucun talk.")
        return format_html_join(
            ", ", "{}{}", ((t.title, f" ({t.event})" if t.event else "") for t in talks)
        )

    # Decisions: the actions and the buttons of the claim's page -------------------

    DECISIONS = {
        "approve": (
            speaker_claim_approve,
            ngettext_lazy(
                "%(n)d revendication approuvée.", "%(n)d revendications approuvées.", "n"
            ),
        ),
        "reject": (
            speaker_claim_reject,
            ngettext_lazy("%(n)d revendication refusée.", "%(n)d revendications refusées.", "n"),
        ),
        "undo": (
            speaker_claim_undo,
            ngettext_lazy("%(n)d revendication annulée.", "%(n)d revendications annulées.", "n"),
        ),
    }

    def _decide(self, request: HttpRequest, claims, decision: str) -> None:
        service, done = self.DECISIONS[decision]
        count = 0
        for claim in claims:
            try:
                service(claim=claim, by=request.user)
            except TalkError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(
        description=gettext_lazy("Approuver : relier le profil au compte (e-mail au membre)"),
        permissions=["change"],
    )
    def approve_selected(self, request, queryset):
        self._decide(request, queryset.select_related("speaker", "member"), "approve")

    @admin.action(
        description=gettext_lazy("Refuser (e-mail neutre au membre)"), permissions=["change"]
    )
    def reject_selected(self, request, queryset):
        self._decide(request, queryset.select_related("speaker", "member"), "reject")

    @admin.action(
        description=gettext_lazy("Annuler une revendication approuvée (délier le profil)"),
        permissions=["change"],
    )
    def undo_selected(self, request, queryset):
        self._decide(request, queryset.select_related("speaker", "member"), "undo")

    def get_urls(self):
        custom = [
            path(
                "<int:claim_id>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="talks_speakerclaim_decide",
            )
        ]
        return custom + super().get_urls()

    def decide_view(self, request: HttpRequest, claim_id: int) -> HttpResponse:
        """The buttons of a claim's page (POST only)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        claim = get_object_or_404(SpeakerClaim, pk=claim_id)
        decision = request.POST.get("decision", "")
        if decision not in self.DECISIONS:
            self.message_user(request, _("Décision inconnue."), messages.ERROR)
        else:
            self._decide(request, [claim], decision)
        return redirect("admin:talks_speakerclaim_change", claim.pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": self.has_change_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)


# Talks ----------------------------------------------------------------------


class TalkSpeakerInline(SafeTabularInline):
    model = TalkSpeaker
    extra = 0
    min_num = 1
    autocomplete_fields = ["speaker"]
    fields = ["speaker", "position"]
    verbose_name_plural = gettext_lazy("intervenant·es (dans l'ordre : 0 en premier)")
    add_label = gettext_lazy("Ajouter un·e intervenant·e")


class TalkStatusChangeInline(SafeTabularInline):
    model = TalkStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("historique des statuts")

    def has_add_permission(self, request, obj=None):
        return False


class CoSpeakerInvitationInline(SafeTabularInline):
    """Who was invited to present the talk, and what they answered (read only: the
    invitee answers, through the link of the email or their "My proposals")."""

    model = CoSpeakerInvitation
    extra = 0
    can_delete = False
    fields = ["email", "name", "status", "invited_by", "created_at", "answered_at", "accepted_by"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy(
        "invitations à co-présenter (la personne n'est ajoutée que si elle accepte)"
    )

    def has_add_permission(self, request, obj=None):
        return False


class TalkActionForm(ActionForm):
    event = IdChoiceField(
        queryset=Event.objects.order_by("-starts_at"),
        required=False,
        label=gettext_lazy("Événement"),
        help_text=gettext_lazy("Pour l'action « Programmer »."),
    )


class TalkAdminForm(forms.ModelForm):
    # A talk of the archive has no level (""): the admin shows it as such and keeps it so,
    # instead of showing the first choice and saving it without anyone choosing it.
    level = forms.ChoiceField(
        label=gettext_lazy("niveau"),
        choices=[("", gettext_lazy("— non précisé —")), *Talk.Level.choices],
        required=False,
    )
    new_status = forms.ChoiceField(
        label=gettext_lazy("Changer le statut"),
        required=False,
        help_text=gettext_lazy(
            "Seuls les changements possibles sont proposés. Chacun envoie son e-mail : "
            "acceptation (avec le lien de confirmation), refus (avec nos remerciements), "
            "annulation ; une confirmation ou un retrait prévient les organisateurs."
        ),
    )
    my_score = forms.TypedChoiceField(
        label=gettext_lazy("Ma note"),
        choices=[("", gettext_lazy("pas d'avis"))] + TalkReview.Score.choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    my_note = forms.CharField(
        label=gettext_lazy("Mon avis"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Visible des organisateurs seulement."),
    )

    current_user = None  # set per request by TalkAdmin.get_form

    class Meta:
        model = Talk
        fields = [
            "title", "slug", "abstract", "format", "language", "level", "topic", "status",
            "event", "position", "preferred_events", "availability", "first_time",
            "wants_mentor", "mentor", "video_url", "slides_url", "notes", "submitted_by",
            "created_at",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        talk = self.instance
        if "new_status" in self.fields and talk.pk:
            labels = dict(Talk.Status.choices)
            self.fields["new_status"].choices = [
                ("", _("— rester « %(status)s » —") % {"status": talk.get_status_display()})
            ] + [(s, labels[s]) for s in talk.allowed_statuses()]
        if talk.pk and self.current_user is not None:
            review = TalkReview.objects.filter(talk=talk, reviewer=self.current_user).first()
            if review is not None:
                self.initial.setdefault("my_score", review.score)
                self.initial.setdefault("my_note", review.note)

    def clean(self):
        cleaned = super().clean()
        talk = self.instance
        new_status = cleaned.get("new_status") or ""
        status = new_status or cleaned.get("status") or talk.status
        if talk.pk and new_status and not talk.can_change_to(new_status):
            self.add_error("new_status", _("Ce changement de statut n'est pas possible."))
        if "event" in self.changed_data and cleaned.get("event") and status in NOT_SCHEDULABLE:
            self.add_error(
                "event",
                _("Un talk %(status)s ne peut pas être programmé.")
                % {"status": Talk.Status(status).label},
            )
        mentor = cleaned.get("mentor")
        if "mentor" in self.changed_data and mentor is not None and not mentor.contact_email:
            self.add_error(
                "mentor",
                _("%(name)s n'a pas d'adresse e-mail : impossible de faire les présentations.")
                % {"name": mentor.name},
            )
        if cleaned.get("my_note", "").strip() and cleaned.get("my_score") is None:
            self.add_error("my_score", _("Choisissez une note pour accompagner votre avis."))
        return cleaned


class ReviewedFilter(admin.SimpleListFilter):
    title = gettext_lazy("mon avis")
    parameter_name = "reviewed"

    def lookups(self, request, model_admin):
        return [("no", _("à donner")), ("yes", _("donné"))]

    def queryset(self, request, queryset):
        mine = Q(reviews__reviewer=request.user)
        if self.value() == "no":
            return queryset.exclude(pk__in=Talk.objects.filter(mine).values("pk"))
        if self.value() == "yes":
            return queryset.filter(pk__in=Talk.objects.filter(mine).values("pk"))
        return queryset


@admin.register(Talk)
class TalkAdmin(SafeModelAdmin):
    form = TalkAdminForm
    action_form = TalkActionForm
    list_display = [
        "title", "status", "format_display", "speakers_display", "event", "first_time_flag",
        "mentor_display", "score", "created_at",
    ]  # fmt: skip
    list_display_links = ["title"]
    list_filter = [
        "status", ReviewedFilter, "format", "language", "level", "first_time", "wants_mentor",
        ("mentor", admin.EmptyFieldListFilter), ("event", admin.RelatedOnlyFieldListFilter),
    ]  # fmt: skip
    search_fields = unaccented("title", "abstract", "speakers__name", "submitted_by__email")
    date_hierarchy = "created_at"
    list_select_related = ["event", "mentor"]
    autocomplete_fields = ["submitted_by", "topic"]
    filter_horizontal = ["preferred_events"]
    inlines = [TalkSpeakerInline, CoSpeakerInvitationInline, TalkStatusChangeInline]
    actions = [
        "accept_selected", "reject_selected", "confirm_selected", "cancel_selected",
        "schedule_selected", "unschedule_selected",
    ]  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(score_total=Sum("reviews__score"), review_count=Count("reviews"))
            .with_speakers()
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # A subclass per request, so that the form knows whose review it shows.
        return type(form.__name__, (form,), {"current_user": request.user})

    def get_fieldsets(self, request, obj=None):
        status_fields = ["status", "new_status"] if obj else ["status"]
        return [
            (
                None,
                {"fields": ["title", "slug", "abstract", "format", "language", "level", "topic"]},
            ),
            (
                gettext_lazy("Statut"),
                {
                    "fields": status_fields,
                    "description": None
                    if obj
                    else gettext_lazy(
                        "Pour un talk des archives, choisissez « confirmé ». Pour inviter "
                        "quelqu'un, choisissez « accepté » : ses intervenant·es reçoivent "
                        "l'e-mail d'acceptation avec le lien de confirmation."
                    ),
                },
            ),
            (
                gettext_lazy("Programme"),
                {
                    "fields": ["event", "position", "preferred_events", "availability"],
                    "description": gettext_lazy(
                        "L'ordre de la soirée se règle plus facilement dans l'éditeur de "
                        "programme (lien en haut de la liste des talks)."
                    ),
                },
            ),
            (
                gettext_lazy("Accompagnement"),
                {"fields": ["first_time", "wants_mentor", "mentor", "mentor_introduced_at"]},
            ),
            (gettext_lazy("Après l'événement"), {"fields": ["video_url", "slides_url"]}),
            (
                gettext_lazy("Privé (organisateurs seulement)"),
                {"fields": ["notes", "submitted_by", "created_at"]},
            ),
            (
                gettext_lazy("Revue (organisateurs seulement)"),
                {"fields": ["reviews_summary", "my_score", "my_note"]},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["reviews_summary", "mentor_introduced_at"]
        if obj is not None:
            readonly += ["status", "created_at"]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else {"slug": ["title"]}

    def get_changeform_initial_data(self, request):
        return {"status": Talk.Status.SUBMITTED, **super().get_changeform_initial_data(request)}

    # Columns ----------------------------------------------------------------

    @admin.display(description=gettext_lazy("format"), ordering="format")
    def format_display(self, talk: Talk) -> str:
        label = _("long") if talk.format == Talk.Format.LONG else _("court")
        return f"{label} ({talk.duration_minutes} min)"

    @admin.display(description=gettext_lazy("1er talk"), boolean=True, ordering="first_time")
    def first_time_flag(self, talk: Talk) -> bool:
        return talk.first_time

    @admin.display(description=gettext_lazy("mentor"), ordering="wants_mentor")
    def mentor_display(self, talk: Talk) -> str:
        if talk.mentor_id:
            return talk.mentor.name
        return _("à trouver") if talk.wants_mentor else "—"

    @admin.display(description=gettext_lazy("intervenant·es"))
    def speakers_display(self, talk: Talk) -> str:
        return talk.speaker_names

    @admin.display(description=gettext_lazy("note"), ordering="score_total")
    def score(self, talk: Talk) -> str:
        if not talk.review_count:
            return "—"
        return f"{talk.score_total:+d} ({talk.review_count})"

    @admin.display(description=gettext_lazy("avis des organisateurs"))
    def reviews_summary(self, talk: Talk) -> str:
        if not talk.pk:
            return "—"
        reviews = talk.reviews.select_related("reviewer")
        if not reviews:
            return _("Aucun avis pour l'instant.")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><strong>{}</strong> : {} {}</li>",
                ((r.reviewer, f"{r.score:+d}", f"— {r.note}" if r.note else "") for r in reviews),
            ),
        )

    # Saving: the changes that send emails go through the services -----------

    def save_model(self, request, obj: Talk, form, change):
        # Scheduling (of an existing talk) and the mentor are applied by the services
        # in save_related, once the speakers (an inline) are saved too: keep the old
        # values for now. A new talk is saved with its event as typed (archive entries).
        for field in ("event", "mentor") if change else ("mentor",):
            if field in form.changed_data:
                setattr(obj, f"{field}_id", form.initial.get(field))
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new talk chosen "accepted" starts "submitted" and is accepted in save_related,
        # through talk_set_status, once its speakers are saved: they get the acceptance
        # email with the confirmation link, and the history shows both steps.
        if obj.status == Talk.Status.ACCEPTED:
            obj.status = Talk.Status.SUBMITTED
        talk_create(talk=obj, by=request.user, note=_("créé dans l'administration"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        talk = form.instance
        data = form.cleaned_data
        steps = []
        if change and "event" in form.changed_data:
            steps.append(lambda: talk_schedule(talk=talk, event=data["event"], by=request.user))
        status = data.get("new_status") if change else data.get("status")
        if status and status != talk.status:
            steps.append(lambda: talk_set_status(talk=talk, status=status, by=request.user))
        if "mentor" in form.changed_data:
            steps.append(
                lambda: talk_assign_mentor(talk=talk, mentor=data["mentor"], by=request.user)
            )
        if "my_score" in form.changed_data or "my_note" in form.changed_data:
            steps.append(
                lambda: talk_review_save(
                    talk=talk, reviewer=request.user, score=data["my_score"], note=data["my_note"]
                )
            )
        for step in steps:
            try:
                step()
            except TalkError as error:
                self.message_user(request, str(error), messages.ERROR)

    # Actions ----------------------------------------------------------------

    def _change_status(self, request, queryset, status: str, done: str) -> None:
        changed = 0
        for talk in queryset:
            try:
                talk_set_status(talk=talk, status=status, by=request.user)
            except TalkError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                changed += 1
        if changed:
            self.message_user(request, done % {"n": changed}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Accepter (e-mail avec lien de confirmation)"))
    def accept_selected(self, request, queryset):
        self._change_status(
            request,
            queryset,
            Talk.Status.ACCEPTED,
            ngettext_lazy(
                "%(n)d talk accepté, e-mail envoyé.", "%(n)d talks acceptés, e-mails envoyés.", "n"
            ),
        )

    @admin.action(description=gettext_lazy("Refuser (e-mail de remerciement)"))
    def reject_selected(self, request, queryset):
        self._change_status(
            request,
            queryset,
            Talk.Status.REJECTED,
            ngettext_lazy(
                "%(n)d talk refusé, e-mail envoyé.", "%(n)d talks refusés, e-mails envoyés.", "n"
            ),
        )

    @admin.action(
        description=gettext_lazy("Marquer confirmé (l'intervenant·e a confirmé autrement)")
    )
    def confirm_selected(self, request, queryset):
        self._change_status(
            request,
            queryset,
            Talk.Status.CONFIRMED,
            ngettext_lazy("%(n)d talk confirmé.", "%(n)d talks confirmés.", "n"),
        )

    @admin.action(description=gettext_lazy("Annuler un talk accepté (e-mail aux intervenant·es)"))
    def cancel_selected(self, request, queryset):
        self._change_status(
            request,
            queryset,
            Talk.Status.CANCELLED,
            ngettext_lazy(
                "%(n)d talk annulé, e-mails envoyés.", "%(n)d talks annulés, e-mails envoyés.", "n"
            ),
        )

    @admin.action(description=gettext_lazy("Programmer à l'événement choisi ci-contre"))
    def schedule_selected(self, request, queryset):
        pk = parse_id(request.POST.get("event"))
        event = Event.objects.filter(pk=pk).first() if pk is not None else None
        if event is None:
            self.message_user(
                request,
                _("Choisissez l'événement dans la liste à côté des actions, puis recommencez."),
                messages.ERROR,
            )
            return
        done = 0
        for talk in queryset.order_by("created_at"):
            try:
                talk_schedule(talk=talk, event=event, by=request.user)
            except TalkError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(n)d talk programmé à %(event)s.", "%(n)d talks programmés à %(event)s.", done
                )
                % {"n": done, "event": event},
                messages.SUCCESS,
            )

    @admin.action(description=gettext_lazy("Retirer du programme de leur événement"))
    def unschedule_selected(self, request, queryset):
        done = 0
        for talk in queryset.exclude(event=None):
            try:
                talk_schedule(talk=talk, event=None, by=request.user)
            except TalkError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(n)d talk retiré du programme.", "%(n)d talks retirés du programme.", done)
            % {"n": done},
        )

    # The programme editor ---------------------------------------------------

    def get_urls(self):
        custom = [
            path(
                "programme/",
                self.admin_site.admin_view(self.programme_index_view),
                name="talks_talk_programme_index",
            ),
            path(
                "programme/<int:event_id>/",
                self.admin_site.admin_view(self.programme_view),
                name="talks_talk_programme",
            ),
        ]
        return custom + super().get_urls()

    def programme_index_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        events = Event.objects.annotate(
            n_talks=Count("talks", filter=Q(talks__status__in=Talk.TAKER_STATUSES)),
            n_public=Count("talks", filter=Q(talks__status__in=Talk.PUBLIC_STATUSES)),
        )
        now = timezone.now()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Programmes des événements"),
            "opts": self.model._meta,
            "upcoming": events.filter(ends_at__gte=now).order_by("starts_at"),
            "past": events.filter(ends_at__lt=now).order_by("-starts_at")[:20],
        }
        return TemplateResponse(request, "admin/talks/talk/programme_index.html", context)

    def programme_view(self, request: HttpRequest, event_id: int) -> HttpResponse:
        event = get_object_or_404(Event, pk=event_id)
        if request.method == "POST":
            if not self.has_change_permission(request):
                raise PermissionDenied
            self._programme_post(request, event)
            return redirect("admin:talks_talk_programme", event_id=event.pk)
        if not self.has_view_permission(request):
            raise PermissionDenied
        talks = list(programme_talks(event))
        rows, elapsed = [], timedelta()
        for talk in talks:
            start = timezone.localtime(event.starts_at + elapsed)
            elapsed += talk.duration
            rows.append(
                {"talk": talk, "start": start, "elapsed": int(elapsed.total_seconds() // 60)}
            )
        waiting = (
            Talk.objects.filter(status__in=Talk.PUBLIC_STATUSES, event=None)
            .with_speakers()
            .annotate(prefers=Count("preferred_events", filter=Q(preferred_events=event)))
            .order_by("-prefers", "created_at")
        )
        length = int((event.ends_at - event.starts_at).total_seconds() // 60)
        total = int(elapsed.total_seconds() // 60)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Programme : %(event)s") % {"event": event},
            "opts": self.model._meta,
            "event": event,
            "rows": rows,
            "total_minutes": total,
            "event_minutes": length,
            "over": total > length,
            "waiting": waiting,
            "changelist_url": reverse("admin:talks_talk_changelist")
            + "?"
            + urlencode({"event__id__exact": event.pk}),
        }
        return TemplateResponse(request, "admin/talks/talk/programme.html", context)

    def _programme_post(self, request: HttpRequest, event: Event) -> None:
        # Every id is checked (parse_id) before it reaches a query: the page only ever
        # sends ids it listed, anything else is a stale or hand-made request.
        stale = _("Le programme a changé entre-temps : rechargez la page et recommencez.")
        ids = [parse_id(pk) for pk in request.POST.getlist("talk")]
        if None in ids:
            self.message_user(request, stale, messages.ERROR)
            return
        try:
            if "add" in request.POST:
                talk = Talk.objects.filter(pk=parse_id(request.POST["add"])).first()
                if talk is None:
                    self.message_user(request, stale, messages.ERROR)
                    return
                talk_schedule(talk=talk, event=event, by=request.user)
                self.message_user(
                    request, _("« %(t)s » ajouté au programme.") % {"t": talk}, messages.SUCCESS
                )
            elif "remove" in request.POST:
                pk = parse_id(request.POST["remove"])
                talk = Talk.objects.filter(pk=pk, event=event).first()
                if talk is None:
                    self.message_user(request, stale, messages.ERROR)
                    return
                talk_schedule(talk=talk, event=None, by=request.user)
                self.message_user(
                    request, _("« %(t)s » retiré du programme.") % {"t": talk}, messages.SUCCESS
                )
            elif "up" in request.POST or "down" in request.POST:
                moved = parse_id(request.POST.get("up") or request.POST.get("down"))
                if moved is None:
                    self.message_user(request, stale, messages.ERROR)
                    return
                if moved in ids:
                    i = ids.index(moved)
                    j = i - 1 if "up" in request.POST else i + 1
                    if 0 <= j < len(ids):
                        ids[i], ids[j] = ids[j], ids[i]
                programme_reorder(event=event, talk_ids=ids)
                self.message_user(request, _("Ordre enregistré."), messages.SUCCESS)
            else:
                positions = {}
                for pk in ids:
                    raw = request.POST.get(f"position-{pk}", "").strip()
                    if not ID_PATTERN.fullmatch(raw):
                        self.message_user(
                            request,
                            _("Les positions sont des nombres entiers (1, 2, 3…)."),
                            messages.ERROR,
                        )
                        return
                    positions[pk] = int(raw)
                ordered = sorted(ids, key=lambda pk: (positions[pk], ids.index(pk)))
                programme_reorder(event=event, talk_ids=ordered)
                self.message_user(request, _("Ordre enregistré."), messages.SUCCESS)
        except TalkError as error:
            self.message_user(request, str(error), messages.ERROR)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "programme_url": reverse("admin:talks_talk_programme_index"),
        }
        return super().changelist_view(request, extra_context=extra_context)


# Wishlist -------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(SafeModelAdmin):
    list_display = ["title", "votes", "takers", "is_hidden", "created_at"]
    list_filter = ["is_hidden"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["suggested_by"]
    actions = ["hide_selected", "show_selected"]
    readonly_fields = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).ranked()

    @admin.display(description=gettext_lazy("votes"), ordering="vote_count")
    def votes(self, topic: Topic) -> int:
        return topic.vote_count

    @admin.display(description=gettext_lazy("propositions"), ordering="taker_count")
    def takers(self, topic: Topic) -> str:
        if not topic.taker_count:
            return "0"
        url = (
            reverse("admin:talks_talk_changelist") + "?" + urlencode({"topic__id__exact": topic.pk})
        )
        return format_html('<a href="{}">{}</a>', url, topic.taker_count)

    @admin.action(description=gettext_lazy("Masquer de la wishlist"))
    def hide_selected(self, request, queryset):
        n = queryset.update(is_hidden=True)
        self.message_user(
            request,
            ngettext("%(n)d sujet masqué.", "%(n)d sujets masqués.", n) % {"n": n},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Remettre dans la wishlist"))
    def show_selected(self, request, queryset):
        n = queryset.update(is_hidden=False)
        self.message_user(
            request,
            ngettext("%(n)d sujet remis.", "%(n)d sujets remis.", n) % {"n": n},
            messages.SUCCESS,
        )


@admin.register(ImportedPost)
class ImportedPostAdmin(SafeModelAdmin):
    """What `manage.py import_jekyll` brought in, post by post (read only)."""

    list_display = ["source", "kind", "event", "talk", "old_path", "imported_at"]
    list_filter = ["kind"]
    search_fields = ["source", "old_path"]
    list_select_related = ["event", "talk"]
    readonly_fields = ["source", "kind", "event", "talk", "old_path", "imported_at"]
    exclude = ["fingerprints"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
