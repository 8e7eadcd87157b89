from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .admin_tools import SafeModelAdmin
from .models import OutboxMessage
from .outbox import kind_choices, kind_label, outbox_requeue


class KindFilter(admin.SimpleListFilter):
    title = gettext_lazy("message")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kind_choices()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SafeModelAdmin):
    """Every email the site sent or will send, with its attempts; read-only."""

    list_display = ["created_at", "message", "to", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", KindFilter]
    search_fields = ["to", "subject", "group"]
    date_hierarchy = "created_at"
    actions = ["requeue"]
    fields = [
        "message", "to", "recipient", "subject", "status", "attempts", "created_at",
        "next_attempt_at", "claimed_at", "sent_at", "last_error", "group", "params",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=gettext_lazy("message"), ordering="kind")
    def message(self, outbox_message: OutboxMessage) -> str:
        return outbox_message.subject or kind_label(outbox_message.kind)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=gettext_lazy("Renvoyer (messages en échec, abandonnés ou sans objet)"),
        permissions=["change"],
    )
    def requeue(self, request, queryset):
        count = outbox_requeue(messages=queryset)
        self.message_user(
            request,
            ngettext(
                "%(n)d message remis dans la file d'envoi.",
                "%(n)d messages remis dans la file d'envoi.",
                count,
            )
            % {"n": count}
            if count
            else _("Rien à renvoyer : les messages choisis sont envoyés ou en cours."),
            messages.SUCCESS if count else messages.INFO,
        )
