from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Événements")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.pagecache import forget_live_value
        from members.profile_sections import ProfileSection, register_profile_section

        from . import draw, emails, opening  # noqa: F401  (register the app's outbox kinds)
        from .models import RSVP, Event

        # The event page's seat counts (events.views) are dropped when an RSVP changes;
        # a bulk update (a promotion, the draw) shows within PAGE_CACHE_SECONDS.
        def seats_changed(sender, instance, **kwargs) -> None:
            forget_live_value(Event.seats_key(instance.event_id))

        post_save.connect(seats_changed, sender=RSVP, weak=False, dispatch_uid="events.seats")
        post_delete.connect(seats_changed, sender=RSVP, weak=False, dispatch_uid="events.seats-d")

        # The member's evenings on their own page (members sits below events).
        register_profile_section(
            "own",
            ProfileSection(
                template="events/_profile_rsvps.html",
                context=lambda member: RSVP.objects.profile_lists(member),
                order=40,
            ),
        )
