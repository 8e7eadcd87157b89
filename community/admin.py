from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin_tools import SafeAdminMixin, SafeModelAdmin

# Importing events.admin registers EventAdmin before we add the "announce" action to it.
from core.french import de
from core.models import OutboxMessage
from core.search import unaccented
from events.admin import EventAdmin
from events.models import RSVP, members_never_come, members_with_attendance
from members.models import User

from .emails import announcement_context
from .forms import BanForm
from .models import Announcement, BannedAddress, IncidentReport
from .services import (
    AnnouncementError,
    MemberError,
    announcement_create_for_event,
    announcement_retry,
    announcement_send,
    announcement_send_test,
    member_ban,
    member_delete,
    member_unban,
)


class BannedFilter(admin.SimpleListFilter):
    title = gettext_lazy("exclusion")
    parameter_name = "banned"

    def lookups(self, request, model_admin):
        return [("yes", _("exclus")), ("no", _("non exclus"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(banned_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(banned_at__isnull=True)
        return queryset


class AttendanceFilter(admin.SimpleListFilter):
    title = gettext_lazy("assiduité")
    parameter_name = "attendance"

    def lookups(self, request, model_admin):
        return [
            ("never", _("jamais venu·e")),
            ("came", _("déjà venu·e")),
            ("no_show", _("au moins une absence")),
        ]

    def queryset(self, request, queryset):
        # The admin's queryset is already annotated (UserAdmin.get_queryset).
        if self.value() == "never":
            return members_never_come(queryset)
        if self.value() == "came":
            return queryset.filter(attended_count__gt=0)
        if self.value() == "no_show":
            return queryset.filter(no_show_count__gt=0)
        return queryset


@admin.register(User)
class UserAdmin(SafeAdminMixin, BaseUserAdmin):
    ordering = ["display_name"]
    list_display = [
        "email",
        "display_name",
        "is_staff",
        "is_active",
        "banned",
        "attendance",
        "date_joined",
    ]
    list_filter = [
        AttendanceFilter,
        "is_staff",
        "is_superuser",
        "is_active",
        BannedFilter,
        "receives_announcements",
        ("deleted_at", admin.EmptyFieldListFilter),
    ]
    search_fields = unaccented("email", "display_name")
    readonly_fields = [
        "date_joined",
        "last_login",
        "accepted_code_of_conduct_at",
        "banned_at",
        "ban_reason",
        "deleted_at",
        "attendance_history",
    ]
    actions = ["ban_member", "unban_member", "erase_member"]
    change_form_template = "community/admin/user_change_form.html"
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            gettext_lazy("Profil"),
            {
                "fields": [
                    "display_name",
                    "accepted_code_of_conduct_at",
                    "bio",
                    "website_url",
                    "mastodon_url",
                    "github_url",
                    "linkedin_url",
                ],
                "description": gettext_lazy(
                    "L'avatar se change depuis la page « Mon profil » du membre, où l'image "
                    "est vérifiée et redimensionnée."
                ),
            },
        ),
        (
            gettext_lazy("Annonces et confidentialité"),
            {"fields": ["receives_announcements", "profile_public"]},
        ),
        (
            gettext_lazy("Permissions"),
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
                "description": gettext_lazy(
                    "Pour faire d'un membre un organisateur : cochez « statut équipe » et "
                    "ajoutez-le au groupe « Organisateurs » (seul un superutilisateur le "
                    "peut). Le statut équipe seul ouvre l'administration sans rien permettre."
                ),
            },
        ),
        (
            gettext_lazy("Exclusion et suppression"),
            {
                "fields": ["banned_at", "ban_reason", "deleted_at"],
                "description": gettext_lazy(
                    "Pour exclure un membre ou lever son exclusion, utilisez les boutons en "
                    "haut de cette page : ses inscriptions à venir sont annulées (la liste "
                    "d'attente avance) et il reçoit un e-mail neutre."
                ),
            },
        ),
        (
            gettext_lazy("Présence aux événements"),
            {
                "fields": ["attendance_history"],
                "description": gettext_lazy(
                    "Présent·e : pointé·e à l'entrée. Absent·e : place confirmée à une soirée "
                    "où l'entrée a été pointée, sans venir. Sans pointage à l'entrée (soirées "
                    "anciennes), la présence est inconnue et ne compte pas."
                ),
            },
        ),
        (gettext_lazy("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "display_name", "password1", "password2"],
            },
        ),
    ]

    # Who is an organizer, and who may log in as whom, is decided by superusers only:
    # otherwise an organizer could make themselves superuser, or take over another
    # organizer's account by changing its email or password.
    PERMISSION_FIELDS = ["is_staff", "is_superuser", "groups", "user_permissions"]

    def get_queryset(self, request):
        return members_with_attendance(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += self.PERMISSION_FIELDS
        return readonly

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or request.user.is_superuser:
            return True
        # Staff accounts, one's own included, are changed by superusers only (an
        # organizer changes their own name or email on /members/me/, verified there).
        return not (obj.is_staff or obj.is_superuser)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.display(description=gettext_lazy("présent / absent"), ordering="attended_count")
    def attendance(self, user: User) -> str:
        return f"{user.attended_count} / {user.no_show_count}"

    @admin.display(description=gettext_lazy("historique"))
    def attendance_history(self, user: User) -> str:
        """Every RSVP of the member, most recent event first, with the attendance."""
        if user.pk is None:
            return "—"
        rsvps = (
            RSVP.objects.filter(member=user)
            .with_attendance()
            .select_related("event")
            .order_by("-event__starts_at", "-id")
        )
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:events_event_change", args=[rsvp.event_id]),
                    rsvp.event,
                    date_format(timezone.localtime(rsvp.event.starts_at), "SHORT_DATE_FORMAT"),
                    rsvp.get_status_display() + (_(" (sur place)") if rsvp.walk_in else ""),
                    rsvp.get_attendance_display() or "—",
                )
                for rsvp in rsvps
            ),
        )
        if not rows:
            return _("Aucune inscription.")
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table><p>{}</p>",
            _("Événement"),
            _("Date"),
            _("Inscription"),
            _("Présence"),
            rows,
            _("Présences : %(present)d ; absences : %(absent)d.")
            % {"present": user.attended_count, "absent": user.no_show_count},
        )

    @admin.display(description=gettext_lazy("exclu"), boolean=True, ordering="banned_at")
    def banned(self, user: User) -> bool:
        return user.is_banned

    def has_delete_permission(self, request, obj=None):
        # A deletion would drop RSVPs without moving the waiting list up and lose the
        # attendance history: use "Supprimer les données" (member_delete) instead.
        return False

    def get_urls(self):
        custom = [
            path(
                "<int:user_id>/ban/",
                self.admin_site.admin_view(self.ban_view),
                name="members_user_ban",
            ),
            path(
                "<int:user_id>/unban/",
                self.admin_site.admin_view(self.unban_view),
                name="members_user_unban",
            ),
            path(
                "<int:user_id>/erase/",
                self.admin_site.admin_view(self.erase_view),
                name="members_user_erase",
            ),
        ]
        return custom + super().get_urls()

    def _one_member(self, request, queryset, url_name: str):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choisissez un seul membre : cette décision se prend au cas par cas."),
                messages.ERROR,
            )  # fmt: skip
            return None
        return redirect(f"admin:{url_name}", user_id=queryset.get().pk)

    @admin.action(description=gettext_lazy("Exclure ce membre…"), permissions=["change"])
    def ban_member(self, request, queryset):
        return self._one_member(request, queryset, "members_user_ban")

    @admin.action(description=gettext_lazy("Lever l'exclusion…"), permissions=["change"])
    def unban_member(self, request, queryset):
        return self._one_member(request, queryset, "members_user_unban")

    @admin.action(
        description=gettext_lazy("Supprimer les données de ce membre…"), permissions=["change"]
    )
    def erase_member(self, request, queryset):
        return self._one_member(request, queryset, "members_user_erase")

    def _member_for_change(self, request, user_id: int) -> User:
        member = get_object_or_404(User, pk=user_id)
        if not self.has_change_permission(request, member):
            raise PermissionDenied
        return member

    def _render_action(self, request, member: User, *, title: str, template: str, **extra):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "member": member,
            "opts": self.model._meta,
            **extra,
        }
        return TemplateResponse(request, f"community/admin/{template}", context)

    def ban_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        member = self._member_for_change(request, user_id)
        form = BanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                cancelled = member_ban(
                    member=member,
                    reason=form.cleaned_data["reason"],
                    message=form.cleaned_data["message"],
                    by=request.user,
                )
            except MemberError as error:
                form.add_error(None, str(error))
            else:
                self.log_change(request, member, _("Exclu : %(r)s") % {"r": member.ban_reason})
                self.message_user(
                    request,
                    ngettext(
                        "%(m)s est exclu·e. %(n)d inscription à venir annulée ; "
                        "un e-mail l'en a informé·e.",
                        "%(m)s est exclu·e. %(n)d inscriptions à venir annulées ; "
                        "un e-mail l'en a informé·e.",
                        len(cancelled),
                    )
                    % {"m": member, "n": len(cancelled)},
                    messages.SUCCESS,
                )
                return redirect("admin:members_user_change", member.pk)
        return self._render_action(
            request,
            member,
            title=_("Exclure %(m)s") % {"m": member},
            template="user_ban.html",
            form=form,
            future_rsvps=member.rsvps.future().count(),
        )

    def unban_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        member = self._member_for_change(request, user_id)
        error = None
        if request.method == "POST":
            try:
                member_unban(member=member, by=request.user)
            except MemberError as exc:
                error = str(exc)
            else:
                self.log_change(request, member, _("Exclusion levée"))
                self.message_user(
                    request,
                    _("L'exclusion %(de_m)s est levée ; un e-mail l'en a informé·e.")
                    % {"de_m": de(member)},
                    messages.SUCCESS,
                )
                return redirect("admin:members_user_change", member.pk)
        return self._render_action(
            request,
            member,
            title=_("Lever l'exclusion %(de_m)s") % {"de_m": de(member)},
            template="user_unban.html",
            error=error,
        )

    def erase_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        member = self._member_for_change(request, user_id)
        error = None
        if request.method == "POST":
            if member.pk == request.user.pk:
                error = _("Pour supprimer votre propre compte, passez par votre profil.")
            else:
                try:
                    member_delete(member=member)
                except MemberError as exc:
                    error = str(exc)
                else:
                    self.log_change(request, member, _("Données personnelles supprimées"))
                    self.message_user(
                        request, _("Les données du membre sont supprimées."), messages.SUCCESS
                    )
                    return redirect("admin:members_user_change", member.pk)
        return self._render_action(
            request,
            member,
            title=_("Supprimer les données %(de_m)s") % {"de_m": de(member)},
            template="user_erase.html",
            error=error,
        )


# --- Announcements --------------------------------------------------------------------


@admin.register(Announcement)
class AnnouncementAdmin(SafeModelAdmin):
    list_display = ["subject", "event", "status", "deliveries_summary", "created_at"]
    list_filter = ["status"]
    search_fields = ["subject"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]
    actions = ["retry_selected"]
    change_form_template = "community/admin/announcement_change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": ["subject", "body", "event"],
                "description": gettext_lazy(
                    "1. Écrivez l'annonce et enregistrez : l'aperçu s'ouvre. "
                    "2. Envoyez-vous un test. 3. Envoyez-la à tous les membres inscrits aux "
                    "annonces (compte actif, e-mail vérifié, non exclu). Chaque message porte "
                    "un lien de désinscription en un clic. Toute modification du texte "
                    "demande un nouveau test."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        """With the counts of its emails in the outbox, by state, in the same query."""
        status = OutboxMessage.Status
        group = Concat(Value("announcement:"), Cast(OuterRef("pk"), CharField()))

        def count(statuses):
            return Subquery(
                OutboxMessage.objects.filter(group=group, status__in=statuses)
                .order_by()
                .values("group")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            )

        return (
            super()
            .get_queryset(request)
            .annotate(
                n_sent=Coalesce(count([status.SENT]), 0),
                n_failed=Coalesce(count([status.FAILED, status.DEAD]), 0),
                n_waiting=Coalesce(count([status.PENDING, status.SENDING]), 0),
            )
        )

    @admin.display(description=gettext_lazy("envois"))
    def deliveries_summary(self, announcement: Announcement) -> str:
        if announcement.is_draft:
            return "—"
        return _("%(sent)d envoyés · %(failed)d échecs · %(waiting)d en attente") % {
            "sent": announcement.n_sent,
            "failed": announcement.n_failed,
            "waiting": announcement.n_waiting,
        }

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return ["subject", "body", "event"]  # what was sent stays as it was sent
        return []

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj: Announcement, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _redirect_to_preview(self, request, obj, default):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return default
        return HttpResponseRedirect(reverse("admin:community_announcement_preview", args=[obj.pk]))

    def response_add(self, request, obj, post_url_continue=None):
        return self._redirect_to_preview(
            request, obj, super().response_add(request, obj, post_url_continue)
        )

    def response_change(self, request, obj):
        return self._redirect_to_preview(request, obj, super().response_change(request, obj))

    @admin.action(
        description=gettext_lazy("Relancer les envois en échec ou en attente"),
        permissions=["change"],
    )
    def retry_selected(self, request, queryset):
        for announcement in queryset:
            self._retry(request, announcement)

    def _retry(self, request, announcement: Announcement) -> None:
        try:
            count = announcement_retry(announcement=announcement)
        except AnnouncementError as error:
            self.message_user(request, f"{announcement} : {error}", messages.ERROR)
            return
        if count:
            self.message_user(
                request,
                ngettext("%(a)s : %(n)d envoi relancé.", "%(a)s : %(n)d envois relancés.", count)
                % {"a": announcement, "n": count},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request, _("%(a)s : rien à relancer.") % {"a": announcement}, messages.INFO
            )

    def get_urls(self):
        views = [
            ("preview", self.preview_view),
            ("test", self.test_view),
            ("send", self.send_view),
            ("retry", self.retry_view),
        ]
        custom = [
            path(
                f"<int:announcement_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"community_announcement_{name}",
            )
            for name, view in views
        ]
        return custom + super().get_urls()

    def _get(self, request, announcement_id: int, *, change: bool) -> Announcement:
        announcement = get_object_or_404(
            self.get_queryset(request).select_related("event", "event__venue"),
            pk=announcement_id,
        )
        allowed = (
            self.has_change_permission(request, announcement)
            if change
            else self.has_view_permission(request, announcement)
        )
        if not allowed:
            raise PermissionDenied
        return announcement

    def _back(self, announcement: Announcement) -> HttpResponse:
        return redirect("admin:community_announcement_preview", announcement.pk)

    def preview_view(self, request: HttpRequest, announcement_id: int) -> HttpResponse:
        announcement = self._get(request, announcement_id, change=False)
        email_context = announcement_context(announcement=announcement, member=request.user)
        deliveries_url = (
            reverse("admin:core_outboxmessage_changelist")
            + "?"
            + urlencode({"group": f"announcement:{announcement.pk}"})
        )
        context = {
            **self.admin_site.each_context(request),
            **email_context,
            "title": _("Aperçu : %(s)s") % {"s": announcement.subject},
            "opts": self.model._meta,
            "original": announcement,
            "recipient_count": User.objects.announcement_recipients().count(),
            "can_change": self.has_change_permission(request, announcement),
            "deliveries_url": deliveries_url,
            # Announcements go out in French (community.services): preview them that way,
            # whatever the organizer's language.
            "email_language": settings.LANGUAGE_CODE,
        }
        return TemplateResponse(request, "community/admin/announcement_preview.html", context)

    def test_view(self, request: HttpRequest, announcement_id: int) -> HttpResponse:
        announcement = self._get(request, announcement_id, change=True)
        if request.method != "POST":
            return self._back(announcement)
        try:
            announcement_send_test(announcement=announcement, to=request.user)
        except AnnouncementError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            # Through the outbox, like every email: it leaves at once when the mail server
            # answers; the list "E-mails envoyés par le site" says when it did.
            self.message_user(
                request,
                _("Test envoyé à %(email)s. Relisez-le dans votre messagerie.")
                % {"email": request.user.email},
                messages.SUCCESS,
            )
        return self._back(announcement)

    def send_view(self, request: HttpRequest, announcement_id: int) -> HttpResponse:
        announcement = self._get(request, announcement_id, change=True)
        if request.method != "POST":
            return self._back(announcement)
        try:
            count = announcement_send(announcement=announcement, by=request.user)
        except AnnouncementError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.log_change(request, announcement, _("Envoyée à %(n)d membres") % {"n": count})
            self.message_user(
                request,
                _("Envoi lancé pour %(n)d membres, par lots, en arrière-plan.") % {"n": count},
                messages.SUCCESS,
            )
        return self._back(announcement)

    def retry_view(self, request: HttpRequest, announcement_id: int) -> HttpResponse:
        announcement = self._get(request, announcement_id, change=True)
        if request.method == "POST":
            self._retry(request, announcement)
        return self._back(announcement)


@admin.action(description=gettext_lazy("Annoncer cet événement"))
def announce_event(modeladmin, request, queryset):
    """Create a prefilled announcement draft for the chosen event and open its preview."""
    if not request.user.has_perm("community.add_announcement"):
        raise PermissionDenied
    if queryset.count() != 1:
        modeladmin.message_user(
            request, _("Choisissez un seul événement à annoncer."), messages.ERROR
        )
        return None
    event = queryset.get()
    if not event.is_published:
        modeladmin.message_user(
            request, _("Publiez d'abord l'événement, puis annoncez-le."), messages.ERROR
        )
        return None
    announcement = announcement_create_for_event(event=event, by=request.user)
    modeladmin.message_user(
        request,
        _("Brouillon d'annonce créé. Relisez-le, envoyez-vous un test, puis envoyez-le."),
        messages.SUCCESS,
    )
    return redirect("admin:community_announcement_preview", announcement.pk)


EventAdmin.actions = [*EventAdmin.actions, announce_event]


# --- Incident reports -----------------------------------------------------------------


@admin.register(IncidentReport)
class IncidentReportAdmin(SafeModelAdmin):
    """Only organizers with the "view incident report" permission see this (superusers do)."""

    list_display = ["__str__", "created_at", "event", "status", "answerable"]
    list_filter = ["status"]
    list_select_related = ["event", "reporter"]
    date_hierarchy = "created_at"
    search_fields = ["reference"]
    readonly_fields = [
        "reference", "created_at", "event", "reporter", "contact_email", "what_happened",
    ]  # fmt: skip
    fieldsets = [
        (
            gettext_lazy("Le signalement"),
            {
                "fields": [
                    "reference",
                    "created_at",
                    "event",
                    "reporter",
                    "contact_email",
                    "what_happened",
                ],  # fmt: skip
                "description": gettext_lazy(
                    "Confidentiel : ne recopiez pas ce texte dans un e-mail ni ailleurs. "
                    "Si une adresse est indiquée, répondez à la personne depuis votre "
                    "messagerie, sans citer son signalement à d'autres."
                ),
            },
        ),
        (
            gettext_lazy("Suivi"),
            {
                "fields": ["status", "organizer_notes"],
                "description": gettext_lazy(
                    "Pour exclure la personne mise en cause, ouvrez sa fiche membre et "
                    "cliquez sur « Exclure »."
                ),
            },
        ),
    ]

    @admin.display(description=gettext_lazy("peut recevoir une réponse"), boolean=True)
    def answerable(self, report: IncidentReport) -> bool:
        return bool(report.contact_email or report.reporter_id)

    def has_add_permission(self, request):
        return False  # reports come from the public form


# --- The ban list ---------------------------------------------------------------------


@admin.register(BannedAddress)
class BannedAddressAdmin(SafeModelAdmin):
    """Addresses refused at sign-up, kept after the banned member deletes their account.

    Written by the Ban button of a member's page, removed by "Lever l'exclusion"; the
    addresses are stored as keyed hashes, so the search box takes a whole address.
    """

    list_display = ["banned_at", "member", "short_reason", "banned_by"]
    list_select_related = ["member", "banned_by"]
    readonly_fields = ["banned_at", "member", "reason", "banned_by"]
    fields = ["banned_at", "member", "reason", "banned_by"]
    search_fields = ["reason"]
    search_help_text = gettext_lazy(
        "Tapez une adresse e-mail entière pour savoir si elle est exclue (les adresses ne "
        "sont pas gardées en clair, seulement une empreinte), ou un mot du motif."
    )

    @admin.display(description=gettext_lazy("motif"))
    def short_reason(self, banned: BannedAddress) -> str:
        return banned.reason if len(banned.reason) <= 80 else banned.reason[:79] + "…"

    def get_search_results(self, request, queryset, search_term):
        if "@" in search_term:
            return queryset.matching(search_term), False
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False  # a ban starts from the member's page (Exclure…)

    def has_change_permission(self, request, obj=None):
        return False
