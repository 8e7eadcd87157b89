from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    name = "history"
    verbose_name = _("Histoire et tableaux de bord")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from events.models import RSVP, Event, Venue
        from talks.models import Speaker, Talk, TalkSpeaker

        from .stats import history_forget

        # The history page's figures are cached: any change to what they are made of
        # drops them (a cache key, not domain logic: nothing else happens here).
        for model in (Event, Venue, RSVP, Talk, TalkSpeaker, Speaker):
            post_save.connect(history_forget, sender=model, dispatch_uid=f"history-{model}")
            post_delete.connect(history_forget, sender=model, dispatch_uid=f"history-d-{model}")
