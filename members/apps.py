from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Membres")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .organizers import sync_after_migrate

        # Keeps the "Organisateurs" group's permissions in sync after every migrate.
        post_migrate.connect(sync_after_migrate, dispatch_uid="members.organizers_group_sync")
