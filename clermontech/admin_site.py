"""The admin as organizers use it: what they do most comes first, and everything in words.

`clermontech.admin_site.AdminConfig` replaces `django.contrib.admin` in INSTALLED_APPS;
its site orders the index (and the side menu) by the organizers' evening: the events
and their RSVPs, the talks, the members, the sponsors, the community; the technical
screens (emails sent, background tasks, groups, sites, account addresses) last.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _

# App labels in the order of the index; any app not listed goes after them.
APP_ORDER = [
    "events",
    "talks",
    "members",
    "sponsors",
    "community",
    # Technical.
    "core",
    "account",
    "socialaccount",
    "auth",
    "sites",
    "django_tasks_database",
]
# Inside an app: the models organizers open most first (the others keep Django's order).
MODEL_ORDER = {
    "events": ["event", "rsvp", "venue"],
    "talks": ["talk", "speaker", "topic", "speakerclaim", "importedpost"],
    "community": ["announcement", "incidentreport", "bannedaddress"],
}


class AdminSite(admin.AdminSite):
    # The side menu takes a quarter of a 1280 px laptop's width, and the lists need it;
    # the breadcrumbs and the index lead everywhere.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        rank = {label: i for i, label in enumerate(APP_ORDER)}
        app_list.sort(key=lambda app: (rank.get(app["app_label"], len(rank)), app["name"]))
        for app in app_list:
            order = MODEL_ORDER.get(app["app_label"], [])
            app["models"].sort(
                key=lambda model: (
                    order.index(model["object_name"].lower())
                    if model["object_name"].lower() in order
                    else len(order)
                )
            )
        return app_list


class AdminConfig(DjangoAdminConfig):
    default_site = "clermontech.admin_site.AdminSite"

    def ready(self) -> None:
        super().ready()
        # django-tasks' result table says "Tasks Database Backend / Task Results", in
        # English and in its own words. The names shown are set here; the model's
        # declared options (what migrations read) are untouched.
        tasks = apps.get_app_config("django_tasks_database")
        tasks.verbose_name = _("Tâches en arrière-plan")
        result = tasks.get_model("DBTaskResult")
        result._meta.verbose_name = _("exécution de tâche")
        result._meta.verbose_name_plural = _("exécutions des tâches")
