from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

import events.admin  # noqa: F401  (registers EventAdmin, extended at the end of this file)
from core.admin_tools import SafeModelAdmin, SafeTabularInline
from core.images import image_fields_delete, image_fields_save
from events.models import Event

from .forms import SponsorAdminForm
from .models import Sponsor, Sponsorship


class SponsorshipInline(SafeTabularInline):
    """The evenings a sponsor supported, on the sponsor's page."""

    model = Sponsorship
    extra = 0
    autocomplete_fields = ["event"]
    fields = [
        "event", "provides_venue", "provides_food", "provides_drinks", "provides_goodies",
        "provides_money", "provides_livestream", "thanks",
    ]  # fmt: skip
    verbose_name_plural = _("soutiens aux événements")
    add_label = _("Ajouter une soirée soutenue")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("event", "sponsor")


class EventSponsorshipInline(SponsorshipInline):
    """The same rows seen from an event: who sponsors this evening."""

    autocomplete_fields = ["sponsor"]
    fields = ["sponsor", *SponsorshipInline.fields[1:]]
    verbose_name_plural = _("sponsors de la soirée")
    add_label = _("Ajouter un sponsor à la soirée")


@admin.register(Sponsor)
class SponsorAdmin(SafeModelAdmin):
    form = SponsorAdminForm
    list_display = ["name", "logo_preview", "tier", "is_active", "events_count", "website_url"]
    list_filter = ["tier", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "slug"]
    readonly_fields = ["logo_preview"]
    inlines = [SponsorshipInline]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "slug", "tier", "is_active", "website_url", "description"],
                "description": _(
                    "Les sponsors actifs apparaissent sur la page « Partenaires », rangés par "
                    "niveau ; ceux du niveau « Partenaire » aussi sur la page d'accueil."
                ),
            },
        ),
        (
            _("Logo"),
            {
                "fields": ["logo_preview", "logo_upload", "remove_logo"],
                "description": _(
                    "Le fichier est vérifié puis ré-encodé (les métadonnées sont retirées) : "
                    "un SVG ou un PDF est refusé, exportez le logo en PNG d'abord."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_events=Count("sponsorships"))

    @admin.display(description=_("soirées soutenues"), ordering="n_events")
    def events_count(self, sponsor: Sponsor) -> int:
        return sponsor.n_events

    @admin.display(description=_("logo actuel"))
    def logo_preview(self, sponsor: Sponsor) -> str:
        if not sponsor.logo:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" height="40">',
            sponsor.logo.url,
            sponsor.name,
        )

    def save_model(self, request, obj: Sponsor, form, change):
        # Writes the resized logo, saves the row, removes the replaced file after commit.
        # (The list page's "actif" checkboxes come with another form, without images.)
        image_fields_save(instance=obj, images=getattr(form, "images", {}))

    def delete_model(self, request, obj: Sponsor):
        image_fields_delete(instance=obj, fields=["logo"])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for sponsor in queryset:
            image_fields_delete(instance=sponsor, fields=["logo"])
        super().delete_queryset(request, queryset)


# The Sponsorship inline also appears on each event's admin page. The events app
# does not know about sponsors, so it is added to the EventAdmin already registered
# (public API get_model_admin, Django 5+), instead of unregistering and replacing it:
# other apps can extend the same admin the same way without undoing each other.
_event_admin = admin.site.get_model_admin(Event)
_event_admin.inlines = [*_event_admin.inlines, EventSponsorshipInline]
