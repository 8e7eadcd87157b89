from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Envoi des e-mails")

    def ready(self) -> None:
        from .search import register_lookups, register_sqlite_function

        # Accent-insensitive search (core/search.py): the `unaccent` lookup everywhere,
        # and its SQL function on SQLite (PostgreSQL has it from the extension).
        register_lookups()
        connection_created.connect(register_sqlite_function, dispatch_uid="core.unaccent")

        # Anonymous pages from the cache (core/pagecache.py) are dropped when content changes.
        from .pagecache import content_changed

        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(content_changed, dispatch_uid=f"core.pagecache.{id(signal)}")

        from .sites import site_sync_after_migrate

        # The site's name and domain come from the settings (core/sites.py).
        post_migrate.connect(site_sync_after_migrate, sender=self, dispatch_uid="core.site")
