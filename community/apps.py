from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """What spans the other apps: announcements, incident reports, bans, a member's data
    (export and account deletion), the organizers' member pages, the demo data."""

    name = "community"
    verbose_name = _("Communauté")

    def ready(self) -> None:
        from . import emails  # noqa: F401  (registers the renderers of our emails)
