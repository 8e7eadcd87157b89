from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalksConfig(AppConfig):
    name = "talks"
    verbose_name = _("Talks")

    def ready(self) -> None:
        from events.programme import register_programme_provider

        from .models import Talk

        # The events app shows the programme (calendars, reminders) without importing us.
        register_programme_provider(Talk.objects.public_programme)
