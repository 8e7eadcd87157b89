from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Membres")

    def ready(self) -> None:
        from allauth.account.models import EmailAddress
        from django.db.models.signals import post_delete, post_save

        from core.pagecache import forget_live_value

        from . import checks  # noqa: F401  (registers the deployment checks)
        from .models import User
        from .organizers import sync_after_migrate

        # User.has_verified_email's cached answer goes when an address or the member changes.
        def address_changed(sender, instance, **kwargs) -> None:
            user_id = instance.pk if sender is User else instance.user_id
            forget_live_value(User.verified_key(user_id))

        for model in (EmailAddress, User):
            post_save.connect(
                address_changed, sender=model, weak=False, dispatch_uid=f"verified-{model}"
            )
            post_delete.connect(
                address_changed, sender=model, weak=False, dispatch_uid=f"verified-d-{model}"
            )

        # Keeps the "Organisateurs" group's permissions in sync after every migrate.
        post_migrate.connect(sync_after_migrate, dispatch_uid="members.organizers_group_sync")
