from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalksConfig(AppConfig):
    name = "talks"
    verbose_name = _("Talks")

    def ready(self) -> None:
        from events.programme import register_programme_provider
        from members.profile_sections import ProfileSection, register_profile_section

        from . import emails  # noqa: F401  (registers the renderers of "talks.*" emails)
        from .models import Talk

        # The events app shows the programme (calendars, reminders) without importing us.
        register_programme_provider(Talk.objects.public_programme)
        # A member's talks, on their own page and on their public page.
        for page, public in [("own", False), ("public", True)]:
            register_profile_section(
                page,
                ProfileSection(
                    template="talks/_profile_talks.html",
                    context=lambda member, public=public: {
                        "talks": Talk.objects.of_member(member, public=public),
                        "public": public,
                    },
                    order=60,
                ),
            )
