from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Événements")

    def ready(self) -> None:
        from members.profile_sections import ProfileSection, register_profile_section

        from . import draw, emails, opening  # noqa: F401  (register the app's outbox kinds)
        from .models import RSVP

        # The member's evenings on their own page (members sits below events).
        register_profile_section(
            "own",
            ProfileSection(
                template="events/_profile_rsvps.html",
                context=lambda member: RSVP.objects.profile_lists(member),
                order=40,
            ),
        )
